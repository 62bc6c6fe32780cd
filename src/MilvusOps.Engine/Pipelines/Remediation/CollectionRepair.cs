using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Pipelines.Remediation;

/// <summary>Which remediations to look for; each is opt-in.</summary>
/// <param name="Reload">Load a collection that is released.</param>
/// <param name="Flush">Flush a collection with rows in growing segments.</param>
/// <param name="CompactDeletedRatio">Compact a collection whose stored rows are at least this fraction deleted or replaced.</param>
public sealed record RepairOptions(bool Reload, bool Flush, double? CompactDeletedRatio);

/// <summary>
/// Safe remediation: finds what a collection needs (a reload, a flush, a compaction) from its load state, its segments
/// and its exact count, and does it. Nothing here removes data: the worst a remediation does is spend the server's work.
/// </summary>
public static class CollectionRepair
{
    /// <summary>
    /// The checks asked for, in the order they must run: each is evaluated only when the one before has been acted on,
    /// so the compaction is measured after the flush. A check returns the action it finds needed, or null.
    /// </summary>
    public static IReadOnlyList<Func<RepairAction?>> Checks(PatternSession session, string collection, RepairOptions options)
    {
        if (options.CompactDeletedRatio is { } ratio && (double.IsNaN(ratio) || ratio is <= 0 or > 1))
            throw new MilvusOpsException("InvalidThreshold", ErrorKind.InvalidArgument, $"The deleted ratio {ratio} must be above 0 and at most 1.", ratio);
        var name = session.Describe(collection).Name;
        var checks = new List<Func<RepairAction?>>();
        if (options.Reload)
            checks.Add(() => session.GetLoadState(name).State == LoadStatus.NotLoad
                ? new RepairAction { Collection = name, Action = "Reload", Reason = "it is released: its searches and queries fail" }
                : null);
        if (options.Flush)
            // Milvus 2.5 lists no growing segments (GetPersistentSegmentInfo leaves them out): flushing when asked is the
            // check, and it is cheap and safe.
            checks.Add(() => new RepairAction { Collection = name, Action = "Flush", Reason = "asked for: rows written since the last flush are sealed and persisted" });
        if (options.CompactDeletedRatio is { } threshold)
            checks.Add(() => CompactionNeeded(session, name, threshold));
        return checks;
    }

    /// <summary>Rows stay in their segments when deleted or replaced, until a compaction; the exact count is what is live.
    /// Rows not yet flushed count as live and not as stored, so the ratio reads low, never high, until a flush.</summary>
    private static RepairAction? CompactionNeeded(PatternSession session, string name, double threshold)
    {
        if (session.GetLoadState(name).State != LoadStatus.Loaded) return null; // no exact count from a released collection
        long stored = session.Segments(name, loaded: false).Where(s => s.State != "Dropped" && s.Level != "L0").Sum(s => s.Rows);
        long live = session.Count(name);
        double deleted = stored > 0 ? Math.Max(0, stored - live) / (double)stored : 0;
        return deleted >= threshold
            ? new RepairAction { Collection = name, Action = "Compact", Reason = $"{deleted:P0} of {stored} stored rows are deleted or replaced (threshold {threshold:P0})" }
            : null;
    }

    /// <summary>Does one action, waiting up to <paramref name="wait"/> for the server to finish it. A compaction for which
    /// Milvus finds nothing to do is not Performed: nothing was done.</summary>
    public static void Perform(PatternSession session, RepairAction action, TimeSpan wait)
    {
        switch (action.Action)
        {
            case "Reload":
                action.Result = session.Load(action.Collection, replicas: 1, wait).State.ToString();
                break;
            case "Flush":
                session.Flush(action.Collection);
                action.Result = "Flushed";
                break;
            case "Compact":
                var job = session.Compact(action.Collection, l0: false, wait);
                action.Result = $"compaction {job.CompactionId} {job.State}";
                if (job.State == CompactionJob.NothingToCompact) return;
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action.Action, "not a remediation");
        }
        action.Performed = true;
    }
}
