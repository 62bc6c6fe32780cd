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
public sealed class RemovePatternCollectionCommand : MilvusOpsCmdlet
{
    /// <summary>The collections to drop.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Collection")]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (string name in Name)
        {
            if (!TryDescribe(name, out long count)) continue;
            if (!ShouldProcess($"{name} ({count} patterns) in {Store.Uri}", "Remove pattern collection")) continue;
            TryCall(() => Store.DropCollection(name), name);
        }
    }

    private bool TryDescribe(string name, out long count)
    {
        long entities = 0;
        bool found = TryCall(() => entities = Store.DescribeCollection(name).EntityCount, name);
        count = entities;
        return found;
    }
}
