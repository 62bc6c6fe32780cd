namespace MilvusOps.Engine.Stack;

/// <summary>
/// Scrapes a metrics endpoint into <see cref="MetricSample"/>s: counters and gauges one per series, histograms and
/// summaries one per label set with their count, sum, mean and quantiles.
/// </summary>
public static class MetricScrape
{
    /// <summary>Reads an endpoint; only the families and series the filters keep are summarised.</summary>
    public static IReadOnlyList<MetricSample> Read(Uri endpoint, TimeSpan timeout, CancellationToken cancellation,
        Func<string, bool> family, Func<IReadOnlyDictionary<string, string>, bool> labels, Func<string, string?> unitOf)
    {
        (int status, string body) page;
        try
        {
            page = StackHttp.Get(endpoint, timeout, cancellation);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException)
        {
            throw new MilvusOpsException("MetricsUnavailable", ErrorKind.ConnectionError, $"Cannot read metrics from {endpoint}: {ex.Message}", endpoint.ToString(), ex);
        }
        if (page.status != 200)
            throw new MilvusOpsException("MetricsUnavailable", ErrorKind.ConnectionError,
                $"{endpoint} answered HTTP {page.status}, not a metrics page.", endpoint.ToString());
        var samples = PrometheusText.Parse(page.body).Where(s => family(s.Family) && labels(WithoutQuantileLabels(s))).ToList();
        return Summarize(samples, endpoint.ToString(), unitOf);
    }

    /// <summary>One object per counter, gauge or untyped series; one per histogram or summary label set.</summary>
    public static IReadOnlyList<MetricSample> Summarize(IReadOnlyList<PrometheusText.Sample> samples, string source, Func<string, string?> unitOf)
    {
        var result = new List<MetricSample>();
        foreach (var group in samples.GroupBy(s => (s.Family, Key: LabelKey(WithoutQuantileLabels(s)))))
        {
            var first = group.First();
            if (first.Type is "histogram" or "summary")
            {
                result.Add(Distribution(group.ToList(), source, unitOf(first.Family)));
                continue;
            }
            result.AddRange(group.Select(s => new MetricSample
            {
                Name = s.Name, Type = s.Type, Labels = s.Labels, Value = s.Value, Unit = unitOf(s.Family), Help = s.Help, Source = source,
            }));
        }
        return result;
    }

    private static MetricSample Distribution(IReadOnlyList<PrometheusText.Sample> series, string source, string? unit)
    {
        var first = series[0];
        double count = series.FirstOrDefault(s => s.Name == first.Family + "_count")?.Value ?? double.NaN;
        double? sum = series.FirstOrDefault(s => s.Name == first.Family + "_sum")?.Value;
        double? p50, p99;
        if (first.Type == "histogram")
        {
            var buckets = series.Where(s => s.Name == first.Family + "_bucket" && s.Labels.ContainsKey("le"))
                .Select(s => (UpperBound: PrometheusText.ParseValue(s.Labels["le"]), Cumulative: s.Value))
                .OrderBy(b => b.UpperBound).ToList();
            p50 = Quantile(0.5, buckets);
            p99 = Quantile(0.99, buckets);
        }
        else
        {
            double? Reported(double q) => series.FirstOrDefault(s => s.Name == first.Family && s.Labels.TryGetValue("quantile", out var v)
                && PrometheusText.ParseValue(v) == q)?.Value;
            p50 = Reported(0.5);
            p99 = Reported(0.99);
        }
        return new MetricSample
        {
            Name = first.Family, Type = first.Type, Labels = WithoutQuantileLabels(first), Value = count, Unit = unit, Help = first.Help,
            Source = source, Sum = sum, Mean = count > 0 && sum is { } total ? total / count : null, P50 = p50, P99 = p99,
        };
    }

    /// <summary>
    /// The q-quantile of a histogram, as Prometheus's histogram_quantile estimates it: find the bucket the rank falls in
    /// and interpolate linearly within it, from the bucket below's bound (0 for the first). A rank in the +Inf bucket is
    /// the highest finite bound. Null without observations.
    /// </summary>
    public static double? Quantile(double q, IReadOnlyList<(double UpperBound, double Cumulative)> buckets)
    {
        if (buckets.Count == 0 || !double.IsPositiveInfinity(buckets[^1].UpperBound)) return null;
        double total = buckets[^1].Cumulative;
        if (total <= 0) return null;
        double rank = q * total;
        for (int i = 0; i < buckets.Count; i++)
        {
            if (buckets[i].Cumulative < rank) continue;
            if (double.IsPositiveInfinity(buckets[i].UpperBound))
                return buckets.Count > 1 ? buckets[^2].UpperBound : null;
            double lower = i == 0 ? Math.Min(0, buckets[0].UpperBound) : buckets[i - 1].UpperBound;
            double below = i == 0 ? 0 : buckets[i - 1].Cumulative;
            double inBucket = buckets[i].Cumulative - below;
            return inBucket <= 0 ? buckets[i].UpperBound : lower + (buckets[i].UpperBound - lower) * (rank - below) / inBucket;
        }
        return buckets[^1].UpperBound;
    }

    private static IReadOnlyDictionary<string, string> WithoutQuantileLabels(PrometheusText.Sample sample) =>
        sample.Type is "histogram" or "summary" && (sample.Labels.ContainsKey("le") || sample.Labels.ContainsKey("quantile"))
            ? sample.Labels.Where(l => l.Key is not ("le" or "quantile")).ToDictionary(l => l.Key, l => l.Value, StringComparer.Ordinal)
            : sample.Labels;

    private static string LabelKey(IReadOnlyDictionary<string, string> labels) =>
        string.Join("\u0001", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "\u0002" + l.Value));
}
