using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Points an existing alias at another collection in one step: the blue-green switch. Clients searching the alias move to
/// the new collection at once; load it first (Mount-MilvusCollection), or their searches fail.
/// </summary>
/// <example>
/// <code>
/// Set-MilvusAlias -Alias patterns -Collection patterns_v2 -WhatIf
/// </code>
/// <para>Says which collection 'patterns' would move from and to, and changes nothing.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "MilvusAlias", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CollectionAlias))]
public sealed class SetMilvusAliasCommand : StoreObjectCmdlet
{
    /// <summary>The alias to move.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(AliasNameCompleter))]
    public string Alias { get; set; } = "";

    /// <summary>The collection it names from now on.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    protected override void ProcessRecord() =>
        TryCall(() =>
        {
            var current = Session.DescribeAlias(Alias);
            if (!ShouldProcess($"alias '{Alias}' from collection '{current.Collection}' to '{Collection}' in {Target}", "Switch alias")) return;
            Session.AlterAlias(Alias, Collection);
            WriteStoreObject(Session.DescribeAlias(Alias));
        }, Alias);
}
