using MilvusOps.Engine.Search;
using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Pipelines.Correlation;

/// <summary>Where correlation and prediction look: a collection's patterns in a time range, by their time under a key,
/// and when two of them are alike (a score in the collection's metric).</summary>
public sealed record TimeScope(string Collection, double Threshold)
{
    public string TimeKey { get; init; } = PatternTime.DefaultKey;

    /// <summary>How close in time patterns must be to count as occurring together, or as one following another.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(5);

    public DateTimeOffset? Since { get; init; }
    public DateTimeOffset? Until { get; init; }
    public PatternFilter? Filter { get; init; }
}

/// <summary>A collection's patterns of a <see cref="TimeScope"/>, in time order (ties by id), held in memory, with the
/// collection's metric for comparing them.</summary>
internal sealed class TimedEvents
{
    private TimedEvents(PatternCollection collection, MetricType metric, double threshold, List<(Pattern Pattern, DateTimeOffset Time)> events) =>
        (Collection, Metric, _threshold, _events) = (collection, metric, threshold, events);

    private readonly double _threshold;
    private readonly List<(Pattern Pattern, DateTimeOffset Time)> _events;

    public PatternCollection Collection { get; }
    public MetricType Metric { get; }
    public int Count => _events.Count;
    public Pattern this[int index] => _events[index].Pattern;
    public DateTimeOffset TimeOf(int index) => _events[index].Time;

    public static TimedEvents Read(PatternSession session, TimeScope scope, Action<Pattern, string>? unparseable, Action<string>? explain)
    {
        if (scope.Window <= TimeSpan.Zero)
            throw new MilvusOpsException("InvalidWindow", ErrorKind.InvalidArgument, $"The window must be longer than zero; it was {scope.Window}.", scope.Window);
        if (!double.IsFinite(scope.Threshold))
            throw new MilvusOpsException("InvalidThreshold", ErrorKind.InvalidArgument, $"The threshold must be a finite number; it was {scope.Threshold}.", scope.Threshold);
        var collection = session.Describe(scope.Collection);
        var metric = collection.Metric ?? throw new MilvusOpsException("CollectionHasNoMetric", ErrorKind.InvalidOperation,
            $"Collection '{collection.Name}' has no vector index, so no metric says when two patterns are alike. Index it first (New-MilvusIndex).", collection.Name);
        var events = new List<(Pattern, DateTimeOffset)>();
        foreach (var item in session.ReadByTime(scope.Collection, scope.TimeKey, scope.Since, scope.Until, scope.Filter, unparseable, explain))
        {
            if ((events.Count & 1023) == 0) session.Cancellation.ThrowIfCancellationRequested();
            events.Add(item);
        }
        events.Sort((a, b) => a.Item2 != b.Item2 ? a.Item2.CompareTo(b.Item2) : string.CompareOrdinal(a.Item1.PatternId, b.Item1.PatternId));
        return new TimedEvents(collection, metric, scope.Threshold, events);
    }

    public double Score(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => PairScore.Of(Metric, a, b);

    /// <summary>True when a score says two patterns are alike.</summary>
    public bool Alike(double score) => PairScore.Within(Metric, score, _threshold);

    /// <summary>True when <paramref name="score"/> is nearer than <paramref name="other"/>.</summary>
    public bool Nearer(double score, double other) => PairScore.Nearer(Metric, score, other);
}
