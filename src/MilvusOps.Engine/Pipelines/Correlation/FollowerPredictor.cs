using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Pipelines.Correlation;

/// <summary>
/// What tends to follow a pattern or a vector (Get-PatternPrediction): the past patterns alike to it (a burst of them
/// counted once), what followed each within the window, those followers sorted into kinds of alike patterns, and each kind
/// ranked by how many past occurrences it followed. On the embedded store the past patterns are found by comparing the
/// query with every pattern of the range; on Milvus through the collection's index (a search of the nearest
/// <see cref="Neighbours"/>, then of as many as the index returns when all of those are alike, keeping those alike).
/// </summary>
public static class FollowerPredictor
{
    /// <summary>How many nearest patterns a search through Milvus's index asks for first.</summary>
    public const int Neighbours = 1_000;

    /// <summary>The query: a stored pattern (its past is what came before it) or a vector (the whole range is its past).</summary>
    public sealed record Query(string Name, float[] Vector, DateTimeOffset? Time);

    /// <param name="warn">Told when the answer may be partial: on Milvus, when every one of the nearest patterns searched for
    /// is alike, so more may be.</param>
    public static IReadOnlyList<PatternPrediction> Predict(PatternSession session, TimeScope scope, Query query, int top,
        Action<Pattern, string>? unparseable = null, Action<string>? explain = null, Action<string>? warn = null)
    {
        if (top < 1) throw new MilvusOpsException("InvalidTop", ErrorKind.InvalidArgument, $"-Top must be at least 1; it was {top}.", top);
        var events = TimedEvents.Read(session, scope, unparseable, explain);
        var alike = Alike(session, events, query, scope.Filter, explain, warn);
        bool isPast(int e) => query.Time is not { } at || events.TimeOf(e) < at;

        // A burst of alike patterns, each within the window of the one before, is one occurrence: its first stands for it.
        var pasts = new List<int>();
        int previous = -1;
        foreach (int e in alike.Where(isPast).Order())
        {
            if (previous < 0 || events.TimeOf(e) - events.TimeOf(previous) > scope.Window) pasts.Add(e);
            previous = e;
        }
        // A window is whole when it ends by the query's time, the range's end and the last pattern read.
        var end = new[] { query.Time, scope.Until, events.Count > 0 ? events.TimeOf(events.Count - 1) : DateTimeOffset.MinValue }.OfType<DateTimeOffset>().Min();
        int whole = pasts.Count(p => events.TimeOf(p) + scope.Window <= end);
        explain?.Invoke($"{alike.Count:N0} patterns alike to {query.Name}; {pasts.Count:N0} past occurrences, {whole:N0} with a whole window after them.");
        if (whole == 0) return [];

        // Followers: patterns within the window after a past occurrence that are not alike to the query, sorted into kinds.
        var alikeSet = alike.ToHashSet();
        var followed = new List<(int Past, int Follower)>();
        foreach (int past in pasts.Where(p => events.TimeOf(p) + scope.Window <= end))
        {
            session.Cancellation.ThrowIfCancellationRequested();
            for (int f = past + 1; f < events.Count && events.TimeOf(f) - events.TimeOf(past) <= scope.Window; f++)
                if (!alikeSet.Contains(f) && events.TimeOf(f) > events.TimeOf(past) && isPast(f)) followed.Add((past, f));
        }
        var followers = followed.Select(p => p.Follower).Distinct().Order().ToList();
        var (kindOfFollower, kinds) = KindClustering.Assign(events, followers, session.Cancellation);
        var kindOf = followers.Select((f, i) => (f, kind: kindOfFollower[i])).ToDictionary(x => x.f, x => x.kind);
        var evidence = kinds.Select(_ => new List<PredictionEvidence>()).ToList();   // per kind, one entry per past occurrence it followed
        foreach (var byPast in followed.GroupBy(p => p.Past))
            foreach (var first in byPast.GroupBy(p => kindOf[p.Follower]).Select(g => g.First()))
                evidence[kindOf[first.Follower]].Add(new PredictionEvidence(events[first.Past].PatternId, events.TimeOf(first.Past),
                    events[first.Follower].PatternId, events.TimeOf(first.Follower)));
        return [.. Enumerable.Range(0, kinds.Count)
            .Select(kind => (kind, support: evidence[kind].Count, delay: Median(evidence[kind].Select(e => e.Delay))))
            .OrderByDescending(k => k.support).ThenBy(k => k.delay).ThenBy(k => events[kinds[k.kind]].PatternId, StringComparer.Ordinal)
            .Take(top)
            .Select((k, rank) => new PatternPrediction
            {
                Collection = events.Collection.Name,
                Query = query.Name,
                Rank = rank + 1,
                Follower = events[kinds[k.kind]].PatternId,
                FollowerType = events[kinds[k.kind]].PatternType,
                Support = k.support,
                Confidence = (double)k.support / whole,
                TypicalDelay = k.delay,
                Evidence = evidence[k.kind],
            })];
    }

    /// <summary>The events alike to the query: every one compared on the embedded store, the nearest through the index on Milvus.</summary>
    private static List<int> Alike(PatternSession session, TimedEvents events, Query query, PatternFilter? filter, Action<string>? explain, Action<string>? warn)
    {
        if (session.Connection.Backend != StoreBackend.Milvus)
            return [.. Enumerable.Range(0, events.Count).Where(e => events[e].PatternId != query.Name && events.Alike(events.Score(query.Vector, events[e].Vector)))];
        // The nearest 1,000 first; when all of them are alike, the nearest the index can return.
        int most = IndexRules.MaxTop(events.Collection.IndexType, events.Collection.IndexParameters);
        var plan = session.PlanSearch(events.Collection.Name, Math.Min(Neighbours, most), null);
        var hits = session.Search(plan, [query.Name], [query.Vector], filter, explain)[0];
        bool allAlike() => hits.Count == plan.Top && events.Alike(hits[^1].Distance);
        if (allAlike() && plan.Top < most)
        {
            explain?.Invoke($"All {plan.Top:N0} nearest patterns are alike to {query.Name}: searching for the nearest {most:N0}.");
            plan = session.PlanSearch(events.Collection.Name, most, null);
            hits = session.Search(plan, [query.Name], [query.Vector], filter, explain)[0];
        }
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int e = 0; e < events.Count; e++) index[events[e].PatternId] = e;
        var found = hits.Where(h => h.PatternId != query.Name && events.Alike(h.Distance) && index.ContainsKey(h.PatternId))
            .Select(h => index[h.PatternId]).ToList();
        if (allAlike())
            warn?.Invoke($"All {plan.Top:N0} nearest patterns are alike to {query.Name}, so more may be: the prediction rests on those {plan.Top:N0}.");
        return found;
    }

    private static TimeSpan Median(IEnumerable<TimeSpan> delays)
    {
        var sorted = delays.Order().ToList();
        return sorted.Count == 0 ? TimeSpan.Zero : sorted[sorted.Count / 2];
    }
}
