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
    /// The depth of the syntax tree: every walker recurses once per level. The translator adds at most a
    /// few SQL levels per tree level, so 64 keeps the SQL far below SQLite's expression depth of 1000.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>
    /// Open parentheses, brackets, function calls and prefix operators (not, !, -, +, exists) at any point
    /// of the text, which bound the parser's own recursion. Twice <see cref="MaxDepth"/>, because the
    /// canonical text of a tree (FilterFormatter) opens up to two per level, as in (not (...)).
    /// </summary>
    public const int MaxNesting = 2 * MaxDepth;

    /// <summary>
    /// SQL parameters (literals and JSON paths) one filter may use. SQLite allows 32,766 by default, but
    /// binding them by name takes time quadratic in their number (about 10 s for 32,000), so 10,000.
    /// <see cref="FilterChecker"/> counts them, so the limit is the same on both backends.
    /// </summary>
    public const int MaxSqlParameters = 10_000;

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
                throw TooComplex("syntax tree depth", depth, MaxDepth, expression);
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
