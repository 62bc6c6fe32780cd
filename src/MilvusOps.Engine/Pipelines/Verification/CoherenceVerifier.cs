using System.Globalization;
using System.Text.Json;
using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Pipelines.Verification;

/// <summary>
/// The checks Test-PatternCoherence runs over the patterns themselves. One scan of the collection, in
/// primary-key order, feeds the Threshold and TemporalContext checks, so each pattern is read once and
/// memory stays flat however many patterns there are.
/// </summary>
public static class CoherenceVerifier
{
    public const double DefaultThreshold = 0.90;
    public static readonly IReadOnlyList<string> DefaultMetrics = ["quantum_coherence", "quantum_stability", "pattern_coherence"];

    /// <summary>
    /// Runs the Threshold check, then the TemporalContext check, then (with <paramref name="series"/>) the TimeSeries check,
    /// over one scan. Fewer than <paramref name="minCount"/> patterns fails the Threshold check: a check over nothing
    /// proves nothing.
    /// </summary>
    /// <exception cref="MilvusOpsException">InvalidThreshold, before anything is read.</exception>
    public static IReadOnlyList<CoherenceCheckResult> CheckPatterns(PatternSession session, string collection,
        IReadOnlyDictionary<string, double> thresholds, DateTimeOffset now, long minCount = 1, int maxViolations = 100, TimeSeriesRules? series = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(thresholds);
        ArgumentOutOfRangeException.ThrowIfNegative(minCount);
        foreach (var (metric, threshold) in thresholds)
        {
            if (!double.IsFinite(threshold)) throw InvalidThreshold(metric, threshold);
        }
        var thresholdCheck = new ThresholdCheck(thresholds, maxViolations);
        var temporalCheck = new TemporalContextCheck(now, maxViolations);
        if (series is not null) PatternTime.CheckKey(series.Key);
        var seriesCheck = series is null ? null : new TimeSeriesCheck(series, maxViolations);
        long patterns = 0;
        foreach (var pattern in session.Query(collection, null, includeVectors: false))
        {
            if ((patterns & 1023) == 0) session.Cancellation.ThrowIfCancellationRequested();
            patterns++;
            thresholdCheck.Add(pattern);
            temporalCheck.Add(pattern);
            seriesCheck?.Add(pattern);
        }
        return [thresholdCheck.Result(collection, patterns, minCount), temporalCheck.Result(collection, patterns),
            .. seriesCheck is null ? Array.Empty<CoherenceCheckResult>() : [seriesCheck.Result(collection, patterns)]];
    }

    /// <summary>A threshold that is not a finite number: NaN would pass every value, infinity fail every one.</summary>
    public static MilvusOpsException InvalidThreshold(string metric, object? value) =>
        new("InvalidThreshold", ErrorKind.InvalidArgument,
            $"The threshold for {metric} is '{(value is double d ? Format(d) : value)}'; a threshold must be a finite number.", metric);

    /// <summary>
    /// Every pattern's metrics are at least their threshold. A missing, null or non-numeric metric is a
    /// violation too: a pattern cannot prove coherence it does not record.
    /// </summary>
    private sealed class ThresholdCheck(IReadOnlyDictionary<string, double> thresholds, int maxViolations)
    {
        private readonly ViolationLog _log = new(maxViolations);
        private readonly Dictionary<string, double> _lowest = thresholds.Keys.ToDictionary(k => k, _ => double.PositiveInfinity, StringComparer.Ordinal);

        public void Add(Pattern pattern)
        {
            var metrics = pattern.CoherenceMetrics;
            foreach (var (metric, threshold) in thresholds)
            {
                object? value = null;
                if (metrics is null || !metrics.TryGetValue(metric, out value) || !TryNumber(value, out double number))
                {
                    _log.Add(pattern.PatternId, metric, value, value is null ? $"{metric} is missing" : $"{metric} is not a number: {value}");
                    continue;
                }
                _lowest[metric] = Math.Min(_lowest[metric], number);
                if (number < threshold)
                    _log.Add(pattern.PatternId, metric, number, $"{metric} {Format(number)} < {Format(threshold)}");
            }
        }

        public CoherenceCheckResult Result(string collection, long patterns, long minCount)
        {
            long belowThreshold = _log.Count;
            bool tooFew = patterns < minCount;
            if (tooFew)
                _log.Add("*", "count", patterns, $"{collection} holds {patterns} patterns, fewer than -MinCount {minCount}");
            string expected = $"at least {minCount} patterns; " + string.Join(", ", thresholds.Select(t => $"{t.Key} >= {Format(t.Value)}"));
            string actual = patterns == 0 ? "no patterns" :
                string.Join(", ", _lowest.Select(l => double.IsPositiveInfinity(l.Value) ? $"{l.Key}: none recorded" : $"min {l.Key} = {Format(l.Value)}"));
            string message = tooFew
                ? $"{collection} holds {patterns} patterns, fewer than -MinCount {minCount}: a check over missing data proves nothing." +
                  (belowThreshold > 0 ? $" {belowThreshold} metric values are below their threshold or missing." : "")
                : belowThreshold == 0
                    ? $"All {patterns} patterns meet every threshold."
                    : $"{belowThreshold} metric values in {collection} are below their threshold or missing.";
            return CoherenceVerifier.Result("Threshold", collection, patterns, _log, expected, actual, message);
        }
    }

    /// <summary>
    /// The temporal context of each pattern, when present, is a JSON object whose timestamp values
    /// (strings that look like dates) are valid ISO-8601 and not in the future.
    /// </summary>
    private sealed class TemporalContextCheck(DateTimeOffset now, int maxViolations)
    {
        private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);   // clock skew between the writer and this machine
        private readonly ViolationLog _log = new(maxViolations);
        private long _timestamps;

        public void Add(Pattern pattern)
        {
            if (pattern.TemporalContextJson is not { } json) return;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException ex)
            {
                _log.Add(pattern.PatternId, PatternSchema.TemporalContext, json, $"temporal_context is not valid JSON: {ex.Message}");
                return;
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    _log.Add(pattern.PatternId, PatternSchema.TemporalContext, json, "temporal_context is not a JSON object");
                    return;
                }
                foreach (var (path, text) in Strings(document.RootElement, "$"))
                {
                    if (!LooksLikeTimestamp(text)) continue;
                    _timestamps++;
                    if (!PatternTime.TryParse(text, out var when))
                        _log.Add(pattern.PatternId, path, text, $"{path} is not a valid ISO-8601 timestamp: '{text}'");
                    else if (when > now + Tolerance)
                        _log.Add(pattern.PatternId, path, text, $"{path} is in the future: {text}");
                }
            }
        }

        public CoherenceCheckResult Result(string collection, long patterns) =>
            CoherenceVerifier.Result("TemporalContext", collection, patterns, _log,
                "temporal_context is a JSON object; its timestamps are ISO-8601 and not in the future",
                $"{_timestamps} timestamps in {patterns} patterns",
                _log.Count == 0 ? $"All {_timestamps} timestamps in {patterns} patterns are valid." : $"{_log.Count} temporal_context problems in {collection}.");
    }

    internal static CoherenceCheckResult Result(string check, string collection, long checkedCount, ViolationLog log,
        string expected, string actual, string message) => new()
    {
        Check = check,
        Collection = collection,
        Passed = log.Count == 0,
        Checked = checkedCount,
        Failed = log.Count,
        Expected = expected,
        Actual = actual,
        Message = message,
        Violations = log.Kept,
    };

    private static IEnumerable<(string Path, string Text)> Strings(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return (path, element.GetString()!);
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                foreach (var item in Strings(property.Value, $"{path}.{property.Name}"))
                    yield return item;
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var child in element.EnumerateArray())
                foreach (var item in Strings(child, $"{path}[{i++}]"))
                    yield return item;
                break;
        }
    }

    // A string is treated as a timestamp when it starts like a calendar date: yyyy-mm-dd.
    private static bool LooksLikeTimestamp(string text) =>
        text.Length >= 10 && char.IsAsciiDigit(text[0]) && char.IsAsciiDigit(text[1]) && char.IsAsciiDigit(text[2])
        && char.IsAsciiDigit(text[3]) && text[4] == '-' && char.IsAsciiDigit(text[5]) && char.IsAsciiDigit(text[6]) && text[7] == '-';

    private static bool TryNumber(object? value, out double number)
    {
        switch (value)
        {
            case double d: number = d; return true;
            case long l: number = l; return true;
            default: number = 0; return false;
        }
    }

    internal static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
