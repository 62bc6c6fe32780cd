namespace MilvusOps.Engine.Filtering;

// The abstract syntax tree of a Milvus boolean filter expression. Every node records the 0-based
// character position where it starts in the source expression, for error messages.
// FilterFormatter turns a tree back into canonical, fully parenthesized text.

internal abstract record FilterNode(int Position);

/// <summary>A constant: integer, float, string, boolean or list of constants.</summary>
internal abstract record LiteralNode(int Position) : FilterNode(Position);

internal sealed record IntegerLiteral(int Position, long Value) : LiteralNode(Position);

internal sealed record FloatLiteral(int Position, double Value) : LiteralNode(Position);

internal sealed record StringLiteral(int Position, string Value) : LiteralNode(Position);

internal sealed record BoolLiteral(int Position, bool Value) : LiteralNode(Position);

internal sealed record ListLiteral(int Position, IReadOnlyList<LiteralNode> Items) : LiteralNode(Position);

/// <summary>
/// One step of a JSON path: a key (<c>["k"]</c>) or an array index (<c>[0]</c>). As in Milvus 2.5, a key is the text
/// between its quotes as written, escapes and all, with only <c>\uXXXX</c> decoded (Milvus does not unquote JSON keys:
/// <c>["a\"b"]</c> names the key <c>a\"b</c>). <paramref name="Source"/> is that text with its quotes, as written, so
/// the canonical text gives Milvus the very same key; null for a key built in code, which is written with <c>\uXXXX</c>
/// escapes where needed.
/// </summary>
internal readonly record struct JsonPathSegment(string? Key, long Index, string? Source = null)
{
    public bool IsKey => Key is not null;

    public static JsonPathSegment ForKey(string key) => new(key, -1);

    public static JsonPathSegment ForIndex(long index) => new(null, index);
}

/// <summary>A field, optionally followed by a JSON path: <c>meta["a"]["b"][0]</c>.</summary>
internal sealed record FieldNode(int Position, string Name, IReadOnlyList<JsonPathSegment> Path) : FilterNode(Position);

internal enum ArithmeticOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

internal sealed record ArithmeticNode(int Position, ArithmeticOp Op, FilterNode Left, FilterNode Right) : FilterNode(Position);

/// <summary>
/// Unary minus on something that is not a numeric constant (constants are folded by the parser). Milvus 2.5 refuses it
/// on a field; the node exists so that the check can say so.
/// </summary>
internal sealed record NegateNode(int Position, FilterNode Operand) : FilterNode(Position);

internal enum ComparisonOp
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

internal sealed record ComparisonNode(int Position, ComparisonOp Op, FilterNode Left, FilterNode Right) : FilterNode(Position);

/// <summary>
/// A chained range, normalized to ascending order: <c>Lower &lt;(=) Field &lt;(=) Upper</c>.
/// <c>5 &gt; x &gt;= 1</c> becomes Lower=1 (inclusive), Upper=5 (exclusive).
/// </summary>
internal sealed record RangeNode(int Position, LiteralNode Lower, bool LowerInclusive, FieldNode Field, LiteralNode Upper, bool UpperInclusive)
    : FilterNode(Position);

internal enum LogicalOp
{
    And,
    Or,
}

internal sealed record LogicalNode(int Position, LogicalOp Op, FilterNode Left, FilterNode Right) : FilterNode(Position);

internal sealed record NotNode(int Position, FilterNode Operand) : FilterNode(Position);

/// <summary><c>value in [..]</c> or, with <paramref name="Negated"/>, <c>value not in [..]</c> (= not (value in [..])).</summary>
internal sealed record InNode(int Position, FilterNode Value, IReadOnlyList<LiteralNode> Items, bool Negated) : FilterNode(Position);

/// <summary><c>value like "pattern"</c>; <paramref name="Pattern"/> is the decoded string literal.</summary>
internal sealed record LikeNode(int Position, FilterNode Value, StringLiteral Pattern) : FilterNode(Position);

internal sealed record ExistsNode(int Position, FieldNode Field) : FilterNode(Position);

internal sealed record IsNullNode(int Position, FieldNode Field, bool Negated) : FilterNode(Position);

internal enum FilterFunction
{
    JsonContains,
    JsonContainsAll,
    JsonContainsAny,
    ArrayLength,

    /// <summary><c>empty(s)</c>: a VarChar is the empty string (Milvus 2.5's function registry, any casing).</summary>
    Empty,

    /// <summary><c>starts_with(s, prefix)</c> on VarChars (Milvus 2.5's function registry, any casing).</summary>
    StartsWith,
}

/// <summary>A call of a supported function; <paramref name="Name"/> is the spelling used.</summary>
internal sealed record FunctionNode(int Position, FilterFunction Function, string Name, IReadOnlyList<FilterNode> Arguments)
    : FilterNode(Position);
