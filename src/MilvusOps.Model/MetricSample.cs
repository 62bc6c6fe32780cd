namespace MilvusOps.Model;

/// <summary>
/// One series of a scraped metrics endpoint (Milvus's :9091/metrics, a DCGM exporter): its name, labels and value. A
/// histogram comes as one object per label set, with its count, sum, mean and estimated quantiles. Counters and
/// histograms count from the process's start: compare two scrapes for a rate.
/// </summary>
public sealed class MetricSample
{
    public required string Name { get; init; }

    /// <summary>counter, gauge, histogram, summary or untyped, as the endpoint declares it.</summary>
    public required string Type { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    /// <summary>The value; for a histogram or summary, the number of observations.</summary>
    public required double Value { get; init; }

    /// <summary>What the value (and Sum, Mean and the quantiles) is measured in: ms, µs, bytes, %, MiB... Null where the
    /// name does not say; "ms or µs" for a Milvus latency when the server's version is unknown (2.6.15 changed it).</summary>
    public string? Unit { get; init; }

    public double? Sum { get; init; }
    public double? Mean { get; init; }

    /// <summary>Quantiles estimated from the histogram's buckets, as Prometheus's histogram_quantile does.</summary>
    public double? P50 { get; init; }
    public double? P99 { get; init; }

    public string? Help { get; init; }

    /// <summary>The endpoint it was scraped from.</summary>
    public required string Source { get; init; }

    /// <summary>The labels as one line: function_name=Search, status=success.</summary>
    public string LabelText => string.Join(", ", Labels.Select(l => $"{l.Key}={l.Value}"));

    public override string ToString() => Labels.Count == 0 ? $"{Name} {Value}" : $"{Name}{{{LabelText}}} {Value}";
}
