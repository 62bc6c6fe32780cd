using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Remediation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Safe, opt-in remediation: -Reload loads a collection that was released, -Flush flushes it (Milvus 2.5 does not say
/// how many rows wait unflushed), -CompactDeletedRatio compacts one whose stored rows are at least that fraction deleted
/// or replaced, measured after the flush. It acts only where the check finds the need, supports -WhatIf, and never
/// removes data. It returns one RepairAction per
/// remediation found, with whether it was done. Milvus only (the embedded store needs none of these).
/// </summary>
/// <example>
/// <code>
/// Get-PatternCollection | Repair-MilvusCollection -Reload -CompactDeletedRatio 0.2 -WhatIf
/// </code>
/// <para>Says which collections would be reloaded or compacted, and changes nothing.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Repair, "MilvusCollection", SupportsShouldProcess = true)]
[OutputType(typeof(RepairAction))]
public sealed class RepairMilvusCollectionCommand : CollectionCmdlet
{
    /// <summary>Load the collection if it is released.</summary>
    [Parameter]
    public SwitchParameter Reload { get; set; }

    /// <summary>Flush the collection, before the compaction is measured.</summary>
    [Parameter]
    public SwitchParameter Flush { get; set; }

    /// <summary>Compact the collection when at least this fraction (0 to 1) of its stored rows are deleted or replaced.</summary>
    [Parameter]
    public double? CompactDeletedRatio { get; set; }

    /// <summary>How long to wait for a reload or a compaction.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; } = 600;

    protected override void ProcessRecord()
    {
        if (!Reload && !Flush && CompactDeletedRatio is null)
        {
            ThrowEngineError(new MilvusOpsException("NoRemediationChosen", ErrorKind.InvalidArgument,
                "Say which remediations to look for: -Reload, -Flush, -CompactDeletedRatio 0.2 (each is opt-in).", Collection));
            return;
        }
        IReadOnlyList<Func<RepairAction?>> checks = [];
        if (!TryCall(() => checks = CollectionRepair.Checks(Session, Collection, new RepairOptions(Reload, Flush, CompactDeletedRatio)), Collection)) return;
        foreach (var check in checks)
        {
            RepairAction? action = null;
            if (!TryCall(() => action = check(), Collection) || action is null) continue;
            if (ShouldProcess($"collection '{action.Collection}' in {Target}: {action.Reason}", action.Action))
                TryCall(() => CollectionRepair.Perform(Session, action, TimeSpan.FromSeconds(TimeoutSec)), action.Collection);
            WriteStoreObject(action);
        }
    }
}
