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
    public static IReadOnlyList<RepairAction> Plan(PatternSession session, string collection, RepairOptions options)
    {
        if (options.CompactDeletedRatio is { } ratio && (double.IsNaN(ratio) || ratio is <= 0 or > 1))
            throw new MilvusOpsException("InvalidThreshold", ErrorKind.InvalidArgument, $"The deleted ratio {ratio} must be above 0 and at most 1.", ratio);
        var name = session.Describe(collection).Name;
        var actions = new List<RepairAction>();
        bool loaded = true;
        if (options.Reload || options.CompactDeletedRatio is not null)
        {
            var state = session.GetLoadState(name);
            loaded = state.State == LoadStatus.Loaded;
            if (options.Reload && state.State == LoadStatus.NotLoad)
                actions.Add(new RepairAction { Collection = name, Action = "Reload", Reason = "it is released: its searches and queries fail" });
        }
        if (options.Flush || options.CompactDeletedRatio is not null)
        {
            var segments = session.Segments(name, loaded: false).Where(s => s.State != "Dropped").ToList();
            var growing = segments.Where(s => s.State == "Growing" && s.Rows > 0).ToList();
            if (options.Flush && growing.Count > 0)
                actions.Add(new RepairAction { Collection = name, Action = "Flush", Reason = $"{growing.Sum(s => s.Rows)} rows in {growing.Count} growing segment(s)" });
            if (options.CompactDeletedRatio is { } threshold && loaded)
            {
                // Rows stay in their segments when deleted or replaced, until a compaction; the exact count is what is live.
                long stored = segments.Where(s => s.Level != "L0").Sum(s => s.Rows);
                long live = session.Count(name);
                double deleted = stored > 0 ? Math.Max(0, stored - live) / (double)stored : 0;
                if (deleted >= threshold)
                    actions.Add(new RepairAction { Collection = name, Action = "Compact", Reason = $"{deleted:P0} of {stored} stored rows are deleted or replaced (threshold {threshold:P0})" });
            }
        }
        return actions;
    }

    /// <summary>Does one planned action, waiting up to <paramref name="wait"/> for the server to finish it.</summary>
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
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action.Action, "not a remediation");
        }
        action.Performed = true;
    }
}
