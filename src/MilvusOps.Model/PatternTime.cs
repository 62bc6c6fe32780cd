using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MilvusOps.Model;

/// <summary>
/// When a pattern happened: an ISO-8601 string under one top-level key of its temporal_context (<see cref="DefaultKey"/>
/// unless the caller names another). A time without an offset is UTC, as the TemporalContext check reads it; anything
/// else under the key (a number, another format) is unparseable and reported, never guessed.
/// </summary>
public static partial class PatternTime
{
    public const string DefaultKey = "timestamp";

    /// <summary>The offsets a time may be written at (and .NET reads) lie within this of UTC: −14:00 to +14:00.</summary>
    private static readonly TimeSpan WidestOffset = TimeSpan.FromHours(14);

    private static readonly string[] Formats =
    [
        "yyyy-MM-dd", "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mmzzz", "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-ddTHH:mmZ", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ",
    ];

    /// <summary>An ISO-8601 date or date and time, in UTC.</summary>
    public static bool TryParse(string text, out DateTimeOffset value) =>
        DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);

    /// <summary>A time as MilvusOps writes one: UTC, with a Z, the fraction only where there is one.</summary>
    public static string Format(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>A key is a plain name (letters, digits, underscores), so that both backends can index and filter by it.</summary>
    public static string CheckKey(string? key)
    {
        if (key is null || !KeyPattern().IsMatch(key))
            throw new MilvusOpsException("InvalidTimeKey", ErrorKind.InvalidArgument,
                $"The time key '{key}' is not a top-level temporal_context key of letters, digits and underscores (such as {DefaultKey} or observed_at).", key);
        return key;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$")]
    private static partial Regex KeyPattern();

    /// <summary>
    /// The ordinal text range that holds every time of [<paramref name="since"/>, <paramref name="until"/>) as it can be
    /// written: whole days, widened by the offsets a writer may use. Stores filter by it (an index serves it); the exact
    /// range is applied to the parsed times afterwards.
    /// </summary>
    public static (string? From, string? To) TextBounds(DateTimeOffset? since, DateTimeOffset? until) =>
        (since is { } s ? Day(s.UtcDateTime, -WidestOffset) : null,
         until is { } u ? Day(u.UtcDateTime, WidestOffset + TimeSpan.FromDays(1)) : null);

    /// <summary>The day of <paramref name="utc"/> moved by <paramref name="shift"/>; null (an open end) past the calendar's ends.</summary>
    private static string? Day(DateTime utc, TimeSpan shift) =>
        (shift < TimeSpan.Zero ? utc - DateTime.MinValue < -shift : DateTime.MaxValue - utc < shift) ? null
            : (utc + shift).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The time of a pattern under <paramref name="key"/>: null with a reason when it has none that parses.</summary>
    public static DateTimeOffset? Of(Pattern pattern, string key, out string? problem)
    {
        problem = null;
        if (pattern.TemporalContextJson is not { } json) { problem = "has no temporal_context"; return null; }
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty(key, out var value))
            {
                problem = $"has no temporal_context.{key}";
                return null;
            }
            if (value.ValueKind == JsonValueKind.String && TryParse(value.GetString()!, out var time)) return time;
            problem = $"temporal_context.{key} is not an ISO-8601 time: {value.GetRawText()}";
            return null;
        }
        catch (JsonException)
        {
            problem = "temporal_context is not valid JSON";
            return null;
        }
    }
}
