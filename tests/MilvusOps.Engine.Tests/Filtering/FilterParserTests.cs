using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

public sealed class FilterParserTests
{
    private static string Canonical(string expression) => FilterFormatter.Format(FilterParser.Parse(expression)!);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   \t\r\n ")]
    public void EmptyExpressionIsNoFilter(string? expression)
    {
        Assert.Null(FilterParser.Parse(expression));
        Assert.Null(FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields));
    }

    [Theory]
    // Precedence: not > arithmetic > comparison > and > or.
    [InlineData("a > 1 and b < 2 or c == 3", "(((a > 1) and (b < 2)) or (c == 3))")]
    [InlineData("a == 1 or b == 2 and c == 3", "((a == 1) or ((b == 2) and (c == 3)))")]
    [InlineData("(a == 1 or b == 2) and c == 3", "(((a == 1) or (b == 2)) and (c == 3))")]
    [InlineData("a == 1 and b == 2 and c == 3", "(((a == 1) and (b == 2)) and (c == 3))")]
    [InlineData("not (a == 1) and b == 2", "((not (a == 1)) and (b == 2))")]
    [InlineData("not a == b", "((not a) == b)")]
    [InlineData("not not (a > 1)", "(not (not (a > 1)))")]
    // Constants fold as Milvus folds them: int64 arithmetic truncates and wraps, ** binds tighter than unary minus.
    [InlineData("1 + 2 * 3 > x - -4 / 2", "(7 > (x - -2))")]
    [InlineData("x > 7 / 2 + 7 % -4 + 0.5", "(x > 6.5)")]
    [InlineData("-2 ** 2 == x", "(-4 == x)")]
    [InlineData("2 ** 3 ** 2 == x", "(64 == x)")]
    [InlineData("2 ** -1 == x", "(0.5 == x)")]
    [InlineData("x == 2 ** 63", "(x == (-9223372036854775807 - 1))")]
    [InlineData("x == 9223372036854775807 + 1", "(x == (-9223372036854775807 - 1))")]
    [InlineData("x in [1 + 1, 2 * 3, -(1), 1 < 2, not true]", "(x in [2, 6, -1, true, false])")]
    [InlineData("1 + 1 < x <= 2 * 2", "(2 < x <= 4)")]
    [InlineData("x == (1 < 2)", "(x == true)")]
    [InlineData("1 < 2", "(1 < 2)")]
    [InlineData("not false", "(not false)")]
    [InlineData("a - b - c % 2 == 0", "(((a - b) - (c % 2)) == 0)")]
    [InlineData("-(a) < +5", "((-a) < 5)")]
    [InlineData("- 3 == a", "(-3 == a)")]
    [InlineData("m[\"a\"] * 2 > 1.5", "((m[\"a\"] * 2) > 1.5)")]
    [InlineData("m[\"a\"] + m[\"b\"] >= 1.8", "((m[\"a\"] + m[\"b\"]) >= 1.8)")]
    // Chained ranges are normalized to ascending order.
    [InlineData("0.9 <= m[\"q\"] < 1", "(0.9 <= m[\"q\"] < 1)")]
    [InlineData("1 < x <= 5", "(1 < x <= 5)")]
    [InlineData("5 > x >= 1", "(1 <= x < 5)")]
    [InlineData("5 >= x > 1", "(1 < x <= 5)")]
    [InlineData("\"a\" <= name < \"b\" and x == 1", "((\"a\" <= name < \"b\") and (x == 1))")]
    // in, like, exists, is null, functions.
    [InlineData("x in [1, \"a\", true, 2.5,]", "(x in [1, \"a\", true, 2.5])")]
    [InlineData("x IN [ ]", "(x in [])")]
    [InlineData("x not in [-1, -2.5]", "(x not in [-1, -2.5])")]
    [InlineData("x NOT IN [1]", "(x not in [1])")]
    [InlineData("x like 'a%'", "(x like \"a%\")")]
    [InlineData("x LIKE \"a\\\\%b\\\\_\"", "(x like \"a\\\\%b\\\\_\")")]
    [InlineData("not x like 'a%'", "(not (x like \"a%\"))")]
    [InlineData("x !in [1] and x NOT in [2]", "((x not in [1]) and (x not in [2]))")]
    [InlineData("exists m[\"k\"][\"j\"][0]", "(exists m[\"k\"][\"j\"][0])")]
    [InlineData("EXISTS m['k'] and x > 1", "((exists m[\"k\"]) and (x > 1))")]
    [InlineData("x is null or y IS NOT NULL", "((x is null) or (y is not null))")]
    [InlineData("not m[\"a\"] IS NULL", "(not (m[\"a\"] is null))")]
    [InlineData("m[\"a\"][0] == 1", "(m[\"a\"][0] == 1)")]
    [InlineData("m['it\\'s'][\"a\\\"b\"]['c\"d'] == 1", "(m[\"it\\'s\"][\"a\\\"b\"][\"c\\u0022d\"] == 1)")]
    [InlineData("empty(x) or STARTS_WITH(x, \"b\",) or Empty(\"\")", "((empty(x) or STARTS_WITH(x, \"b\")) or Empty(\"\"))")]
    [InlineData("json_contains(m[\"t\"], 2 * 3)", "json_contains(m[\"t\"], 6)")]
    [InlineData("json_contains(m[\"t\"], 1) && !JSON_CONTAINS_ANY(m[\"t\"], [1,2]) || array_length(m[\"a\"]) > 2",
        "((json_contains(m[\"t\"], 1) and (not JSON_CONTAINS_ANY(m[\"t\"], [1, 2]))) or (array_length(m[\"a\"]) > 2))")]
    [InlineData("json_contains_all(m, [[1, 2], []])", "json_contains_all(m, [[1, 2], []])")]
    [InlineData("ARRAY_CONTAINS_ALL(m[\"x\"], [\"a\"])", "ARRAY_CONTAINS_ALL(m[\"x\"], [\"a\"])")]
    [InlineData("ARRAY_LENGTH(m) == 0", "(ARRAY_LENGTH(m) == 0)")]
    public void ParsesWithPrecedence(string expression, string canonical)
    {
        Assert.Equal(canonical, Canonical(expression));
        Assert.Equal(canonical, Canonical(canonical)); // the canonical form reads back the same
    }

    [Theory]
    [InlineData("a == 1 and b == 2")]
    [InlineData("a == 1 AND b == 2")]
    [InlineData("a == 1 && b == 2")]
    [InlineData("a==1&&b==2")]
    public void AndSpellings(string expression) => Assert.Equal("((a == 1) and (b == 2))", Canonical(expression));

    [Theory]
    [InlineData("a == 1 or b == 2")]
    [InlineData("a == 1 OR b == 2")]
    [InlineData("a == 1 || b == 2")]
    public void OrSpellings(string expression) => Assert.Equal("((a == 1) or (b == 2))", Canonical(expression));

    [Theory]
    [InlineData("not (a == 1)")]
    [InlineData("NOT (a == 1)")]
    [InlineData("!(a == 1)")]
    [InlineData("! (a == 1)")]
    public void NotSpellings(string expression) => Assert.Equal("(not (a == 1))", Canonical(expression));

    [Theory]
    [InlineData("a == b", "Equal")]
    [InlineData("a != b", "NotEqual")]
    [InlineData("a < b", "Less")]
    [InlineData("a <= b", "LessOrEqual")]
    [InlineData("a > b", "Greater")]
    [InlineData("a >= b", "GreaterOrEqual")]
    [InlineData("a>=b", "GreaterOrEqual")]
    public void ComparisonOperators(string expression, string op) =>
        Assert.Equal(op, Assert.IsType<ComparisonNode>(FilterParser.Parse(expression)).Op.ToString());

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    [InlineData("FALSE", false)]
    public void Booleans(string expression, bool value) =>
        Assert.Equal(value, Assert.IsType<BoolLiteral>(FilterParser.Parse(expression)).Value);

    [Theory]
    [InlineData("tRUE")]
    [InlineData("And")]
    public void OtherCasingsAreFieldNames(string expression) =>
        Assert.Equal(expression, Assert.IsType<FieldNode>(FilterParser.Parse(expression)).Name);

    [Theory]
    [InlineData("42", 42L)]
    [InlineData("0", 0L)]
    [InlineData("0x1F", 31L)]
    [InlineData("0XfF", 255L)]
    [InlineData("0b101", 5L)]
    [InlineData("017", 15L)]
    [InlineData("-7", -7L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775807 - 1", long.MinValue)]
    [InlineData("7 / -2", -3L)]
    [InlineData("-7 % 3", -1L)]
    [InlineData("2 ** 10", 1024L)]
    public void Integers(string expression, long value) =>
        Assert.Equal(value, Assert.IsType<IntegerLiteral>(FilterParser.Parse(expression)).Value);

    [Theory]
    [InlineData("1.5", 1.5)]
    [InlineData("1e-3", 0.001)]
    [InlineData("1E+2", 100.0)]
    [InlineData("2.5e1", 25.0)]
    [InlineData(".5", 0.5)]
    [InlineData("5.", 5.0)]
    [InlineData("-0.25", -0.25)]
    [InlineData("0x1p3", 8.0)]
    [InlineData("0x1.8p1", 3.0)]
    [InlineData("0X.8P0", 0.5)]
    [InlineData("1 / 2.0", 0.5)]
    public void Floats(string expression, double value) =>
        Assert.Equal(value, Assert.IsType<FloatLiteral>(FilterParser.Parse(expression)).Value);

    [Theory]
    [InlineData("\"plain\"", "plain")]
    [InlineData("'plain'", "plain")]
    [InlineData("\"say \\\"hi\\\"\"", "say \"hi\"")]
    [InlineData("'it\\'s'", "it's")]
    [InlineData("'mixed \"quotes\"'", "mixed \"quotes\"")]
    [InlineData("\"it's\"", "it's")]
    [InlineData("\"back\\\\slash\"", "back\\slash")]
    [InlineData("\"tab\\there\\nnext\\r\"", "tab\there\nnext\r")]
    [InlineData("\"\\u00e9t\\u00C9\"", "étÉ")]
    [InlineData("\"\\U0001F600\"", "\U0001F600")]
    [InlineData("\"\\x41\"", "A")]
    [InlineData("\"100\\\\%\"", "100\\%")]
    [InlineData("\"\\101\\x42\\u0043\\U00000044\"", "ABCD")]
    [InlineData("\"\\303\\267\"", "÷")]
    [InlineData("\"\\xc3\\xb7\"", "÷")]
    [InlineData("\"\\x414\"", "A4")]
    [InlineData("\"\\a\\b\\f\\v\"", "\a\b\f\v")]
    [InlineData("\"\"", "")]
    [InlineData("''", "")]
    public void Strings(string expression, string value) =>
        Assert.Equal(value, Assert.IsType<StringLiteral>(FilterParser.Parse(expression)).Value);

    [Fact]
    public void JsonPaths()
    {
        var field = Assert.IsType<FieldNode>(FilterParser.Parse("temporal_context[\"a\"]['b'][0][12]"));
        Assert.Equal("temporal_context", field.Name);
        Assert.Equal(["a", "b", null, null], field.Path.Select(s => s.Key));
        Assert.Equal([-1L, -1L, 0L, 12L], field.Path.Select(s => s.Index));

        // As Milvus reads them: the text between the quotes, with only \uXXXX decoded.
        var raw = Assert.IsType<FieldNode>(FilterParser.Parse("m[\"a\\\"b\\\\c\\u0041\\n\"]"));
        Assert.Equal("a\\\"b\\\\cA\\n", Assert.Single(raw.Path).Key);
    }

    [Fact]
    public void RangeNormalizesBoundsAndInclusiveness()
    {
        var range = Assert.IsType<RangeNode>(FilterParser.Parse("5 > x >= 1"));
        Assert.Equal(1L, Assert.IsType<IntegerLiteral>(range.Lower).Value);
        Assert.True(range.LowerInclusive);
        Assert.Equal(5L, Assert.IsType<IntegerLiteral>(range.Upper).Value);
        Assert.False(range.UpperInclusive);
        Assert.Equal("x", range.Field.Name);
    }

    [Fact]
    public void NodesRecordPositions()
    {
        var or = Assert.IsType<LogicalNode>(FilterParser.Parse("  a == 1 or not (b in [2])"));
        Assert.Equal(2, or.Position);
        var not = Assert.IsType<NotNode>(or.Right);
        Assert.Equal(12, not.Position);
        var inNode = Assert.IsType<InNode>(not.Operand);
        Assert.Equal(17, inNode.Position);
        Assert.Equal(23, inNode.Items[0].Position);
    }
}
