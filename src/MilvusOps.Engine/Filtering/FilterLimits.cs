using System.Globalization;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// The bounds a filter must stay within, so that no expression can exhaust the stack of the parser or
/// of any walker over its tree (translator, formatter), nor produce SQL that SQLite refuses
/// (SQLITE_MAX_EXPR_DEPTH is 1000; the variable limit is 32,766 by default).
/// </summary>
internal static class FilterLimits
{
    /// <summary>Far above any hand-written filter; long id lists belong in -Id, which does not go through the parser.</summary>
    public const int MaxLength = 65_536;

    /// <summary>
    /// Nesting levels: parentheses, prefix operators (not, !, -, +, exists), lists, function calls, and
    /// the depth of the tree they build. The translator adds at most a few SQL levels per tree level,
    /// so 64 keeps the SQL far below SQLite's expression depth of 1000.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>SQL parameters one filter may use: under SQLite's default of 32,766, leaving room for the store's own.</summary>
    public const int MaxSqlParameters = 32_000;

    public const string TooComplexId = "FilterTooComplex";

    public static MilvusOpsException TooComplex(string what, long value, int limit, string? expression) =>
        new(TooComplexId, ErrorKind.LimitsExceeded,
            string.Create(CultureInfo.InvariantCulture, $"The filter is too complex: its {what} reaches {value:N0}; the limit is {limit:N0}."),
            expression);

    public static void CheckLength(string expression)
    {
        if (expression.Length > MaxLength)
        {
            throw TooComplex("length in characters", expression.Length, MaxLength, expression);
        }
    }

    /// <summary>
    /// Measures the tree's depth without recursion (flat chains such as a + b + c ... build deep trees
    /// without any nesting in the text) and refuses one deeper than <see cref="MaxDepth"/>.
    /// </summary>
    public static void CheckDepth(FilterNode root, string? expression)
    {
        var pending = new Stack<(FilterNode Node, int Depth)>();
        pending.Push((root, 1));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            if (depth > MaxDepth)
            {
                throw TooComplex("nesting depth", depth, MaxDepth, expression);
            }

            foreach (FilterNode child in Children(node))
            {
                pending.Push((child, depth + 1));
            }
        }
    }

    private static IEnumerable<FilterNode> Children(FilterNode node) => node switch
    {
        ListLiteral l => l.Items,
        ArithmeticNode a => [a.Left, a.Right],
        NegateNode n => [n.Operand],
        ComparisonNode c => [c.Left, c.Right],
        RangeNode r => [r.Lower, r.Field, r.Upper],
        LogicalNode l => [l.Left, l.Right],
        NotNode n => [n.Operand],
        InNode i => [i.Value, .. i.Items],
        LikeNode l => [l.Value],
        ExistsNode e => [e.Field],
        IsNullNode n => [n.Field],
        FunctionNode f => f.Arguments,
        _ => [],
    };
}
