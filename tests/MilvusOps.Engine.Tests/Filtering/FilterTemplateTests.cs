using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>{name} placeholders and their values (-FilterParameter): the text Milvus gets, the values beside it, the SQL's answers.</summary>
public sealed class FilterTemplateTests
{
    private static readonly IReadOnlyList<FilterField> Fields = FilterTestDatabase.Fields;

    [Fact]
    public void The_canonical_text_keeps_each_placeholder_and_its_value_goes_beside_it_typed()
    {
        var parsed = ParsedFilter.Parse("pattern_type in {types} and coherence_metrics[\"q\"] >= {min} and {low} < coherence_metrics[\"n\"] < 10",
            Fields, new Dictionary<string, object?> { ["types"] = new object[] { "alpha", "beta" }, ["min"] = 0.9, ["low"] = 2 })!;
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
        Assert.Equal(["p07"], db.Match(ParsedFilter.Parse("pattern_type == {type}", Fields, injected)!));
        var list = new Dictionary<string, object?> { ["ids"] = new[] { "p01", "p03", "nope" } };
        Assert.Equal(["p01", "p03"], db.Match(ParsedFilter.Parse("pattern_id in {ids}", Fields, list)!));
    }

    [Theory]
    [InlineData("pattern_type == {type}", "typo", "has no value for it")]
    [InlineData("pattern_type == \"a\"", "type", "the filter has no such placeholder")]
    [InlineData("pattern_type == {type}", null, "no value for it")]
    public void A_placeholder_without_a_value_or_a_value_without_a_placeholder_is_FilterParameterInvalid(string expression, string? name, string text)
    {
        var parameters = name is null ? null : new Dictionary<string, object?> { [name] = "a" };
        var error = Assert.Throws<MilvusOpsException>(() => ParsedFilter.Parse(expression, Fields, parameters));
        Assert.Equal(("FilterParameterInvalid", ErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_no_string_number_bool_or_list_is_FilterParameterInvalid()
    {
        foreach (object? value in new object?[] { null, double.NaN, new Dictionary<string, object>(), DateTime.UtcNow })
        {
            var error = Assert.Throws<MilvusOpsException>(() => ParsedFilter.Parse("coherence_metrics[\"q\"] == {v}", Fields, new Dictionary<string, object?> { ["v"] = value }));
            Assert.Equal("FilterParameterInvalid", error.ErrorId);
        }
    }

    [Fact]
    public void A_list_where_a_list_is_needed_is_checked_as_the_literal_it_stands_for()
    {
        var error = Assert.Throws<MilvusOpsException>(() => ParsedFilter.Parse("pattern_type in {t}", Fields, new Dictionary<string, object?> { ["t"] = "alpha" }));
        Assert.Equal("FilterTypeMismatch", error.ErrorId);
        var mismatch = Assert.Throws<MilvusOpsException>(() => ParsedFilter.Parse("pattern_type == {n}", Fields, new Dictionary<string, object?> { ["n"] = 5 }));
        Assert.Equal("FilterTypeMismatch", mismatch.ErrorId);
    }

    [Theory]
    [InlineData("coherence_metrics[\"n\"] > {a} + 1", "in an operation on constants")]
    [InlineData("coherence_metrics[\"n\"] > -{a}", "in an operation on constants")]
    [InlineData("coherence_metrics[\"n\"] > {a} ** 2", "in an operation on constants")]
    [InlineData("coherence_metrics[\"n\"] in [{a}, 2]", "inside a list")]
    public void A_placeholder_that_would_be_folded_into_text_is_refused_as_Milvus_refuses_it(string expression, string text)
    {
        var error = Assert.Throws<MilvusOpsException>(() => ParsedFilter.Parse(expression, Fields, new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Equal("FilterNotSupported", error.ErrorId);
        Assert.Contains(text, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_comparison_of_a_placeholder_with_a_constant_is_a_constant_and_refused()
    {
        var error = Assert.Throws<MilvusOpsException>(() => ParsedFilter.Parse("{a} < 2 and pattern_type == \"x\"", Fields, new Dictionary<string, object?> { ["a"] = 1 }));
        Assert.Equal("FilterTypeMismatch", error.ErrorId);
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
