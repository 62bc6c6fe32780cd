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
    public static string Format(FilterNode node) => new Writer(null, null).Write(node);

    /// <summary>
    /// The canonical text with each placeholder literal written as its {name} (<see cref="FilterTemplates"/>);
    /// <paramref name="used"/> collects the names the text holds.
    /// </summary>
    public static string Format(FilterNode node, IReadOnlyDictionary<object, string> templates, ISet<string> used) =>
        new Writer(templates, used).Write(node);

    private sealed class Writer(IReadOnlyDictionary<object, string>? templates, ISet<string>? used)
    {
        public string Write(FilterNode node) => Placeholder(node) ?? node switch
        {
            // -2^63 has no literal (2^63 does not fit an int64), so it is written as an expression Milvus folds back.
            IntegerLiteral { Value: long.MinValue } => "(-9223372036854775807 - 1)",
            IntegerLiteral i => i.Value.ToString(CultureInfo.InvariantCulture),
            FloatLiteral f => FilterExpression.FormatDouble(f.Value),
            StringLiteral s => FilterExpression.FormatString(s.Value),
            BoolLiteral b => b.Value ? "true" : "false",
            ListLiteral l => "[" + string.Join(", ", l.Items.Select(Write)) + "]",
            FieldNode f => FormatField(f),
            NegateNode n => "(-" + Write(n.Operand) + ")",
            ArithmeticNode a => "(" + Write(a.Left) + " " + Symbol(a.Op) + " " + Write(a.Right) + ")",
            ComparisonNode c => "(" + Write(c.Left) + " " + Symbol(c.Op) + " " + Write(c.Right) + ")",
            RangeNode r => "(" + Write(r.Lower) + (r.LowerInclusive ? " <= " : " < ") + Write(r.Field)
                + (r.UpperInclusive ? " <= " : " < ") + Write(r.Upper) + ")",
            LogicalNode l => "(" + Write(l.Left) + (l.Op == LogicalOp.And ? " and " : " or ") + Write(l.Right) + ")",
            NotNode n => "(not " + Write(n.Operand) + ")",
            InNode i => "(" + Write(i.Value) + (i.Negated ? " not in " : " in ")
                + (Placeholder(i.Items) ?? "[" + string.Join(", ", i.Items.Select(Write)) + "]") + ")",
            LikeNode l => "(" + Write(l.Value) + " like " + Write(l.Pattern) + ")",
            ExistsNode e => "(exists " + Write(e.Field) + ")",
            IsNullNode n => "(" + Write(n.Field) + (n.Negated ? " is not null)" : " is null)"),
            FunctionNode f => f.Name + "(" + string.Join(", ", f.Arguments.Select(Write)) + ")",
            _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "Unknown filter node."),
        };

        private string? Placeholder(object nodeOrItems)
        {
            if (templates is null || !templates.TryGetValue(nodeOrItems, out string? name)) return null;
            used?.Add(name);
            return "{" + name + "}";
        }
    }

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
