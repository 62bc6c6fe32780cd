using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// Writes a filter tree back as canonical, fully parenthesized Milvus expression text. The text
/// parses back to an equal tree, and it is what the Milvus store sends (<see cref="ParsedFilter.Text"/>),
/// so it keeps to Milvus 2.5's grammar: lower-case keywords, "is not null" and "not in" with single
/// spaces, JSON paths written without spaces (a JSONIdentifier, as a range's middle operand must be).
/// </summary>
internal static class FilterFormatter
{
    public static string Format(FilterNode node) => node switch
    {
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
        LikeNode l => "(" + Format(l.Value) + " like " + FormatLikePattern(l.Pattern) + ")",
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
              .Append(segment.IsKey ? FilterExpression.FormatString(segment.Key!) : segment.Index.ToString(CultureInfo.InvariantCulture))
              .Append(']');
        }

        return sb.ToString();
    }

    // A like pattern keeps its \% and \_ escapes as written, so only quotes and other backslashes
    // need escaping for it to read back the same.
    private static string FormatLikePattern(string pattern)
    {
        // The pattern keeps \% and \_ as written (the lexer does not decode them), and FormatString
        // would double their backslash; undo that so the text reads back to the same pattern.
        string quoted = FilterExpression.FormatString(pattern);
        return quoted.Replace("\\\\%", "\\%", StringComparison.Ordinal).Replace("\\\\_", "\\_", StringComparison.Ordinal);
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
