namespace MilvusOps.Engine.Pipelines.Verification;

/// <summary>What the TimeSeries check asks of a collection: each pattern's time under <paramref name="Key"/> parses; with
/// <paramref name="MaxGap"/>, no series (the patterns of one pattern_type) goes longer without a pattern; with
/// <paramref name="IdOrder"/>, each series' primary-key order is its time order.</summary>
public sealed record TimeSeriesRules(string Key, TimeSpan? MaxGap = null, bool IdOrder = false);

/// <summary>
/// The TimeSeries check, fed the patterns in primary-key order by the coherence scan: every time parses (reported, not
/// guessed), a series' times never go backwards in id order (with IdOrder), and no gap in a series is longer than MaxGap.
/// Keeps each series' times and ids in memory for the gaps (some 100 bytes a pattern). A series that stopped is not a gap:
/// the time from its last pattern to now is not checked.
/// </summary>
internal sealed class TimeSeriesCheck(TimeSeriesRules rules, int maxViolations)
{
    private readonly ViolationLog _log = new(maxViolations);
    private readonly Dictionary<string, List<(DateTimeOffset Time, string Id)>> _series = new(StringComparer.Ordinal);
    private long _timed;

    private static string SeriesOf(Pattern pattern) => pattern.PatternType ?? "";

    public void Add(Pattern pattern)
    {
        if (PatternTime.Of(pattern, rules.Key, out string? problem) is not { } time)
        {
            _log.Add(pattern.PatternId, $"temporal_context.{rules.Key}", pattern.TemporalContextJson, problem!);
            return;
        }
        _timed++;
        if (!_series.TryGetValue(SeriesOf(pattern), out var times)) _series[SeriesOf(pattern)] = times = [];
        if (rules.IdOrder && times.Count > 0 && time < times[^1].Time)
            _log.Add(pattern.PatternId, $"temporal_context.{rules.Key}", PatternTime.Format(time),
                $"{PatternTime.Format(time)} is before {PatternTime.Format(times[^1].Time)} of '{times[^1].Id}', the pattern before it in series '{SeriesOf(pattern)}'");
        times.Add((time, pattern.PatternId));
    }

    public CoherenceCheckResult Result(string collection, long patterns)
    {
        if (rules.MaxGap is { } maxGap)
            foreach (var (series, times) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                times.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : string.CompareOrdinal(a.Id, b.Id));
                for (int i = 1; i < times.Count; i++)
                    if (times[i].Time - times[i - 1].Time > maxGap)
                        _log.Add(times[i].Id, $"temporal_context.{rules.Key}", PatternTime.Format(times[i].Time),
                            $"{times[i].Time - times[i - 1].Time} since '{times[i - 1].Id}' in series '{series}', more than {maxGap}");
            }
        string expected = $"every temporal_context.{rules.Key} is an ISO-8601 time" + (rules.IdOrder ? "; each series' ids in time order" : "")
            + (rules.MaxGap is { } gap ? $"; no gap in a series longer than {gap}" : "");
        return CoherenceVerifier.Result("TimeSeries", collection, patterns, _log, expected,
            $"{_timed} times in {_series.Count} series of {patterns} patterns",
            _log.Count == 0 ? $"All {patterns} patterns have a time, and every series holds." : $"{_log.Count} time series problems in {collection}.");
    }
}
