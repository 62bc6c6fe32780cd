using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Drops an alias; the collection it named stays, with its data. Clients that use the alias then fail.</summary>
/// <example>
/// <code>
/// Get-MilvusAlias -Collection patterns_v1 | Remove-MilvusAlias
/// </code>
/// <para>Drops every alias of patterns_v1, asking first, so the collection itself can be dropped.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "MilvusAlias", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveMilvusAliasCommand : StoreObjectCmdlet
{
    /// <summary>The aliases to drop.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(AliasNameCompleter))]
    public string[] Alias { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var alias in Alias)
            TryCall(() =>
            {
                var current = Session.DescribeAlias(alias);
                if (ShouldProcess($"alias '{alias}' of collection '{current.Collection}' in {Target}", "Remove alias"))
                    Session.DropAlias(alias);
            }, alias);
    }
}
