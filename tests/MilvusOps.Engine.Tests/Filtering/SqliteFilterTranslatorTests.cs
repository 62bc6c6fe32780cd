using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>Translates expressions, runs the SQL against a real SQLite table and checks the matching ids.</summary>
public sealed class SqliteFilterTranslatorTests : IClassFixture<FilterTestDatabase>
{
    private readonly FilterTestDatabase _db;

    public SqliteFilterTranslatorTests(FilterTestDatabase db) => _db = db;

    private void AssertMatches(string expression, string expectedIds)
    {
        string[] expected = expectedIds.Length == 0 ? [] : expectedIds.Split(',', StringSplitOptions.TrimEntries);
        Assert.Equal(expected.Order(StringComparer.Ordinal), _db.Match(expression));
    }

    private static string AllExcept(params string[] ids) =>
        string.Join(",", FilterTestDatabase.AllIds.Where(id => !ids.Contains(id)));

    [Theory]
    // Numbers in JSON: only JSON numbers compare; strings, nulls, missing keys and null rows never do, except with !=,
    // which Milvus's query nodes answer true for a missing key or a value of another type (UnaryRangeExpr), and unknown
    // (no match, under not too) for a row whose JSON field is null (p06's coherence_metrics).
    [InlineData("""coherence_metrics["q"] > 0.9""", "p01,p03,p09,p10,p13,p14,p15")]
    [InlineData("""coherence_metrics["q"] >= 0.9""", "p01,p03,p07,p09,p10,p13,p14,p15")]
    [InlineData("""coherence_metrics["q"] == 1""", "p03,p15")]
    [InlineData("""coherence_metrics["q"] == "0.99" """, "p08")]
    [InlineData("""coherence_metrics["q"] != 0.5""", "p01,p03,p04,p05,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""coherence_metrics["q"] > -0.5 and coherence_metrics["q"] < 0.6""", "p02,p11")]
    [InlineData("""coherence_metrics["q"] < -0.0""", "p12")]
    [InlineData("""0.9 < coherence_metrics["q"]""", "p01,p03,p09,p10,p13,p14,p15")]
    // Ranges, both directions; on a JSON value both bounds are of one type, as Milvus 2.5's query nodes need.
    [InlineData("""0.9 <= coherence_metrics["q"] < 1.0""", "p01,p07,p09,p13,p14")]
    [InlineData("""1.0 > coherence_metrics["q"] >= 0.9""", "p01,p07,p09,p13,p14")]
    [InlineData("""0.9 < coherence_metrics["q"] <= 1.0""", "p01,p03,p09,p13,p14,p15")]
    [InlineData("""1 <= coherence_metrics["n"] <= 7""", "p01,p11")]
    [InlineData("""0.5 + 0.5 <= coherence_metrics["q"] <= 2 ** 1.0""", "p03,p15")]
    [InlineData("\"alpha\" <= pattern_type < \"beta\"", "p01,p02")]
    [InlineData("""array_length(temporal_context["arr"]) >= 3""", "p01,p04,p14")]
    // Booleans.
    [InlineData("""coherence_metrics["flag"] == true""", "p01,p11")]
    [InlineData("""coherence_metrics["flag"] == True""", "p01,p11")]
    [InlineData("""coherence_metrics["flag"] != true""", "p02,p03,p04,p05,p07,p08,p09,p10,p12,p13,p14,p15")]
    [InlineData("""coherence_metrics["flag"] == FALSE""", "p02")]
    [InlineData("""coherence_metrics["flag"] == "true" """, "p15")]
    [InlineData("""coherence_metrics["flag"] in [true]""", "p01,p11")]
    // VarChar fields: binary (case-sensitive) comparison; NULL never compares.
    [InlineData("""pattern_type == "alpha" """, "p01,p02")]
    [InlineData("""pattern_type == 'alpha'""", "p01,p02")]
    [InlineData("""pattern_type != "alpha" """, "p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p14,p15")]
    [InlineData("""pattern_type > "delta" """, "p05,p06,p07,p10,p11,p12,p15")]
    [InlineData("""pattern_id <= "p02" """, "p01,p02")]
    [InlineData("""pattern_type in ["beta", "gamma"]""", "p03,p05,p06")]
    [InlineData("""pattern_type IN ["beta"]""", "p03")]
    [InlineData("""pattern_type not in ["beta", "gamma"]""", "p01,p02,p04,p07,p08,p09,p10,p11,p12,p14,p15")]
    [InlineData("""pattern_type !in ["beta", "gamma"]""", "p01,p02,p04,p07,p08,p09,p10,p11,p12,p14,p15")]
    [InlineData("""pattern_type in []""", "")]
    [InlineData("""pattern_type not in []""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p14,p15")]
    [InlineData("""pattern_type == pattern_id""", "")]
    [InlineData("""pattern_type < pattern_id""", "p01,p02,p03,p04,p05,p06,p08,p09,p11,p14,p15")]
    [InlineData("""pattern_type is null""", "p13")]
    [InlineData("""pattern_type IS NOT NULL""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p14,p15")]
    // Strings with quotes, and literals that look like SQL injection.
    [InlineData("""pattern_type == "with \"quote\"" """, "p10")]
    [InlineData("""pattern_type == 'with "quote"'""", "p10")]
    [InlineData("""pattern_type == "x' OR 1=1 --" """, "p07")]
    [InlineData("""pattern_type == 'x\' OR 1=1 --'""", "p07")]
    [InlineData("""pattern_type == "y' OR 1=1 --" """, "")]
    [InlineData("""pattern_type == "\") OR 1=1 OR (\"" """, "")]
    [InlineData("""coherence_metrics["name"] == "it's" """, "p10")]
    [InlineData("""coherence_metrics["name"] == 'it\'s'""", "p10")]
    [InlineData("""coherence_metrics["name"] == "\u0041lpha" """, "p01")]
    [InlineData("""coherence_metrics["name"] == "\101lpha" """, "p01")]
    [InlineData("""coherence_metrics["name"] == "\x41lpha" """, "p01")]
    [InlineData("""coherence_metrics["name"] == "it\047s" """, "p10")]
    [InlineData("""coherence_metrics["q')) OR 1=1 --"] == 1""", "")]
    public void Comparisons(string expression, string expected) => AssertMatches(expression, expected);

    [Theory]
    [InlineData("""pattern_type like "al%" """, "p01,p02")]
    [InlineData("""pattern_type LIKE "AL%" """, "p14")]
    [InlineData("""pattern_type like "%ta" """, "p03,p04,p08,p09,p12,p15")]
    [InlineData("""pattern_type like "%e%" """, "p03,p04,p08,p09,p10,p11,p12,p15")]
    [InlineData("""pattern_type like "de_lta" """, "p09")]
    [InlineData("""pattern_type like "de\\_%" """, "p09")]
    [InlineData("""pattern_type like "gamma" """, "p05,p06")]
    [InlineData("""pattern_type like "x' OR%" """, "p07")]
    [InlineData("""coherence_metrics["name"] like "alpha" """, "p02")]
    [InlineData("""coherence_metrics["name"] like "[abc%" """, "p07")]
    [InlineData("""coherence_metrics["name"] like "[abc]" """, "p07")]
    [InlineData("""coherence_metrics["name"] like "be*%" """, "p03")]
    [InlineData("""coherence_metrics["name"] like "a?b" """, "p12")]
    // Milvus 2.5 reads "100\\%" (the pattern 100\%) as a prefix test on "100\": it trims the last % before it
    // looks at escapes (planparserv2/pattern_match.go), so a pattern cannot end with a literal %.
    [InlineData("""coherence_metrics["name"] like "100\\%" """, "")]
    [InlineData("""coherence_metrics["name"] like "100_" """, "p08")]
    [InlineData("""coherence_metrics["name"] like "%\\%" """, "")]
    [InlineData("""coherence_metrics["name"] like "50\\_50" """, "p09")]
    [InlineData("""coherence_metrics["name"] like "5%\\_%0" """, "p09")]
    [InlineData("""coherence_metrics["name"] like "___" """, "p12")]
    [InlineData("""coherence_metrics["q"] like "0%" """, "p08")]
    [InlineData("""not (pattern_type like "%a") """, "p07,p10,p11,p14")]
    [InlineData("""not pattern_type like "%a" """, "p07,p10,p11,p14")]
    public void Like(string expression, string expected) => AssertMatches(expression, expected);

    [Theory]
    // A JSON null does not exist (Milvus's Json::exist), and exists is never unknown, even on a null row.
    [InlineData("""exists coherence_metrics["flag"]""", "p01,p02,p11,p15")]
    [InlineData("""EXISTS temporal_context["a"]""", "p01,p02,p03,p10,p13,p15")]
    [InlineData("""not exists coherence_metrics["flag"]""", "p03,p04,p05,p06,p07,p08,p09,p10,p12,p13,p14")]
    [InlineData("""exists temporal_context["a"]["b"]""", "p01,p02,p03,p10,p13,p15")]
    [InlineData("""coherence_metrics["q"] is null""", "p04,p05,p06")]
    [InlineData("""coherence_metrics["q"] is not null""", "p01,p02,p03,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""temporal_context is null""", "p05")]
    [InlineData("""coherence_metrics IS NULL""", "p06")]
    [InlineData("""temporal_context is not null""", "p01,p02,p03,p04,p06,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""temporal_context["a"]["b"] > 1""", "p02,p10,p13,p15")]
    [InlineData("""temporal_context["arr"][0] == 1""", "p01,p14")]
    [InlineData("""temporal_context["arr"][0][1] == 2""", "p11")]
    [InlineData("""coherence_metrics["nested"]["deep"]["v"] == 7""", "p15")]
    // Milvus keeps a JSON key's text as written (decoding \uXXXX only) and compares it with the key as the document
    // writes it, escapes and all: "key\"q" finds the key a document writes as "key\"q".
    [InlineData("""temporal_context["key\"q"] == 5""", "p12")]
    [InlineData("""temporal_context['key"q'] == 5""", "p12")]
    [InlineData("""temporal_context["key\u0022q"] == 5""", "p12")]
    [InlineData("""temporal_context["back\\slash"] == 6""", "p12")]
    [InlineData("""temporal_context["back\u005cslash"] == 6""", "p12")]
    [InlineData("""coherence_metrics["tags"] == "a" """, "p14")]
    [InlineData("""coherence_metrics["q"] in [0.5, 1.0]""", "p02,p03,p15")]
    [InlineData("""coherence_metrics["n"] in [3, 10]""", "p01,p02")]
    [InlineData("""coherence_metrics["q"] not in [0.5, 1.0]""", "p01,p04,p05,p07,p08,p09,p10,p11,p12,p13,p14")]
    [InlineData("""coherence_metrics["name"] in ["it's", "100%"]""", "p08,p10")]
    [InlineData("""coherence_metrics["missing"] in []""", "")]
    [InlineData("""coherence_metrics["missing"] not in []""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    // A JSON value equal to a list: an array whose elements match in order (Milvus's CompareTwoJsonArray).
    [InlineData("""temporal_context["arr"] == [1, 2, 3]""", "p01")]
    [InlineData("""temporal_context["arr"] == [1, 2, 3.0]""", "p01")]
    [InlineData("""temporal_context["arr"] == [1.5, "1", true]""", "p04")]
    [InlineData("""temporal_context["arr"] == []""", "p02")]
    [InlineData("""temporal_context["arr"] != [1, 2, 3]""", "p02,p04,p09,p11,p14")]
    [InlineData("""coherence_metrics["tags"] == ["a", "b"]""", "p01")]
    [InlineData("""coherence_metrics["n"] == 0x0A""", "p02")]
    [InlineData("""coherence_metrics["n"] == 012""", "p02")]
    public void JsonPathsExistsAndNull(string expression, string expected) => AssertMatches(expression, expected);

    [Theory]
    [InlineData("""json_contains(coherence_metrics["tags"], "a")""", "p01,p09")]
    [InlineData("""array_contains(coherence_metrics["tags"], "a")""", "p01,p09")]
    [InlineData("""json_contains_all(coherence_metrics["tags"], ["a", "b"])""", "p01")]
    [InlineData("""JSON_CONTAINS_ANY(coherence_metrics["tags"], ["c", "b"])""", "p01,p02,p09")]
    [InlineData("""JSON_CONTAINS(temporal_context["arr"], 1)""", "p01,p14")]
    [InlineData("""json_contains(temporal_context["arr"], true)""", "p04")]
    [InlineData("""json_contains(temporal_context["arr"], "1")""", "p04")]
    [InlineData("""json_contains(temporal_context["arr"], 3)""", "p01,p09,p11,p14")]
    [InlineData("""json_contains(temporal_context["arr"], 1.5)""", "p04")]
    [InlineData("""json_contains_any(temporal_context["arr"], [4, "1"])""", "p04,p14")]
    // Milvus answers an empty list before it reads a row: all is true everywhere, null rows included.
    [InlineData("""json_contains_all(temporal_context["arr"], [])""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""json_contains_any(temporal_context["arr"], [])""", "")]
    [InlineData("""not json_contains_any(temporal_context["arr"], [])""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""not json_contains(coherence_metrics["tags"], "a")""", "p02,p03,p04,p05,p07,p08,p10,p11,p12,p13,p14,p15")]
    // Milvus counts a missing key, a JSON null and a value that is not an array as length 0.
    [InlineData("""array_length(temporal_context["arr"]) == 0""", "p02,p03,p06,p07,p08,p10,p12,p13,p15")]
    [InlineData("""ARRAY_LENGTH(temporal_context["arr"]) != 3""", "p02,p03,p06,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    // Arrays as elements to find (arrays of arrays).
    [InlineData("""json_contains(temporal_context["arr"], [1, 2])""", "p11")]
    [InlineData("""json_contains(temporal_context["arr"], [2, 1])""", "")]
    [InlineData("""json_contains_any(temporal_context["arr"], [[1, 2], [9]])""", "p11")]
    [InlineData("""json_contains_all(temporal_context["arr"], [[1, 2], 3])""", "p11")]
    [InlineData("""pattern_type != "x" and json_contains_all(temporal_context["arr"], [[1, 2], 4])""", "")]
    [InlineData("""json_contains(temporal_context["arr"], 1 + 2)""", "p01,p09,p11,p14")]
    // empty and starts_with, which Milvus 2.5 registers for VarChars (any casing).
    [InlineData("""empty(pattern_type)""", "")]
    [InlineData("""not EMPTY(pattern_type)""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p14,p15")]
    [InlineData("""starts_with(pattern_type, "de")""", "p08,p09")]
    [InlineData("""Starts_With(pattern_type, "x'", )""", "p07")]
    [InlineData("""not starts_with(pattern_type, "de")""", "p01,p02,p03,p04,p05,p06,p07,p10,p11,p12,p14,p15")]
    public void Functions(string expression, string expected) => AssertMatches(expression, expected);

    [Theory]
    [InlineData("""coherence_metrics["n"] * 2 > 5""", "p01,p02,p11")]
    [InlineData("""2 * coherence_metrics["n"] == 6""", "p01")]
    [InlineData("""coherence_metrics["n"] % 2 == 1""", "p01,p11")]
    // An integer constant computes an integer value in integers (/ truncates); a float constant computes in floats.
    [InlineData("""coherence_metrics["n"] / 4 == 2""", "p02")]
    [InlineData("""coherence_metrics["n"] / 4.0 == 2.5""", "p02")]
    [InlineData("""coherence_metrics["q"] * 2 >= 2""", "p03,p10,p15")]
    [InlineData("""coherence_metrics["q"] * 2.0 >= 1.9""", "p01,p03,p10,p13,p15")]
    [InlineData("""coherence_metrics["n"] - 1 * 2 == 1""", "p01")]
    [InlineData("""coherence_metrics["n"] + 1 != 4""", "p02,p03,p04,p05,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""coherence_metrics["n"] - 2 ** 2 < 0""", "p01,p12")]
    public void Arithmetic(string expression, string expected) => AssertMatches(expression, expected);

    [Theory]
    [InlineData("""pattern_type == "alpha" or pattern_type == "beta" and coherence_metrics["q"] > 2""", "p01,p02")]
    [InlineData("""(pattern_type == "alpha" or pattern_type == "beta") and coherence_metrics["q"] > 0.9""", "p01,p03")]
    [InlineData("""!(pattern_type == "alpha") && pattern_type like "%a" || pattern_type == "eta" """, "p03,p04,p05,p06,p08,p09,p12,p15")]
    [InlineData("""NOT (pattern_type == "alpha") AND exists coherence_metrics["tags"]""", "p09,p14")]
    // A condition of constants alone (Milvus folds it; a bare true or false it refuses).
    // Three-valued logic: a condition on a null field is unknown, and so is its negation; and/or combine as in SQL.
    [InlineData("""pattern_type == "x" or coherence_metrics["q"] > 0.96""", "p03,p10,p13,p15")]
    [InlineData("""not (pattern_type == "x" and coherence_metrics["q"] > 0.96)""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p14,p15")]
    [InlineData("""not (pattern_type == "alpha" or coherence_metrics["q"] > 0.9)""", "p04,p05,p07,p08,p11,p12")]
    public void Logic(string expression, string expected) => AssertMatches(expression, expected);

    // Milvus: a comparison with a missing key or another JSON type is false, so its negation is true; on a row whose
    // field is null it is unknown, and so is its negation (Milvus 2.5's LogicalUnaryExpr keeps null rows out after a
    // not). The second column lists the rows the negation does not match.
    [Theory]
    [InlineData("""not (coherence_metrics["q"] > 0.9)""", "p01,p03,p06,p09,p10,p13,p14,p15")]
    [InlineData("""not (coherence_metrics["q"] != 0.5)""", "p01,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""not (coherence_metrics["n"] * 2 > 5)""", "p01,p02,p06,p11")]
    [InlineData("""not (0.9 <= coherence_metrics["q"] < 1.0)""", "p01,p06,p07,p09,p13,p14")]
    [InlineData("""not (pattern_type == "alpha")""", "p01,p02,p13")]
    [InlineData("""not (pattern_type < "10")""", "p13")]
    [InlineData("""coherence_metrics["q"] not in [0.5]""", "p02,p06")]
    [InlineData("""not (coherence_metrics["missing"] == 1) and not (coherence_metrics["missing"] != 1)""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""not (array_length(temporal_context["arr"]) >= 0)""", "p01,p02,p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p13,p14,p15")]
    [InlineData("""not json_contains(temporal_context["arr"], 3)""", "p01,p05,p09,p11,p14")]
    public void NegationKeepsRowsWithMissingValuesButNotNullRows(string expression, string excluded) =>
        AssertMatches(expression, AllExcept(excluded.Split(',', StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void MissingKeyIsUnequalToEverythingButNeitherLessNorGreater()
    {
        // Milvus's UnaryRangeExpr: != is true where the key is missing; every other comparison is false. The null row
        // (p06's coherence_metrics) matches neither.
        string[] nonNullRows = AllExcept("p06").Split(',');
        Assert.Empty(_db.Match("""coherence_metrics["missing"] == 1"""));
        Assert.Equal(nonNullRows, _db.Match("""coherence_metrics["missing"] != 1"""));
        Assert.Equal(nonNullRows, _db.Match("""coherence_metrics["missing"] != "x" """));
        Assert.Empty(_db.Match("""coherence_metrics["missing"] != [1]""")); // Milvus compares lists with arrays only
        Assert.Empty(_db.Match("""coherence_metrics["missing"] < 1 or coherence_metrics["missing"] >= 1"""));
    }

    [Fact]
    public void LiteralsAreParametersNotSqlText()
    {
        SqlFilter filter = FilterExpression.ToSqlite("""pattern_type == "x' OR 1=1 --" and coherence_metrics["k'\"]"] > 0.5""", FilterTestDatabase.Fields)!;
        Assert.DoesNotContain("OR 1=1", filter.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("0.5", filter.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("k'", filter.Sql, StringComparison.Ordinal);
        Assert.Contains(filter.Parameters, p => Equals(p.Value, "x' OR 1=1 --"));
        // Milvus keeps the key's text, k'\"], and compares it with the key as a document writes it: the document's
        // decoded key is k'"], which the path names with its quote escaped.
        Assert.Contains(filter.Parameters, p => Equals(p.Value, "$.\"k'\\\"]\""));
        Assert.Contains(filter.Parameters, p => Equals(p.Value, 0.5));
        Assert.All(filter.Parameters, p => Assert.Matches("^@f[0-9]+$", p.Key));
        Assert.Contains("\"pattern_type\"", filter.Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void ParameterPrefixIsUsed()
    {
        ParsedFilter parsed = ParsedFilter.Parse("""pattern_type == "a" or coherence_metrics["q"] > 1""", FilterTestDatabase.Fields)!;
        SqlFilter filter = parsed.ToSqlite("$w");
        Assert.Equal(["$w0", "$w1", "$w2"], filter.Parameters.Select(p => p.Key));
        Assert.Throws<ArgumentException>(() => parsed.ToSqlite("f; DROP"));
    }

    [Fact]
    public void ColumnNamesComeFromTheFieldsAndAreQuoted()
    {
        FilterField[] fields = [new("meta", "my \"odd\" col", FilterFieldKind.Json)];
        SqlFilter filter = FilterExpression.ToSqlite("""meta["a"] == 1""", fields)!;
        Assert.Contains("\"my \"\"odd\"\" col\"", filter.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("meta", filter.Sql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new string[0], "$")]
    [InlineData(new[] { "a", "b" }, "$.\"a\".\"b\"")]
    [InlineData(new[] { "q\"x", "back\\slash" }, "$.\"q\\\"x\".\"back\\\\slash\"")]
    [InlineData(new[] { "line\nbreak" }, "$.\"line\\u000abreak\"")]
    public void JsonPathsAreEscaped(string[] keys, string expected) =>
        Assert.Equal(expected, SqliteFilterTranslator.JsonPath(keys.Select(JsonPathSegment.ForKey).ToArray()));

    [Fact]
    public void JsonPathWithIndexes() =>
        Assert.Equal("$.\"arr\"[0][12]", SqliteFilterTranslator.JsonPath([JsonPathSegment.ForKey("arr"), JsonPathSegment.ForIndex(0), JsonPathSegment.ForIndex(12)]));

    [Theory]
    [InlineData("pre%", "pre*")]
    [InlineData("%mid%", "*mid*")]
    [InlineData("a_c", "a?c")]
    [InlineData("lit*star?q[x]", "lit[*]star[?]q[[]x]")]
    [InlineData("100\\%", "100%")]
    [InlineData("a\\_b", "a_b")]
    [InlineData("a\\\\b", "a\\b")]
    [InlineData("end\\", "end")]
    public void LikePatternsBecomeGlob(string like, string glob) => Assert.Equal(glob, SqliteFilterTranslator.LikeToGlob(like));

    [Fact]
    public void KeysWithControlCharactersAreFound()
    {
        using var db = new FilterTestDatabase();
        using (var insert = db.Connection.CreateCommand())
        {
            insert.CommandText = """INSERT INTO patterns VALUES ('p99', 't', '{"line\nbreak":1}', NULL, NULL)""";
            insert.ExecuteNonQuery();
        }

        // Milvus compares a key's text with the key as the document writes it ("line\nbreak" here); the embedded store
        // compares decoded keys, so both spellings of the key find it.
        Assert.Equal(["p99"], db.Match("""coherence_metrics["line\nbreak"] == 1"""));
        Assert.Equal(["p99"], db.Match("""coherence_metrics["line\u000abreak"] == 1"""));
    }
}
