namespace MilvusOps.Model;

/// <summary>
/// How well one collection's search did at one setting of its search parameters: recall@k against the exact neighbours
/// of the same queries, how long each query took, and how many queries a second it answered at a concurrency.
/// </summary>
public sealed class SearchQualityResult : StoreObject
{
    public required string Collection { get; init; }
    public required string IndexType { get; init; }
    public required MetricType Metric { get; init; }

    /// <summary>The search parameter swept (ef, nprobe, itopk_size...), and its value here; null without a sweep.</summary>
    public string? Parameter { get; init; }
    public object? Value { get; init; }

    /// <summary>The search parameters as the server received them (defaults filled in), as JSON.</summary>
    public required string SearchParameters { get; init; }

    /// <summary>Queries measured (stored patterns drawn at random) and hits asked of each.</summary>
    public required int Queries { get; init; }
    public required int Top { get; init; }

    /// <summary>recall@k: the share of the exact top-k the search returned, over every query. A hit tied at the k-th
    /// exact distance counts as found. The lowest recall of a single query is <see cref="MinRecall"/>.</summary>
    public required double Recall { get; init; }
    public required double MinRecall { get; init; }

    /// <summary>Latency of one query per call, one call at a time, in milliseconds.</summary>
    public required double LatencyP50Ms { get; init; }
    public required double LatencyP95Ms { get; init; }
    public required double LatencyP99Ms { get; init; }

    /// <summary>Queries answered per second with <see cref="Concurrency"/> calls in flight, one query per call.</summary>
    public required double QueriesPerSecond { get; init; }
    public required int Concurrency { get; init; }

    /// <summary>Every latency measured, in milliseconds (for a histogram of one's own).</summary>
    public required IReadOnlyList<double> LatenciesMs { get; init; }

    public override string ToString() =>
        $"{Collection}{(Parameter is null ? "" : $" {Parameter} = {Value}")}: recall@{Top} {Recall:0.000}, p50 {LatencyP50Ms:0.00} ms, {QueriesPerSecond:N0} q/s";
}
