using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Stack;

/// <summary>
/// A reader of the Prometheus text exposition format (0.0.4), which Milvus's /metrics and NVIDIA's DCGM exporter serve:
/// <c># HELP</c> and <c># TYPE</c> lines, then samples <c>name{label="value",...} value [timestamp]</c>. No library
/// here reads it (prometheus-net writes it), so this is a small, strict reader: a line it cannot read fails the whole
/// scrape with its line number, as Prometheus fails a scrape, rather than a silent gap in the figures.
/// </summary>
public static class PrometheusText
{
    /// <summary>One sample line, with the family its # TYPE and # HELP lines describe.</summary>
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value, long? TimestampMs, string Family, string Type, string? Help);

    private static readonly string[] FamilySuffixes = ["_bucket", "_sum", "_count"];

    public static IReadOnlyList<Sample> Parse(string text)
    {
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var helps = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<(string Name, Dictionary<string, string> Labels, double Value, long? Timestamp, int Line)>();
        int number = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            number++;
            var line = rawLine.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            try
            {
                if (line.TrimStart().StartsWith('#'))
                {
                    ReadComment(line.TrimStart(), types, helps);
                    continue;
                }
                var (name, labels, value, timestamp) = ReadSample(line);
                samples.Add((name, labels, value, timestamp, number));
            }
            catch (FormatException ex)
            {
                throw new MilvusOpsException("MetricsMalformed", ErrorKind.InvalidData,
                    $"Line {number} of the metrics text cannot be read ({ex.Message}): {Shorten(line)}", number);
            }
        }
        return samples.Select(s =>
        {
            var family = FamilyOf(s.Name, types);
            var type = types.GetValueOrDefault(family, "untyped");
            // A bucket needs its bound, a summary's quantile sample its quantile, as the format requires.
            string? bound = type == "histogram" && s.Name == family + "_bucket" ? "le" : type == "summary" && s.Name == family ? "quantile" : null;
            if (bound is not null)
            {
                try
                {
                    ParseValue(s.Labels.TryGetValue(bound, out var text) ? text : throw new FormatException($"a {type} sample without its '{bound}' label"));
                }
                catch (FormatException ex)
                {
                    throw new MilvusOpsException("MetricsMalformed", ErrorKind.InvalidData,
                        $"Line {s.Line} of the metrics text cannot be read ({ex.Message}): {s.Name}", s.Line);
                }
            }
            return new Sample(s.Name, s.Labels, s.Value, s.Timestamp, family, type, helps.GetValueOrDefault(family));
        }).ToList();
    }

    /// <summary>The family a sample belongs to: x for x_bucket, x_sum and x_count when x is a histogram or summary.</summary>
    private static string FamilyOf(string name, Dictionary<string, string> types)
    {
        foreach (var suffix in FamilySuffixes)
            if (name.EndsWith(suffix, StringComparison.Ordinal)
                && types.TryGetValue(name[..^suffix.Length], out var type) && type is "histogram" or "summary")
                return name[..^suffix.Length];
        return name;
    }

    private static void ReadComment(string line, Dictionary<string, string> types, Dictionary<string, string> helps)
    {
        var parts = line[1..].TrimStart().Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2 || parts[0] is not ("TYPE" or "HELP")) return; // any other comment
        if (!IsName(parts[1], allowColon: true)) throw new FormatException($"'{parts[1]}' is not a metric name");
        if (parts[0] == "TYPE")
        {
            var type = parts.Length > 2 ? parts[2].Trim() : "";
            if (type is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                throw new FormatException($"unknown metric type '{type}'");
            types[parts[1]] = type;
        }
        else
        {
            helps[parts[1]] = UnescapeHelp(parts.Length > 2 ? parts[2] : "");
        }
    }

    private static (string, Dictionary<string, string>, double, long?) ReadSample(string line)
    {
        int i = 0;
        SkipBlanks(line, ref i);
        int start = i;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] is '_' or ':')) i++;
        var name = line[start..i];
        if (!IsName(name, allowColon: true)) throw new FormatException($"'{name}' is not a metric name");
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        SkipBlanks(line, ref i);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (true)
            {
                SkipBlanks(line, ref i);
                if (i < line.Length && line[i] == '}') { i++; break; }
                int labelStart = i;
                while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_')) i++;
                var label = line[labelStart..i];
                if (!IsName(label, allowColon: false)) throw new FormatException($"'{label}' is not a label name");
                SkipBlanks(line, ref i);
                Expect(line, ref i, '=');
                SkipBlanks(line, ref i);
                Expect(line, ref i, '"');
                var value = new StringBuilder();
                while (true)
                {
                    if (i >= line.Length) throw new FormatException($"the value of label '{label}' has no closing quote");
                    char c = line[i++];
                    if (c == '"') break;
                    if (c == '\\')
                    {
                        if (i >= line.Length) throw new FormatException("a backslash ends the line");
                        char escaped = line[i++];
                        value.Append(escaped switch
                        {
                            'n' => '\n',
                            '\\' => '\\',
                            '"' => '"',
                            _ => throw new FormatException($"'\\{escaped}' is not an escape a label value may hold"),
                        });
                    }
                    else value.Append(c);
                }
                if (!labels.TryAdd(label, value.ToString())) throw new FormatException($"label '{label}' appears twice");
                SkipBlanks(line, ref i);
                if (i < line.Length && line[i] == ',') { i++; continue; }
                SkipBlanks(line, ref i);
                Expect(line, ref i, '}');
                break;
            }
        }
        var rest = line[i..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (rest.Length is 0 or > 2) throw new FormatException(rest.Length == 0 ? "no value" : "more than a value and a timestamp");
        double number = ParseValue(rest[0]);
        long? timestamp = rest.Length == 2
            ? long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var t) ? t : throw new FormatException($"'{rest[1]}' is not a timestamp")
            : null;
        return (name, labels, number, timestamp);
    }

    /// <summary>A sample value: a decimal or exponent number, NaN, or +Inf/-Inf (Go's ParseFloat spellings).</summary>
    public static double ParseValue(string text) => text.ToLowerInvariant() switch
    {
        "nan" => double.NaN,
        "+inf" or "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value : throw new FormatException($"'{text}' is not a number"),
    };

    private static bool IsName(string name, bool allowColon) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':'));

    private static void SkipBlanks(string line, ref int i)
    {
        while (i < line.Length && line[i] is ' ' or '\t') i++;
    }

    private static void Expect(string line, ref int i, char expected)
    {
        if (i >= line.Length || line[i] != expected)
            throw new FormatException($"expected '{expected}' at column {i + 1}");
        i++;
    }

    /// <summary>A HELP text's escapes: \\ and \n; any other backslash stays as it is.</summary>
    private static string UnescapeHelp(string text)
    {
        var result = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is 'n' or '\\')
                result.Append(text[++i] == 'n' ? '\n' : '\\');
            else
                result.Append(text[i]);
        }
        return result.ToString();
    }

    private static string Shorten(string line) => line.Length <= 120 ? line : line[..120] + "…";
}
