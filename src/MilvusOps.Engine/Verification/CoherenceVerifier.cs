using System.Globalization;
using System.Text.Json;

namespace MilvusOps.Engine.Verification;

/// <summary>
/// The checks Test-PatternCoherence runs. Each streams the collection once in primary-key order,
/// so memory stays flat however many patterns there are.
/// </summary>
public static class CoherenceVerifier
{
    public const double DefaultThreshold = 0.90;
    public static readonly IReadOnlyList<string> DefaultMetrics = ["quantum_coherence", "quantum_stability", "pattern_coherence"];

    /// <summary>
    /// Every pattern's metrics are at least their threshold. A missing, null or non-numeric metric is a
    /// violation too: a pattern cannot prove coherence it does not record.
    /// </summary>
    public static CoherenceCheckResult CheckThresholds(IPatternStore store, string collection,
        IReadOnlyDictionary<string, double> thresholds, int maxViolations = 100, CancellationToken cancel = default)
    {
        var log = new ViolationLog(maxViolations);
        long patterns = 0;
        var lowest = thresholds.Keys.ToDictionary(k => k, _ => double.PositiveInfinity, StringComparer.Ordinal);
        foreach (var pattern in store.Query(collection, null))
        {
            if ((patterns & 1023) == 0) cancel.ThrowIfCancellationRequested();
            patterns++;
            var metrics = pattern.CoherenceMetrics;
            foreach (var (metric, threshold) in thresholds)
            {
                object? value = null;
                if (metrics is null || !metrics.TryGetValue(metric, out value) || !TryNumber(value, out double number))
                {
                    log.Add(pattern.PatternId, metric, value, value is null ? $"{metric} is missing" : $"{metric} is not a number: {value}");
                    continue;
                }
                lowest[metric] = Math.Min(lowest[metric], number);
                if (number < threshold)
                    log.Add(pattern.PatternId, metric, number, $"{metric} {Format(number)} < {Format(threshold)}");
            }
        }
        string expected = string.Join(", ", thresholds.Select(t => $"{t.Key} >= {Format(t.Value)}"));
        string actual = patterns == 0 ? "no patterns" :
            string.Join(", ", lowest.Select(l => double.IsPositiveInfinity(l.Value) ? $"{l.Key}: none recorded" : $"min {l.Key} = {Format(l.Value)}"));
        return Result("Threshold", collection, patterns, log, expected, actual,
            log.Count == 0
                ? $"All {patterns} patterns meet every threshold."
                : $"{log.Count} metric values in {collection} are below their threshold or missing.");
    }

    /// <summary>
    /// The temporal context of each pattern, when present, is a JSON object whose timestamp values
    /// (strings that look like dates) are valid ISO-8601 and not in the future.
    /// </summary>
    public static CoherenceCheckResult CheckTemporalContext(IPatternStore store, string collection, DateTimeOffset now,
        int maxViolations = 100, CancellationToken cancel = default)
    {
        var log = new ViolationLog(maxViolations);
        long patterns = 0, timestamps = 0;
        var tolerance = TimeSpan.FromMinutes(5);   // clock skew between the writer and this machine
        foreach (var pattern in store.Query(collection, null))
        {
            if ((patterns & 1023) == 0) cancel.ThrowIfCancellationRequested();
            patterns++;
            if (pattern.TemporalContextJson is not { } json) continue;
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException ex)
            {
                log.Add(pattern.PatternId, PatternSchema.TemporalContext, json, $"temporal_context is not valid JSON: {ex.Message}");
                continue;
            }
            using (document)
            {
                if (document.RootElement.ValueKind != JsonValueKind.Object)
                {
                    log.Add(pattern.PatternId, PatternSchema.TemporalContext, json, "temporal_context is not a JSON object");
                    continue;
                }
                foreach (var (path, text) in Strings(document.RootElement, "$"))
                {
                    if (!LooksLikeTimestamp(text)) continue;
                    timestamps++;
                    if (!TryParseIso8601(text, out var when))
                        log.Add(pattern.PatternId, path, text, $"{path} is not a valid ISO-8601 timestamp: '{text}'");
                    else if (when > now + tolerance)
                        log.Add(pattern.PatternId, path, text, $"{path} is in the future: {text}");
                }
            }
        }
        return Result("TemporalContext", collection, patterns, log,
            "temporal_context is a JSON object; its timestamps are ISO-8601 and not in the future",
            $"{timestamps} timestamps in {patterns} patterns",
            log.Count == 0 ? $"All {timestamps} timestamps in {patterns} patterns are valid." : $"{log.Count} temporal_context problems in {collection}.");
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

    private static readonly string[] Iso8601Formats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mmzzz", "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-ddTHH:mmZ", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ",
    ];

    internal static bool TryParseIso8601(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, Iso8601Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

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
