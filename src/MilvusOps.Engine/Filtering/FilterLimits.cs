using System.Globalization;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// The bounds a filter must stay within. Milvus 2.5 has no limit of its own on an expression: its plan parser
/// (internal/parser/planparserv2, branch 2.5) takes any length and depth, and the only bound is the proxy's gRPC
/// message size (proxy.grpc.serverMaxRecvSize, 64 MiB in configs/milvus.yaml), past which the whole request is refused.
/// (Milvus 3.0 adds a nesting limit, proxy.maxExpressionDepth.) So:
/// <list type="bullet">
/// <item><see cref="MaxLength"/> refuses a filter for its size, as Milvus refuses a request, but at 16 MiB rather than
/// 64: a 64 MiB list of numbers would hold gigabytes of syntax tree here. 16 MiB is a list of hundreds of thousands
/// of ids;</item>
/// <item><see cref="MaxNesting"/> and <see cref="MaxDepth"/> are MilvusOps' own, so that no filter can exhaust the
/// stack of the parser or of a walker over its tree (checker, translator, formatter), nor reach SQLite's expression
/// depth (1000). Milvus accepts deeper filters (its Go parser recurses until its 1 GB stack runs out); these are
/// far above what a person writes, and a long <c>and</c>/<c>or</c> chain stays shallow (it is a balanced tree);</item>
/// <item><see cref="MaxSqlParameters"/> is the embedded store's alone.</item>
/// </list>
/// Past each, the error is FilterTooComplex (LimitsExceeded), the kind of Milvus's refusal of an oversized request.
/// </summary>
internal static class FilterLimits
{
    /// <summary>16 MiB, in UTF-8 bytes of the expression, as gRPC counts a message (Milvus's own limit is its 64 MiB message).</summary>
    public const int MaxLength = 16 * 1024 * 1024;

    /// <summary>
    /// The depth of the syntax tree: every walker recurses once per level, and the translator adds a few SQL levels
    /// per tree level, so 128 keeps the SQL far below SQLite's expression depth of 1000, and the deepest tree's
    /// parse, check, SQL and canonical text within a 1 MB stack (a Windows thread's) even in a debug build.
    /// </summary>
    public const int MaxDepth = 128;

    /// <summary>
    /// Open parentheses, brackets, function calls and prefix operators (not, !, -, +, exists) at any point
    /// of the text, which bound the parser's own recursion. Twice <see cref="MaxDepth"/>, because the
    /// canonical text of a tree (FilterFormatter) opens up to two per level, as in (not (...)).
    /// </summary>
    public const int MaxNesting = 2 * MaxDepth;

    /// <summary>
    /// Distinct values and JSON paths the embedded store binds as SQL parameters. Equal values share one, an
    /// <c>in</c> list longer than a few items is one JSON array, and so is an or chain of <c>field == value</c>, so
    /// only other shapes count one per value. SQLite allows 32,766, but looks each up by a linear scan when it
    /// prepares and binds the statement: 10,000 take about half a second, 32,000 several. Only the embedded store
    /// checks it; a Milvus connection sends such a filter.
    /// </summary>
    public const int MaxSqlParameters = 10_000;

    public const string TooComplexId = "FilterTooComplex";

    public static MilvusOpsException TooComplex(string what, long value, int limit, string? expression) =>
        new(TooComplexId, ErrorKind.LimitsExceeded,
            string.Create(CultureInfo.InvariantCulture, $"The filter is too complex: its {what} reaches {value:N0}; the limit is {limit:N0}."),
            expression);

    public static void CheckLength(string expression)
    {
        // A UTF-8 character takes at most 3 bytes per UTF-16 unit: count the bytes only when it could matter.
        if (expression.Length > MaxLength / 3 && System.Text.Encoding.UTF8.GetByteCount(expression) is var bytes && bytes > MaxLength)
        {
            throw TooComplex("length in UTF-8 bytes", bytes, MaxLength, expression);
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
                // A scalar literal is a leaf one level down: no need to visit each of a long list's items.
                if (child is LiteralNode and not ListLiteral)
                {
                    if (depth + 1 > MaxDepth)
                    {
                        throw TooComplex("syntax tree depth", depth + 1, MaxDepth, expression);
                    }

                    continue;
                }

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
        InNode i => i.Items.Prepend(i.Value),
        LikeNode l => [l.Value],
        ExistsNode e => [e.Field],
        IsNullNode n => [n.Field],
        FunctionNode f => f.Arguments,
        _ => [],
    };
}
