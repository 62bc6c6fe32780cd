using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Filtering;

/// <summary>Helpers for cmdlets that build, combine and translate Milvus filter expressions.</summary>
public static class FilterExpression
{
    /// <summary>The fields of the pattern schema a filter may name, and where the embedded store keeps them.</summary>
    public static readonly IReadOnlyList<FilterField> PatternFields =
    [
        new(PatternSchema.PatternId, "pattern_id", FilterFieldKind.VarChar),
        new(PatternSchema.PatternType, "pattern_type", FilterFieldKind.VarChar),
        new(PatternSchema.CoherenceMetrics, "coherence_metrics", FilterFieldKind.Json),
        new(PatternSchema.TemporalContext, "temporal_context", FilterFieldKind.Json),
        new(PatternSchema.Vector, "vector", FilterFieldKind.FloatVector),
    ];

    /// <summary>
    /// Parses <paramref name="expression"/> and translates it to SQLite for the embedded store.
    /// Returns null when the expression is null, empty or whitespace ("no filter").
    /// </summary>
    /// <exception cref="MilvusOpsException">FilterSyntaxError, FilterFieldNotFound, FilterFieldNotFilterable, FilterNotSupported, FilterTypeMismatch or FilterTooComplex.</exception>
    public static SqlFilter? ToSqlite(string? expression, IReadOnlyList<FilterField> fields) =>
        ParsedFilter.Parse(expression, fields)?.ToSqlite();

    /// <summary>
    /// Checks an expression against the fields, for any backend: the errors of <see cref="ParsedFilter.Parse"/>, not
    /// the embedded store's FilterNotSupported for what only SQLite cannot evaluate.
    /// </summary>
    public static void Validate(string? expression, IReadOnlyList<FilterField> fields) => _ = ParsedFilter.Parse(expression, fields);

    /// <summary>
    /// Combines two expressions as <c>(left) and (right)</c>. When one is null, empty or whitespace
    /// the other is returned unchanged (trimmed); when both are, the result is the empty string.
    /// </summary>
    public static string And(string? left, string? right)
    {
        bool hasLeft = !string.IsNullOrWhiteSpace(left);
        bool hasRight = !string.IsNullOrWhiteSpace(right);
        return (hasLeft, hasRight) switch
        {
            (true, true) => $"({left!.Trim()}) and ({right!.Trim()})",
            (true, false) => left!.Trim(),
            (false, true) => right!.Trim(),
            _ => "",
        };
    }

    /// <summary>
    /// Writes a double as a Milvus float literal: invariant culture, shortest round-trip digits,
    /// always with a '.' or an exponent so that it reads back as a float (1 becomes "1.0",
    /// 1E-05 stays "1E-05"). Negative values start with '-', which the language reads as unary minus.
    /// </summary>
    /// <exception cref="MilvusOpsException">FilterInvalidLiteral for NaN or an infinity, which have no literal.</exception>
    public static string FormatDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new MilvusOpsException(FilterErrors.InvalidLiteralId, ErrorKind.InvalidArgument,
                $"The number {value.ToString(CultureInfo.InvariantCulture)} cannot be written in a filter expression.", value);
        }

        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.AsSpan().IndexOfAny('.', 'E', 'e') >= 0 ? text : text + ".0";
    }

    /// <summary>
    /// Writes a string as a double-quoted Milvus string literal, escaping quotes, backslashes and
    /// control characters. (In a like pattern, escape % and _ yourself as \% and \_.)
    /// </summary>
    public static string FormatString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (char.IsControl(c))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
