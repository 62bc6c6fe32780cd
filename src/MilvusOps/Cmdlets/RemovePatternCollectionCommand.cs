using System.Management.Automation;
using MilvusOps.Engine;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Drops collections and every pattern in them.</summary>
/// <example>
/// <code>
/// Remove-PatternCollection scratch -Confirm:$false
/// </code>
/// <para>Drops the collection scratch without asking, as a script must (ConfirmImpact is High).</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "PatternCollection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemovePatternCollectionCommand : StoreObjectCmdlet
{
    /// <summary>The collections to drop.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Collection")]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (string name in Name)
        {
            long count = 0;
            if (!TryCall(() => count = Session.Count(name), name)) continue;
            if (!ShouldProcess($"collection '{name}' ({count} patterns) in {Target}", "Remove pattern collection")) continue;
            TryCall(() => Session.Drop(name), name);
        }
    }
}
