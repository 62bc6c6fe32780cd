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
    /// A command's filter and one more condition with a placeholder value of its own: <c>(filter) and (condition)</c>.
    /// The filter is parsed alone first, so that text such as <c>a) or (b</c> cannot make the joined text another filter;
    /// in the newest dialect, as the store checks the joined filter in its own.
    /// </summary>
    /// <exception cref="MilvusOpsException">The filter's own errors; FilterInvalidLiteral for a value that is NaN or an
    /// infinity; FilterParameterInvalid when the filter's values already use <paramref name="name"/>.</exception>
    public static PatternFilter And(PatternFilter? filter, string condition, string name, object value)
    {
        if (filter is not null) _ = FilterParser.Parse(filter.Expression, filter.Parameters, FilterDialect.Newest, out _);
        if (value is double number) _ = FormatDouble(number);
        var parameters = new Dictionary<string, object?>(filter?.Parameters ?? new Dictionary<string, object?>(), StringComparer.Ordinal);
        if (!parameters.TryAdd(name, value))
            throw new MilvusOpsException(PatternFilter.InvalidParameterId, ErrorKind.InvalidArgument,
                $"The filter parameter '{name}' is reserved by MilvusOps; give yours another name.", name);
        return new PatternFilter(filter is null ? condition : $"({filter.Expression.Trim()}) and ({condition})", parameters);
    }

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
    /// control characters, with the escapes Milvus 2.5 decodes (Go's strconv.Unquote). In a like pattern, write a
    /// literal % or _ as \\% or \\_ in the text (a backslash and the character in the string).
    /// </summary>
    /// <exception cref="MilvusOpsException">FilterInvalidLiteral for half of a UTF-16 surrogate pair, which has no UTF-8 form.</exception>
    public static string FormatString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length + 2).Append('"');
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsSurrogate(c))
            {
                if (!char.IsHighSurrogate(c) || i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    throw new MilvusOpsException(FilterErrors.InvalidLiteralId, ErrorKind.InvalidArgument,
                        "The string holds half of a UTF-16 surrogate pair, which has no UTF-8 form and cannot be written in a filter expression.", value);
                }

                // Written as \UXXXXXXXX: Milvus 2.5 rewrites a raw Han character outside the BMP as a truncated
                // \uXXXX before it parses (convertHanToASCII), which would change the string.
                sb.Append("\\U").Append(char.ConvertToUtf32(c, value[++i]).ToString("x8", CultureInfo.InvariantCulture));
                continue;
            }

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
