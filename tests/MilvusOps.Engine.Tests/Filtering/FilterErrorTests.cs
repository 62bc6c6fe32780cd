using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

public sealed class FilterErrorTests
{
    private static MilvusOpsException Translate(string expression) =>
        Assert.ThrowsAny<MilvusOpsException>(() => FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields));

    /// <summary>The error of the backend-neutral check, after asserting the embedded store reports the same one.</summary>
    private static MilvusOpsException OnBothBackends(string expression)
    {
        var error = Assert.ThrowsAny<MilvusOpsException>(() => ParsedFilter.Parse(expression, FilterTestDatabase.Fields));
        MilvusOpsException sqlite = Translate(expression);
        Assert.Equal((error.ErrorId, error.Message, error.Target), (sqlite.ErrorId, sqlite.Message, sqlite.Target));
        return error;
    }

    /// <summary>
    /// Filters Milvus evaluates and SQLite cannot (json_each compares scalars, Milvus matches arrays of arrays), with
    /// the ids of FilterTestDatabase they match: the check accepts them, only the embedded store refuses them.
    /// </summary>
    public static TheoryData<string, string, string[]> MilvusOnly => new()
    {
        { "json_contains(temporal_context[\"arr\"], [1, 2])", "list as the element to find", ["p11"] },
        { "json_contains(temporal_context[\"arr\"], [2, 1])", "list as the element to find", [] },
        { "json_contains_any(temporal_context[\"arr\"], [[1, 2], [9]])", "list as an element to find", ["p11"] },
        { "json_contains_all(temporal_context[\"arr\"], [[1, 2], 3])", "list as an element to find", ["p11"] },
        { "pattern_type != \"x\" and json_contains_all(temporal_context[\"arr\"], [[1, 2], 4])", "list as an element to find", [] },
    };

    [Theory]
    [InlineData("pattern_type == ", 16, "a field name, a literal, '(' or 'not'", "end of expression")]
    [InlineData("x in [1, 2 and y", 11, "',' or ']'", "'and'")]
    [InlineData("coherence_metrics[\"q\"] in [0.9, 1 and", 34, "',' or ']'", "'and'")]
    [InlineData("(a > 1", 6, "')'", "end of expression")]
    [InlineData("((a > 1) or (b < 2)", 19, "')'", "end of expression")]
    [InlineData("a > 1)", 5, "end of expression (this ')' has no matching '(')", "')'")]
    [InlineData("(a == 1))", 8, "end of expression (this ')' has no matching '(')", "')'")]
    [InlineData("a > 1 b", 6, "an operator or end of expression", "'b'")]
    [InlineData("a == 1 and", 10, "a field name, a literal, '(' or 'not'", "end of expression")]
    [InlineData("and a == 1", 0, "a field name, a literal, '(' or 'not'", "'and'")]
    [InlineData("pattern_type == \"abc", 16, "a closing \" for the string that starts here", "end of expression")]
    [InlineData("pattern_type == 'abc\\'", 16, "a closing ' for the string that starts here", "end of expression")]
    [InlineData("a = 1", 2, "'==' (a single '=' is not an operator)", "'='")]
    [InlineData("a > 1 @ b", 6, "an operator, a field name or a literal", "'@'")]
    [InlineData("a == 1; DROP TABLE x", 6, "an operator, a field name or a literal", "';'")]
    [InlineData("m[\"k\" > 1", 6, "']'", "'>'")]
    [InlineData("m[k] > 1", 2, "a quoted key or a non-negative array index inside '[ ]'", "'k'")]
    [InlineData("m[-1] > 1", 2, "a quoted key or a non-negative array index inside '[ ]'", "'-'")]
    [InlineData("1 < a > 2", 6, "'and', 'or' or end of expression (a range must continue with '<' or '<=')", "'>'")]
    [InlineData("a == 1 == 2", 7, "'and', 'or' or end of expression (comparisons cannot be chained)", "'=='")]
    [InlineData("a < 1 < 2", 4, "a field in the middle of a range (literal < field < literal)", "'1'")]
    [InlineData("b < a < 2", 0, "a literal as the first bound of a range (literal < field < literal)", "'b'")]
    [InlineData("1 < a < b + 1", 8, "a literal as the second bound of a range (literal < field < literal)", "'b + 1'")]
    [InlineData("a like b", 7, "a quoted pattern after 'like'", "'b'")]
    [InlineData("a is nul", 5, "'null' or 'not null' after 'is'", "'nul'")]
    [InlineData("a is not", 8, "'null' after 'is not'", "end of expression")]
    [InlineData("1 is null", 0, "a field before 'is null'", "'1'")]
    [InlineData("a in 1", 5, "'[' to start the list after 'in'", "'1'")]
    [InlineData("a in [1, b]", 9, "a literal value in the list", "'b'")]
    [InlineData("\"a\\qb\" == x", 2, "an escape sequence (\\\", \\', \\\\, \\n, \\t, \\r, \\uXXXX, \\% or \\_)", "'\\q'")]
    [InlineData("x == \"\\u12\"", 6, "4 hexadecimal digits after '\\u'", "'\\u12\"'")]
    [InlineData("x == 09", 6, "an octal digit (a leading 0 makes an octal integer)", "'9'")]
    [InlineData("x == 1e", 7, "a digit in the exponent", "end of expression")]
    [InlineData("x == 0x", 7, "a hexadecimal digit", "end of expression")]
    [InlineData("x == 9223372036854775808", 5, "an integer between -2^63 and 2^63-1", "'9223372036854775808'")]
    [InlineData("x == 1e999", 5, "a floating-point number within the range of a double", "'1e999'")]
    [InlineData("json_contains(a[\"x\"] 1)", 21, "',' and a second argument to json_contains", "'1'")]
    [InlineData("array_length(a, b) > 1", 14, "')' (array_length takes one argument)", "','")]
    [InlineData("exists 5", 7, "a JSON field path after 'exists', such as meta[\"key\"]", "'5'")]
    [InlineData("x == {", 6, "a template parameter name after '{'", "end of expression")]
    public void SyntaxErrors(string expression, int position, string expected, string found)
    {
        var error = Assert.Throws<FilterParseException>(() => FilterParser.Parse(expression));
        Assert.Equal("FilterSyntaxError", error.ErrorId);
        Assert.Equal(ErrorKind.ParserError, error.Kind);
        Assert.Equal(expression, error.Target);
        Assert.Equal(position, error.Position);
        Assert.Equal(expected, error.Expected);
        Assert.Equal(found, error.Found);
        Assert.Equal($"Filter syntax error at position {position}: expected {expected} but found {found}.", error.Message);
    }

    [Fact]
    public void SyntaxErrorMessageMatchesTheDocumentedShape()
    {
        var error = Assert.Throws<FilterParseException>(() => FilterParser.Parse("pattern_id in [\"a\" and"));
        Assert.Equal("Filter syntax error at position 19: expected ',' or ']' but found 'and'.", error.Message);
    }

    [Theory]
    [InlineData("pattern_type == {type}", "template placeholder '{type}'")]
    [InlineData("pattern_type in { types }", "template placeholder '{ types }'")]
    [InlineData("text_match(pattern_type, \"word\")", "function 'text_match'")]
    [InlineData("TEXT_MATCH(pattern_type, \"word\")", "function 'TEXT_MATCH'")]
    [InlineData("phrase_match(pattern_type, \"two words\", 1)", "function 'phrase_match'")]
    [InlineData("random_sample(0.1)", "function 'random_sample'")]
    [InlineData("pattern_type == \"a\" and random_sample(0.5)", "function 'random_sample'")]
    [InlineData("my_function(1) == 2", "function 'my_function'")]
    [InlineData("Json_Contains(coherence_metrics[\"t\"], 1)", "function 'Json_Contains'")]
    [InlineData("coherence_metrics[\"n\"] & 1 == 1", "bitwise operator '&'")]
    [InlineData("coherence_metrics[\"n\"] | 1 == 1", "bitwise operator '|'")]
    [InlineData("coherence_metrics[\"n\"] ^ 1 == 1", "bitwise operator '^'")]
    [InlineData("coherence_metrics[\"n\"] << 1 == 2", "bitwise operator '<<'")]
    [InlineData("~coherence_metrics[\"n\"] == 1", "bitwise operator '~'")]
    [InlineData("(coherence_metrics[\"n\"] >> 1) == 1", "bitwise operator '>>'")]
    [InlineData("coherence_metrics[\"n\"] ** 2 > 4", "power operator '**'")]
    [InlineData("$meta[\"x\"] == 1", "dynamic field '$meta'")]
    public void NotSupported(string expression, string construct)
    {
        MilvusOpsException error = OnBothBackends(expression);
        Assert.Contains("not supported by MilvusOps", error.Message, StringComparison.Ordinal);
        Assert.Equal("FilterNotSupported", error.ErrorId);
        Assert.Equal(ErrorKind.NotImplemented, error.Kind);
        Assert.Contains(construct, error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MilvusOnly))]
    public void NotSupportedByTheEmbeddedStoreOnly(string milvusOnly, string construct, string[] ids)
    {
        _ = ids;
        Assert.NotNull(ParsedFilter.Parse(milvusOnly, FilterTestDatabase.Fields));
        FilterExpression.Validate(milvusOnly, FilterTestDatabase.Fields);
        MilvusOpsException error = Translate(milvusOnly);
        Assert.Equal("FilterNotSupported", error.ErrorId);
        Assert.Equal(ErrorKind.NotImplemented, error.Kind);
        Assert.Contains(construct, error.Message, StringComparison.Ordinal);
        Assert.Contains("not supported by the embedded store", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotSupportedForJsonEachColumnNameClash()
    {
        FilterField[] fields = [new("meta", "value", FilterFieldKind.Json)];
        var error = Assert.ThrowsAny<MilvusOpsException>(() => FilterExpression.ToSqlite("json_contains(meta[\"a\"], 1)", fields));
        Assert.Equal("FilterNotSupported", error.ErrorId);
        Assert.NotNull(ParsedFilter.Parse("json_contains(meta[\"a\"], 1)", fields)); // a column name is SQLite's business
    }

    [Theory]
    [InlineData("nope == 1", "nope")]
    [InlineData("Pattern_Type == \"alpha\"", "Pattern_Type")]
    [InlineData("exists metrics[\"k\"]", "metrics")]
    [InlineData("pattern_type == \"a\" or json_contains(missing[\"t\"], 1)", "missing")]
    public void FieldNotFound(string expression, string field)
    {
        MilvusOpsException error = OnBothBackends(expression);
        Assert.Equal("FilterFieldNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(field, error.Target);
        Assert.Equal(
            $"Filter field '{field}' does not exist. Fields: pattern_id, pattern_type, coherence_metrics, temporal_context, vector.",
            error.Message);
    }

    [Theory]
    [InlineData("vector == 1")]
    [InlineData("vector is null")]
    [InlineData("exists vector[\"x\"]")]
    [InlineData("array_length(vector) > 1")]
    public void FieldNotFilterable(string expression)
    {
        MilvusOpsException error = OnBothBackends(expression);
        Assert.Equal("FilterFieldNotFilterable", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal("vector", error.Target);
        Assert.Contains("FloatVector", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pattern_type > 5", "'>' cannot compare VarChar field 'pattern_type' with the number 5.")]
    [InlineData("5 == pattern_id", "'==' cannot compare the number 5 with VarChar field 'pattern_id'.")]
    [InlineData("pattern_type in [\"a\", 1]", "the number 1")]
    [InlineData("pattern_type == true", "the boolean true")]
    [InlineData("pattern_type + 1 > 2", "arithmetic '+' needs numbers")]
    [InlineData("-pattern_type == 1", "unary '-' needs numbers")]
    [InlineData("coherence_metrics[\"n\"] * \"2\" > 1", "arithmetic '*' needs numbers")]
    [InlineData("coherence_metrics[\"n\"] % 2.5 == 1", "'%' needs integers")]
    [InlineData("array_length(coherence_metrics[\"t\"]) like \"1%\"", "'like' needs a string")]
    [InlineData("5 like \"1%\"", "'like' needs a string")]
    [InlineData("coherence_metrics[\"flag\"] > true", "cannot order booleans")]
    [InlineData("coherence_metrics[\"a\"] == [1, 2]", "use 'in'")]
    [InlineData("pattern_type[\"k\"] == \"a\"", "only JSON fields can be followed by [...]")]
    [InlineData("not pattern_type == \"a\"", "'not' binds tighter than comparisons, so (not pattern_type) is used as a value here")]
    [InlineData("coherence_metrics[\"flag\"]", "is not a condition")]
    [InlineData("pattern_type == \"a\" and coherence_metrics[\"q\"] + 1", "is not a condition")]
    [InlineData("(coherence_metrics[\"q\"] > 1) == true", "cannot be used as a value")]
    [InlineData("exists pattern_type", "'exists' needs a key of a JSON field")]
    [InlineData("exists coherence_metrics", "'exists' needs a key of a JSON field")]
    [InlineData("json_contains(pattern_type, \"a\")", "needs a JSON field or JSON path as its first argument")]
    [InlineData("json_contains_all(coherence_metrics[\"t\"], 1)", "must be a list")]
    [InlineData("json_contains(coherence_metrics[\"t\"], pattern_type)", "must be a literal")]
    [InlineData("array_length(pattern_type) > 1", "needs a JSON field or JSON path")]
    [InlineData("coherence_metrics[\"t\"] in [[1]]", "is a list")]
    public void TypeMismatch(string expression, string text)
    {
        MilvusOpsException error = OnBothBackends(expression);
        Assert.Equal("FilterTypeMismatch", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Filter type mismatch at position ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseExceptionIsAMilvusOpsException()
    {
        MilvusOpsException error = Translate("a ==");
        Assert.IsType<FilterParseException>(error);
    }
}
