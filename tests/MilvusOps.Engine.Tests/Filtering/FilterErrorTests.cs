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
    /// Filters Milvus evaluates and SQLite cannot (a GLOB pattern is at most 50,000 bytes), with the ids of
    /// FilterTestDatabase they match: the check accepts them, only the embedded store refuses them.
    /// </summary>
    public static TheoryData<string, string, string[]> MilvusOnly => new()
    {
        { "coherence_metrics[\"name\"] like \"%" + new string('x', 30_000) + "_" + new string('y', 20_001) + "%\"", "like pattern with wildcards inside it", [] },
        { "pattern_type like \"%" + new string('x', 25_000) + "_" + new string('y', 25_000) + "%\" or pattern_type == \"alpha\"", "like pattern with wildcards inside it", ["p01", "p02"] },
    };

    [Theory]
    [InlineData("pattern_type == ", 16, "a field name, a literal, '(' or 'not'", "end of expression")]
    [InlineData("x in [1, 2 or", 13, "a field name, a literal, '(' or 'not'", "end of expression")]
    [InlineData("x in [1, 2 y", 11, "',' or ']'", "'y'")]
    [InlineData("x in [1, 2 and y]", 9, "a literal value in the list", "'2 and y'")]
    [InlineData("x in [,]", 6, "a field name, a literal, '(' or 'not'", "','")]
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
    [InlineData("m[\"k\" > 1", 6, "']' right after the key", "'>'")]
    [InlineData("m[k] > 1", 2, "a quoted key or a non-negative decimal array index inside '[ ]', with no spaces", "'k'")]
    [InlineData("m[-1] > 1", 2, "a quoted key or a non-negative decimal array index inside '[ ]', with no spaces", "'-'")]
    [InlineData("m[01] > 1", 2, "a quoted key or a non-negative decimal array index inside '[ ]', with no spaces", "'01'")]
    [InlineData("m[ \"k\"] > 1", 3, "a quoted key or a non-negative decimal array index inside '[ ]', with no spaces", "'\"k\"'")]
    [InlineData("m [\"k\"] > 1", 2, "an operator or end of expression", "'['")]
    [InlineData("m[\"\"] > 1", 2, "a non-empty JSON key (Milvus refuses [\"\"])", "'\"\"'")]
    [InlineData("m[''] > 1", 2, "a non-empty JSON key (Milvus refuses [\"\"])", "''''")]
    [InlineData("m[\"a][b\"] > 1", 2, "a JSON key without \"][\" (Milvus splits a JSON path at \"][\")", "'\"a][b\"'")]
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
    [InlineData("\"a\\qb\" == x", 2, "an escape sequence (\\\", \\', \\\\, \\n, \\t, \\r, \\a, \\b, \\f, \\v, \\ooo, \\xhh, \\uXXXX or \\UXXXXXXXX)", "'\\q'")]
    [InlineData("x like \"100\\%\"", 11, "an escape sequence (\\\", \\', \\\\, \\n, \\t, \\r, \\a, \\b, \\f, \\v, \\ooo, \\xhh, \\uXXXX or \\UXXXXXXXX)", "'\\%'")]
    [InlineData("x == \"\\0\"", 6, "an octal escape of exactly three digits up to \\377 (Milvus decodes strings as Go does)", "'\\0'")]
    [InlineData("x == \"\\423\"", 6, "an octal escape of exactly three digits up to \\377 (Milvus decodes strings as Go does)", "'\\423'")]
    [InlineData("x == \"\\x4\"", 6, "2 hexadecimal digits after '\\x' (Milvus decodes strings as Go does)", "'\\x4'")]
    [InlineData("x == \"\\?\"", 6, "an escape sequence Milvus decodes (it refuses \\?; write ?)", "'\\?'")]
    [InlineData("x == \"\\uD800\"", 6, "a Unicode code point that is not a surrogate and is at most \\U0010FFFF", "'\\uD800'")]
    [InlineData("x == \"a\nb\"", 5, "a closing \" for the string that starts here (a string cannot span lines)", "a line break")]
    [InlineData("x IS null", 5, "'NULL' (one case for all the words of 'is null')", "'null'")]
    [InlineData("x is  null", 2, "'is null', 'is not null', 'IS NULL' or 'IS NOT NULL' with one space between the words", "'is  null'")]
    [InlineData("x is\tnot null", 2, "'is null', 'is not null', 'IS NULL' or 'IS NOT NULL' with one space between the words", "'is\tnot'")]
    [InlineData("array_length((m)) > 1", 13, "a field or JSON path as the argument of array_length", "'('")]
    [InlineData("1 < (x) < 2", 4, "a field in the middle of a range (literal < field < literal)", "'(x)'")]
    [InlineData("x == 1\u00a0", 6, "an operator, a field name or a literal", "'\u00a0'")]
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
        var error = Assert.Throws<FilterParseException>(() => FilterParser.Parse("pattern_id in [\"a\" \"b\"]"));
        Assert.Equal("Filter syntax error at position 19: expected ',' or ']' but found '\"b\"'.", error.Message);
    }

    [Theory]
    [InlineData("pattern_type like {p}", "template placeholder '{p}' here")]
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

    /// <summary>Valid syntax that Milvus 2.5 refuses (its parser, or its query nodes), refused on both backends alike.</summary>
    [Theory]
    [InlineData("coherence_metrics[\"n\"] ** 2 > 4", "the power operator '**' on coherence_metrics[\"n\"]")]
    [InlineData("2 % coherence_metrics[\"n\"] == 1", "a constant before '%' and a field")]
    [InlineData("10 / coherence_metrics[\"n\"] > 1", "a constant before '/' and a field")]
    [InlineData("1 - coherence_metrics[\"n\"] > 1", "a constant before '-' and a field")]
    [InlineData("coherence_metrics[\"n\"] + coherence_metrics[\"q\"] >= 3.9", "arithmetic between two fields")]
    [InlineData("(coherence_metrics[\"n\"] - 1) * -2 < -5", "arithmetic on the arithmetic expression")]
    [InlineData("array_length(temporal_context[\"arr\"]) + 1 > 2", "arithmetic on array_length(temporal_context[\"arr\"])")]
    [InlineData("-coherence_metrics[\"q\"] > 0", "unary '-' on JSON value coherence_metrics[\"q\"]")]
    [InlineData("-pattern_type == \"a\"", "unary '-' on VarChar field 'pattern_type'")]
    [InlineData("coherence_metrics[\"n\"] * 2 in [6, 14]", "'in' on the arithmetic expression")]
    [InlineData("array_length(temporal_context[\"arr\"]) in [1, 2]", "'in' on array_length(temporal_context[\"arr\"])")]
    [InlineData("coherence_metrics[\"n\"] < temporal_context[\"a\"][\"b\"]", "compares two fields only when both are scalar fields")]
    [InlineData("pattern_type == coherence_metrics[\"name\"]", "compares two fields only when both are scalar fields")]
    [InlineData("coherence_metrics[\"n\"] + 1 == coherence_metrics[\"q\"]", "compares arithmetic and array_length with constants only")]
    [InlineData("json_contains(temporal_context[\"arr\"], [1, [2]])", "a list that holds a list")]
    [InlineData("json_contains_any(temporal_context[\"arr\"], [[1, [2]]])", "a list that holds a list")]
    [InlineData("temporal_context[\"arr\"] == [[1, 2], 3]", "compares flat lists only")]
    [InlineData("empty(pattern_type, pattern_id)", "empty with 2 arguments")]
    [InlineData("starts_with(pattern_type)", "starts_with with 1 argument")]
    public void NotSupportedByMilvus(string expression, string construct)
    {
        MilvusOpsException error = OnBothBackends(expression);
        Assert.Equal("FilterNotSupported", error.ErrorId);
        Assert.Equal(ErrorKind.NotImplemented, error.Kind);
        Assert.Contains("not supported by Milvus 2.5", error.Message, StringComparison.Ordinal);
        Assert.Contains(construct, error.Message, StringComparison.Ordinal);
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
    [InlineData("-\"a\" == pattern_type", "unary '-' needs numbers")]
    [InlineData("pattern_type == \"a\" + 1", "arithmetic '+' needs numbers")]
    [InlineData("coherence_metrics[\"n\"] > 2.5 % 2", "'%' needs integers")]
    [InlineData("coherence_metrics[\"n\"] > \"a\" ** 2", "'**' needs numbers")]
    [InlineData("coherence_metrics[\"n\"] * \"2\" > 1", "arithmetic '*' needs numbers")]
    [InlineData("coherence_metrics[\"n\"] % 2.5 == 1", "'%' needs integers")]
    [InlineData("array_length(coherence_metrics[\"t\"]) like \"1%\"", "'like' needs a string")]
    [InlineData("5 like \"1%\"", "'like' needs a string")]
    [InlineData("pattern_type == [\"a\"]", "use 'in'")]
    [InlineData("pattern_type > true", "cannot compare VarChar field 'pattern_type' with the boolean true")]
    [InlineData("1 == \"1\"", "cannot compare the number 1 with the string \"1\"")]
    [InlineData("true < false", "cannot compare the boolean true with the boolean false")]
    // Milvus 2.5: a constant before 'in'; a bare true or false as the filter; a constant beside a condition.
    [InlineData("1 in [1, 2]", "'in' needs a field on its left, not the number 1")]
    [InlineData("\"a\" not in [\"a\"]", "'in' needs a field on its left")]
    [InlineData("true", "alone is not a condition")]
    [InlineData("(FALSE)", "alone is not a condition")]
    [InlineData("pattern_type == \"a\" or false", "is a constant, which Milvus 2.5 refuses beside a condition")]
    [InlineData("1 < 2 and pattern_type == \"a\"", "is a constant, which Milvus 2.5 refuses beside a condition")]
    [InlineData("not 1", "is not a condition")]
    // Types Milvus 2.5's query nodes need to agree.
    [InlineData("coherence_metrics[\"q\"] in [0.5, 1]", "the 'in' list on JSON value coherence_metrics[\"q\"] holds the number 0.5 and the number 1")]
    [InlineData("coherence_metrics[\"q\"] in [0.5, \"0.99\"]", "only when the items have one type")]
    [InlineData("0.9 <= coherence_metrics[\"q\"] < 1", "has bounds of two types, the number 0.9 and the number 1")]
    [InlineData("\"a\" < coherence_metrics[\"name\"] < 1", "has bounds of two types")]
    [InlineData("false < coherence_metrics[\"flag\"] <= true", "cannot have the boolean false as a bound")]
    [InlineData("1 < pattern_type < 3", "cannot have the number 1 as a bound")]
    [InlineData("coherence_metrics[\"n\"] / 4 == 2.5", "arithmetic with an integer constant is compared with integers")]
    [InlineData("coherence_metrics[\"n\"] * 2 == \"6\"", "cannot compare the arithmetic expression")]
    [InlineData("array_length(temporal_context[\"arr\"]) == 1.5", "array_length is compared with integers")]
    [InlineData("empty(coherence_metrics[\"name\"])", "empty takes VarChar fields and strings")]
    [InlineData("starts_with(pattern_type, 1)", "starts_with takes VarChar fields and strings")]
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
    [InlineData("coherence_metrics[\"flag\"] > false", "cannot order booleans")]
    [InlineData("temporal_context[\"arr\"] > [1]", "cannot order lists")]
    [InlineData("not false", "is constant, not a condition on the data")]
    [InlineData("1 < 2", "is constant, not a condition on the data")]
    [InlineData("1 > 2 or \"a\" < \"b\"", "is constant, not a condition on the data")]
    [InlineData("true == false", "is constant, not a condition on the data")]
    public void TypeMismatch(string expression, string text)
    {
        MilvusOpsException error = OnBothBackends(expression);
        Assert.Equal("FilterTypeMismatch", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Filter type mismatch at position ", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Constants Milvus 2.5 refuses to fold or to send, and ranges it refuses as empty.</summary>
    [Theory]
    [InlineData("coherence_metrics[\"n\"] > 1 / 0", "divides by zero")]
    [InlineData("coherence_metrics[\"n\"] > 1.5 / 0.0", "divides by zero")]
    [InlineData("coherence_metrics[\"n\"] > 5 % 0", "divides by zero")]
    [InlineData("coherence_metrics[\"n\"] / 0 == 1", "divides by zero")]
    [InlineData("coherence_metrics[\"n\"] % 0 == 1", "divides by zero")]
    [InlineData("coherence_metrics[\"n\"] > 1e308 * 10", "not a finite number")]
    [InlineData("coherence_metrics[\"n\"] > 0 ** -1", "not a finite number")]
    [InlineData("5 < coherence_metrics[\"n\"] < 1", "is empty")]
    [InlineData("1 < coherence_metrics[\"n\"] < 1", "is empty")]
    [InlineData("\"b\" <= pattern_type <= \"a\"", "is empty")]
    [InlineData("pattern_type == \"\\367\"", "decodes to bytes that are not UTF-8")]
    [InlineData("pattern_type like \"abc\\367-%\"", "decodes to bytes that are not UTF-8")]
    public void InvalidLiteral(string expression, string text)
    {
        MilvusOpsException error = OnBothBackends(expression);
        Assert.Equal("FilterInvalidLiteral", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseExceptionIsAMilvusOpsException()
    {
        MilvusOpsException error = Translate("a ==");
        Assert.IsType<FilterParseException>(error);
    }
}
