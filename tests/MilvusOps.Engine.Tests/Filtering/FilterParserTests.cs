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
    [InlineData("1 + 2 * 3 > x - -4 / 2", "((1 + (2 * 3)) > (x - (-4 / 2)))")]
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
    [InlineData("x LIKE \"a\\%b\\_\"", "(x like \"a\\%b\\_\")")]
    [InlineData("exists m[\"k\"][\"j\"][0]", "(exists m[\"k\"][\"j\"][0])")]
    [InlineData("EXISTS m['k'] and x > 1", "((exists m[\"k\"]) and (x > 1))")]
    [InlineData("x is null or y IS NOT NULL", "((x is null) or (y is not null))")]
    [InlineData("x IS null", "(x is null)")]
    [InlineData("m [\"a\"] [ 0 ] == 1", "(m[\"a\"][0] == 1)")]
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
    [InlineData("\"100\\%\"", "100\\%")]
    [InlineData("\"\"", "")]
    [InlineData("''", "")]
    public void Strings(string expression, string value) =>
        Assert.Equal(value, Assert.IsType<StringLiteral>(FilterParser.Parse(expression)).Value);

    [Fact]
    public void JsonPaths()
    {
        var field = Assert.IsType<FieldNode>(FilterParser.Parse("temporal_context[\"a\"]['b'][0][12]"));
        Assert.Equal("temporal_context", field.Name);
        Assert.Equal(
            [JsonPathSegment.ForKey("a"), JsonPathSegment.ForKey("b"), JsonPathSegment.ForIndex(0), JsonPathSegment.ForIndex(12)],
            field.Path);
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
