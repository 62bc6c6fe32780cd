using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// Writes a filter tree back as canonical, fully parenthesized Milvus expression text. The text
/// parses back to an equal tree, and it is what the Milvus store sends (<see cref="ParsedFilter.Text"/>),
/// so it keeps to Milvus 2.5's grammar: lower-case keywords, "is not null" and "not in" with single
/// spaces, JSON paths written without spaces (a JSONIdentifier, as a range's middle operand must be) and with their
/// keys as written (Milvus reads a key's text, not its unquoted value), strings with the escapes Go's Unquote reads.
/// </summary>
internal static class FilterFormatter
{
    public static string Format(FilterNode node) => node switch
    {
        // -2^63 has no literal (2^63 does not fit an int64), so it is written as an expression Milvus folds back.
        IntegerLiteral { Value: long.MinValue } => "(-9223372036854775807 - 1)",
        IntegerLiteral i => i.Value.ToString(CultureInfo.InvariantCulture),
        FloatLiteral f => FilterExpression.FormatDouble(f.Value),
        StringLiteral s => FilterExpression.FormatString(s.Value),
        BoolLiteral b => b.Value ? "true" : "false",
        ListLiteral l => "[" + string.Join(", ", l.Items.Select(Format)) + "]",
        FieldNode f => FormatField(f),
        NegateNode n => "(-" + Format(n.Operand) + ")",
        ArithmeticNode a => "(" + Format(a.Left) + " " + Symbol(a.Op) + " " + Format(a.Right) + ")",
        ComparisonNode c => "(" + Format(c.Left) + " " + Symbol(c.Op) + " " + Format(c.Right) + ")",
        RangeNode r => "(" + Format(r.Lower) + (r.LowerInclusive ? " <= " : " < ") + Format(r.Field)
            + (r.UpperInclusive ? " <= " : " < ") + Format(r.Upper) + ")",
        LogicalNode l => "(" + Format(l.Left) + (l.Op == LogicalOp.And ? " and " : " or ") + Format(l.Right) + ")",
        NotNode n => "(not " + Format(n.Operand) + ")",
        InNode i => "(" + Format(i.Value) + (i.Negated ? " not in [" : " in [") + string.Join(", ", i.Items.Select(Format)) + "])",
        LikeNode l => "(" + Format(l.Value) + " like " + FilterExpression.FormatString(l.Pattern) + ")",
        ExistsNode e => "(exists " + Format(e.Field) + ")",
        IsNullNode n => "(" + Format(n.Field) + (n.Negated ? " is not null)" : " is null)"),
        FunctionNode f => f.Name + "(" + string.Join(", ", f.Arguments.Select(Format)) + ")",
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "Unknown filter node."),
    };

    private static string FormatField(FieldNode field)
    {
        var sb = new StringBuilder(field.Name);
        foreach (JsonPathSegment segment in field.Path)
        {
            sb.Append('[')
              .Append(segment.IsKey ? segment.Source ?? FormatKey(segment.Key!) : segment.Index.ToString(CultureInfo.InvariantCulture))
              .Append(']');
        }

        return sb.ToString();
    }

    /// <summary>
    /// A JSON key built in code, quoted so that Milvus reads it back: Milvus takes the text between the quotes as the
    /// key and decodes only \uXXXX in it, so quotes, backslashes and control characters are written as \uXXXX.
    /// </summary>
    internal static string FormatKey(string key)
    {
        if (key.Length == 0 || key.Contains("][", StringComparison.Ordinal))
        {
            throw FilterErrors.InvalidLiteral($"The JSON key {FilterExpression.FormatString(key)} cannot be written in a filter: Milvus refuses an empty key and splits keys at \"][\".", key);
        }

        var sb = new StringBuilder(key.Length + 2).Append('"');
        for (int i = 0; i < key.Length; i++)
        {
            char c = key[i];
            if (char.IsSurrogate(c))
            {
                // A pair is written as it is (a \u escape of half a pair would decode to U+FFFD); half a pair has no text.
                if (!char.IsHighSurrogate(c) || i + 1 >= key.Length || !char.IsLowSurrogate(key[i + 1]))
                {
                    throw FilterErrors.InvalidLiteral($"The JSON key at hand holds half of a UTF-16 surrogate pair, which a filter cannot hold.", key);
                }

                sb.Append(c).Append(key[++i]);
            }
            else if (c is '"' or '\\' or '\'' || char.IsControl(c))
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('"').ToString();
    }

    internal static string Symbol(ArithmeticOp op) => op switch
    {
        ArithmeticOp.Add => "+",
        ArithmeticOp.Subtract => "-",
        ArithmeticOp.Multiply => "*",
        ArithmeticOp.Divide => "/",
        _ => "%",
    };

    internal static string Symbol(ComparisonOp op) => op switch
    {
        ComparisonOp.Equal => "==",
        ComparisonOp.NotEqual => "!=",
        ComparisonOp.Less => "<",
        ComparisonOp.LessOrEqual => "<=",
        ComparisonOp.Greater => ">",
        _ => ">=",
    };
}
