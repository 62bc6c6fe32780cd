using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>{name} placeholders and their values (-FilterParameter): the text Milvus gets, the values beside it, the SQL's answers.</summary>
public sealed class FilterTemplateTests
{
    private static readonly IReadOnlyList<FilterField> Fields = FilterTestDatabase.Fields;

    private static ParsedFilter? Parse(string expression, IReadOnlyDictionary<string, object?>? parameters, FilterDialect? dialect = null) =>
        ParsedFilter.Parse(expression, Fields, parameters, dialect ?? FilterDialect.Milvus25);

    [Fact]
    public void The_canonical_text_keeps_each_placeholder_and_its_value_goes_beside_it_typed()
    {
        var parsed = Parse("pattern_type in {types} and coherence_metrics[\"q\"] >= {min} and {low} < coherence_metrics[\"n\"] < 10",
            new Dictionary<string, object?> { ["types"] = new object[] { "alpha", "beta" }, ["min"] = 0.9, ["low"] = 2 })!;
        Assert.Equal("(((pattern_type in {types}) and (coherence_metrics[\"q\"] >= {min})) and ({low} < coherence_metrics[\"n\"] < 10))", parsed.Text);
        Assert.Equal(["alpha", "beta"], Assert.IsType<List<object>>(parsed.TemplateValues["types"]));
        Assert.Equal(0.9, parsed.TemplateValues["min"]);
        Assert.Equal(2L, parsed.TemplateValues["low"]);
    }

    [Fact]
    public void A_value_is_bound_never_pasted_so_quotes_in_it_match_only_themselves()
    {
        using var db = new FilterTestDatabase();
        var injected = new Dictionary<string, object?> { ["type"] = "x' OR 1=1 --" };
        Assert.Equal(["p07"], db.Match(Parse("pattern_type == {type}", injected)!));
        var list = new Dictionary<string, object?> { ["ids"] = new[] { "p01", "p03", "nope" } };
        Assert.Equal(["p01", "p03"], db.Match(Parse("pattern_id in {ids}", list)!));
    }

    [Theory]
    [InlineData("pattern_type == {type}", "typo", "has no value for it")]
    [InlineData("pattern_type == \"a\"", "type", "the filter has no such placeholder")]
    [InlineData("pattern_type == {type}", null, "no value for it")]
    public void A_placeholder_without_a_value_or_a_value_without_a_placeholder_is_FilterParameterInvalid(string expression, string? name, string text)
    {
        var parameters = name is null ? null : new Dictionary<string, object?> { [name] = "a" };
        var error = Assert.Throws<MilvusOpsException>(() => Parse(expression, parameters));
        Assert.Equal(("FilterParameterInvalid", ErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_no_string_number_bool_or_list_is_FilterParameterInvalid()
    {
        foreach (object? value in new object?[] { null, double.NaN, new Dictionary<string, object>(), DateTime.UtcNow })
        {
            var error = Assert.Throws<MilvusOpsException>(() => Parse("coherence_metrics[\"q\"] == {v}", new Dictionary<string, object?> { ["v"] = value }));
            Assert.Equal("FilterParameterInvalid", error.ErrorId);
        }
    }

    [Fact]
    public void A_list_where_a_list_is_needed_is_checked_as_the_literal_it_stands_for()
    {
        var error = Assert.Throws<MilvusOpsException>(() => Parse("pattern_type in {t}", new Dictionary<string, object?> { ["t"] = "alpha" }));
        Assert.Equal("FilterTypeMismatch", error.ErrorId);
        var mismatch = Assert.Throws<MilvusOpsException>(() => Parse("pattern_type == {n}", new Dictionary<string, object?> { ["n"] = 5 }));
        Assert.Equal("FilterTypeMismatch", mismatch.ErrorId);
    }

    [Theory]
    [InlineData("coherence_metrics[\"n\"] > {a} + 1", "in an operation on constants")]
    [InlineData("coherence_metrics[\"n\"] > -{a}", "in an operation on constants")]
    [InlineData("coherence_metrics[\"n\"] > {a} ** 2", "in an operation on constants")]
    [InlineData("coherence_metrics[\"n\"] in [{a}, 2]", "inside a list")]
    public void A_placeholder_that_would_be_folded_into_text_is_refused_as_Milvus_refuses_it(string expression, string text)
    {
        var error = Assert.Throws<MilvusOpsException>(() => Parse(expression, new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Equal("FilterNotSupported", error.ErrorId);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_comparison_of_a_placeholder_with_a_constant_is_a_constant_and_refused()
    {
        var error = Assert.Throws<MilvusOpsException>(() => Parse("{a} < 2 and pattern_type == \"x\"", new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Equal("FilterTypeMismatch", error.ErrorId);
    }

    [Fact]
    public void A_like_pattern_is_a_placeholder_from_Milvus_2_6_and_its_value_must_be_a_string()
    {
        var pattern = new Dictionary<string, object?> { ["p"] = "gam%" };
        Assert.Equal("FilterNotSupported", Assert.Throws<MilvusOpsException>(() => Parse("pattern_type like {p}", pattern)).ErrorId);
        foreach (FilterDialect dialect in new[] { FilterDialect.Milvus26, FilterDialect.Milvus30 })
        {
            var parsed = Parse("pattern_type like {p}", pattern, dialect)!;
            Assert.Equal("(pattern_type like {p})", parsed.Text);
            Assert.Equal("gam%", parsed.TemplateValues["p"]);
            var number = Assert.Throws<MilvusOpsException>(() => Parse("pattern_type like {p}", new Dictionary<string, object?> { ["p"] = 5 }, dialect));
            Assert.Equal("FilterTypeMismatch", number.ErrorId);
        }
    }

    [Fact]
    public void A_string_value_with_half_a_surrogate_pair_is_FilterParameterInvalid_not_changed_on_the_way()
    {
        foreach (object value in new object[] { "a\ud800", "\udc00b", '\ud800', new[] { "ok", "x\ud800" } })
        {
            var error = Assert.Throws<MilvusOpsException>(() => Parse("pattern_type in {v}", new Dictionary<string, object?> { ["v"] = value is string or char ? new[] { value } : value }));
            Assert.Equal("FilterParameterInvalid", error.ErrorId);
            Assert.Contains("surrogate", error.Message, StringComparison.Ordinal);
        }

        Assert.Equal("\ud83d\ude00", Parse("pattern_type == {v}", new Dictionary<string, object?> { ["v"] = "\ud83d\ude00" })!.TemplateValues["v"]);
    }

    [Fact]
    public void Values_without_a_filter_are_FilterParameterInvalid_not_silently_dropped()
    {
        var error = Assert.Throws<MilvusOpsException>(() => PatternFilter.From(" ", new Dictionary<string, object?> { ["t"] = "x" }));
        Assert.Equal("FilterParameterInvalid", error.ErrorId);
        Assert.Null(PatternFilter.From(" "));
    }

    [Fact]
    public void A_condition_joins_a_filter_only_when_the_filter_parses_alone()
    {
        var joined = FilterExpression.And(new PatternFilter("pattern_type == {t}", new Dictionary<string, object?> { ["t"] = "x" }), "coherence_metrics[\"q\"] >= {m}", "m", 0.9);
        Assert.Equal(["m", "t"], joined.Parameters.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("(pattern_type == {t}) and (coherence_metrics[\"q\"] >= {m})", joined.Expression);
        Assert.Throws<FilterParseException>(() => FilterExpression.And("pattern_type == \"a\") or (pattern_type == \"b\"", "coherence_metrics[\"q\"] >= {m}", "m", 0.9));
        Assert.Equal("FilterInvalidLiteral", Assert.Throws<MilvusOpsException>(() => FilterExpression.And(null, "coherence_metrics[\"q\"] >= {m}", "m", double.NaN)).ErrorId);
    }
}
