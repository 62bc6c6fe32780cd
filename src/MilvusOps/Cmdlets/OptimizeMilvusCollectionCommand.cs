using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Compacts a collection (Milvus's ManualCompaction): merges small segments and purges deleted and replaced rows, which
/// stay in storage, and in every search's work, until a compaction. It waits until every plan has finished, with
/// progress; Ctrl+C stops the wait, not the compaction. A plan that fails is CompactionFailed; a collection with nothing
/// to compact returns State NothingToCompact. Milvus only.
/// </summary>
/// <example>
/// <code>
/// Optimize-MilvusCollection patterns
/// </code>
/// <para>Compacts 'patterns' and returns the finished job.</para>
/// </example>
[Cmdlet(VerbsCommon.Optimize, "MilvusCollection", SupportsShouldProcess = true)]
[OutputType(typeof(CompactionJob))]
public sealed class OptimizeMilvusCollectionCommand : CollectionCmdlet
{
    /// <summary>Compact only the L0 segments, which hold deletes (Milvus 2.6.3 and later).</summary>
    [Parameter]
    public SwitchParameter L0 { get; set; }

    /// <summary>Start the compaction and return at once; Get-MilvusCompaction follows it.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>How long to wait for the compaction.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; } = 600;

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"collection '{Collection}' in {Target}{(L0 ? " (L0 segments)" : "")}", "Compact collection")) return;
        TryCall(() =>
        {
            var job = WithProgress($"Compacting '{Collection}'", report =>
                Session.Compact(Collection, L0, NoWait ? null : TimeSpan.FromSeconds(TimeoutSec),
                    current => report($"{current.State}: {current.CompletedPlans} plan(s) done, {current.ExecutingPlans} running", -1)));
            if (job.State == CompactionJob.NothingToCompact) WriteVerbose($"Milvus found nothing to compact in '{Collection}'.");
            WriteStoreObject(job);
        }, Collection);
    }
}
