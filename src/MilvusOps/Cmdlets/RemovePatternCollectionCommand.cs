using System.Management.Automation;
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
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (string name in Name)
        {
            string count = "";
            if (!TryCall(() => Session.CheckDrop(name), name) || !TryCall(() => count = Counted(name), name)) continue;
            if (!ShouldProcess($"collection '{name}' ({count}) in {Target}", "Remove pattern collection")) continue;
            TryCall(() => Session.Drop(name), name);
        }
    }

    /// <summary>"n patterns", for the confirmation. A collection that exists but cannot be counted (another tool's,
    /// without an index, cannot load) can still be dropped.</summary>
    private string Counted(string name)
    {
        try
        {
            return $"{Session.Count(name)} patterns";
        }
        catch (MilvusOpsException ex) when (ex.ErrorId is not ("CollectionNotFound" or "InvalidCollectionName"))
        {
            WriteVerbose($"Collection '{name}' cannot be counted: {ex.Message}");
            return "patterns not counted";
        }
    }
}
