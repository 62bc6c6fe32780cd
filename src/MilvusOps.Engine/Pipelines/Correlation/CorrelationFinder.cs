using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MilvusOps.Engine.Search;
using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Pipelines.Correlation;

/// <summary>What a group must reach to be reported (<see cref="CorrelationGroup"/>'s Support, Confidence and Lift).</summary>
public sealed record CorrelationThresholds(int MinSupport = 2, double MinConfidence = 0.1, double MinLift = 2)
{
    internal void Check()
    {
        if (MinSupport < 1)
            throw new MilvusOpsException("InvalidSupport", ErrorKind.InvalidArgument, $"The least support must be at least 1; it was {MinSupport}.", MinSupport);
        if (!(MinConfidence is >= 0 and <= 1))
            throw new MilvusOpsException("InvalidConfidence", ErrorKind.InvalidArgument, $"The least confidence must be from 0 to 1; it was {MinConfidence}.", MinConfidence);
        if (!(MinLift >= 0) || double.IsInfinity(MinLift))
            throw new MilvusOpsException("InvalidLift", ErrorKind.InvalidArgument, $"The least lift must be a number from 0 up; it was {MinLift}.", MinLift);
    }
}

/// <summary>
/// Finds kinds of pattern that keep occurring together (Find-PatternCorrelation), over a collection's patterns in time
/// order, in four passes:
/// <list type="number">
/// <item>bursts: a pattern joins the nearest burst, begun by an alike pattern, whose last pattern is within the window;
/// else it begins one (noise reduction: a burst of near-duplicates counts once);</item>
/// <item>kinds: each burst joins the kind whose representative is nearest its own, if alike; else it begins one (<see cref="KindClustering"/>);</item>
/// <item>occurrences: bursts that begin within the window of an occurrence's first burst join it;</item>
/// <item>groups: each set of recurring kinds that occurred together is a candidate; its support is the number of occurrences
/// that hold all its kinds, its confidence that over the occurrences of its rarest kind, and its lift how many times more often
/// than chance its kinds occur together (kinds that meet by chance have a lift near 1).</item>
/// </list>
/// Every comparison is exact, in the collection's metric; the patterns of the range are held in memory.
/// </summary>
public static class CorrelationFinder
{
    /// <summary>The groups that pass <paramref name="thresholds"/>, most supported first.</summary>
    public static IReadOnlyList<CorrelationGroup> Find(PatternSession session, TimeScope scope, CorrelationThresholds thresholds,
        Action<Pattern, string>? unparseable = null, Action<string>? explain = null)
    {
        thresholds.Check();
        var events = TimedEvents.Read(session, scope, unparseable, explain);
        var cancellation = session.Cancellation;
        var bursts = Bursts(events, scope.Window, cancellation);
        var (kindOf, representativeOf) = KindClustering.Assign(events, [.. bursts.Select(b => b.First)], cancellation);
        var occurrences = Occurrences(events, bursts, scope.Window);
        explain?.Invoke($"{events.Count:N0} patterns: {bursts.Count:N0} bursts of {kindOf.Distinct().Count():N0} kinds, in {occurrences.Count:N0} occurrences.");

        // Each set of recurring kinds that occurred together is a candidate: a kind that occurs too seldom for any group is left
        // out of the set, so a chain beside a one-off kind is still one. Its support counts every occurrence holding all of
        // them (another kind there by chance does not hide it).
        var sets = occurrences.Select(o => o.Select(b => kindOf[b]).Distinct().Order().ToArray()).ToList();
        var occurrencesOf = new KindOccurrences(sets);
        var candidates = sets.Select(set => set.Where(kind => occurrencesOf.CountOf(kind) >= thresholds.MinSupport).ToArray())
            .Where(set => set.Length > 0).DistinctBy(set => string.Join(",", set));
        var groups = new List<CorrelationGroup>();
        int checkedSets = 0;
        foreach (var kinds in candidates)
        {
            if ((++checkedSets & 255) == 0) cancellation.ThrowIfCancellationRequested();
            int support = occurrencesOf.Support(kinds);
            double confidence = (double)support / kinds.Min(occurrencesOf.CountOf);
            if (support < thresholds.MinSupport || confidence < thresholds.MinConfidence) continue;
            double? lift = kinds.Length == 1 ? null : Lift(kinds, support, occurrencesOf);
            if (lift < thresholds.MinLift) continue;
            var ofGroup = occurrencesOf.Holding(kinds).Select(o => occurrences[o].Where(b => kinds.Contains(kindOf[b])).Select(b => bursts[b]).ToList()).ToList();
            var representatives = kinds.Select(kind => representativeOf[kind]).ToArray();
            groups.Add(Group(events, scope, representatives, ofGroup, [.. ofGroup.SelectMany(o => o.SelectMany(b => b.Members))], confidence, lift));
        }
        return [.. groups.OrderByDescending(g => g.Support).ThenByDescending(g => g.Kinds.Count).ThenBy(g => g.FirstSeen).ThenBy(g => g.PatternId, StringComparer.Ordinal)];
    }

    /// <summary>
    /// How many times more often the kinds occur together than chance would put them together, for the split of them into two
    /// parts that explains them best: support × occurrences ÷ (one part's support × the other's). Two groups that met by
    /// chance have a lift near 1 however strong each is. Sets of more than 12 kinds try only each kind against the rest.
    /// </summary>
    private static double Lift(int[] kinds, int support, KindOccurrences occurrencesOf)
    {
        double lowest = double.PositiveInfinity;
        var splits = kinds.Length <= 12
            ? Enumerable.Range(1, (1 << (kinds.Length - 1)) - 1).Select(mask => kinds.Where((_, i) => i > 0 && (mask & (1 << (i - 1))) != 0).ToArray())
            : kinds.Select(kind => new[] { kind });
        foreach (var part in splits)
        {
            var rest = kinds.Except(part);
            lowest = Math.Min(lowest, (double)support * occurrencesOf.Count / ((double)occurrencesOf.Support(part) * occurrencesOf.Support(rest)));
        }
        return lowest;
    }

    /// <summary>A run of alike patterns, each within the window of the one before: its first pattern represents it.</summary>
    private sealed class Burst(int first)
    {
        public int First { get; } = first;
        public List<int> Members { get; } = [first];
        public int Last => Members[^1];
    }

    private static List<Burst> Bursts(TimedEvents events, TimeSpan window, CancellationToken cancellation)
    {
        var bursts = new List<Burst>();
        var open = new List<Burst>();
        for (int i = 0; i < events.Count; i++)
        {
            if ((i & 255) == 0) cancellation.ThrowIfCancellationRequested();
            var time = events.TimeOf(i);
            open.RemoveAll(b => time - events.TimeOf(b.Last) > window);
            Burst? nearest = null;
            double best = 0;
            foreach (var burst in open)
            {
                double score = events.Score(events[i].Vector, events[burst.First].Vector);
                if (events.Alike(score) && (nearest is null || events.Nearer(score, best))) (nearest, best) = (burst, score);
            }
            if (nearest is not null) nearest.Members.Add(i);
            else
            {
                var burst = new Burst(i);
                bursts.Add(burst);
                open.Add(burst);
            }
        }
        return bursts;
    }

    /// <summary>The bursts of each occurrence: those that begin within the window of its first burst's beginning.</summary>
    private static List<List<int>> Occurrences(TimedEvents events, List<Burst> bursts, TimeSpan window)
    {
        var occurrences = new List<List<int>>();
        foreach (int b in Enumerable.Range(0, bursts.Count).OrderBy(b => bursts[b].First))
        {
            if (occurrences.Count > 0 && events.TimeOf(bursts[b].First) - events.TimeOf(bursts[occurrences[^1][0]].First) <= window)
                occurrences[^1].Add(b);
            else
                occurrences.Add([b]);
        }
        return occurrences;
    }

    private static CorrelationGroup Group(TimedEvents events, TimeScope scope, int[] representatives, List<List<Burst>> occurrences, List<int> members,
        double confidence, double? lift)
    {
        var kinds = representatives.Select(r => events[r].PatternId).ToList();
        var spans = occurrences.Select(o => new CorrelationOccurrence(
            events.TimeOf(o.Min(b => b.First)), events.TimeOf(o.Max(b => b.Last)), o.Sum(b => b.Members.Count))).ToList();
        var first = spans.Min(s => s.Start);
        var last = spans.Max(s => s.End);
        int dimension = events[representatives[0]].Vector.Length;
        var mean = new float[dimension];
        foreach (int r in representatives)
            for (int d = 0; d < dimension; d++) mean[d] += events[r].Vector[d] / representatives.Length;
        string id = "correlation-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", kinds))))[..16].ToLowerInvariant();
        var context = new Dictionary<string, object>
        {
            [scope.TimeKey] = PatternTime.Format(first),
            ["last_seen"] = PatternTime.Format(last),
            ["support"] = spans.Count,
            ["window_seconds"] = scope.Window.TotalSeconds,
            ["kinds"] = kinds,
        };
        return new CorrelationGroup
        {
            Collection = events.Collection.Name,
            PatternId = id,
            Kinds = kinds,
            KindTypes = representatives.Select(r => events[r].PatternType).ToList(),
            Support = spans.Count,
            Confidence = confidence,
            Lift = lift,
            Count = members.Count,
            FirstSeen = first,
            LastSeen = last,
            Members = members.Order().Select(m => events[m].PatternId).ToList(),
            Occurrences = spans,
            Vector = new FloatVector(mean),
            TemporalContext = JsonSerializer.Serialize(context),
        };
    }
}
