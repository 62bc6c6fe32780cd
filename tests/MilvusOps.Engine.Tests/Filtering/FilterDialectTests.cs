using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>
/// What a filter may say depends on the server's line (<see cref="FilterDialect"/>): the corpus holds the verdicts; these
/// pin down the choice of dialect and the text each line is sent.
/// </summary>
public sealed class FilterDialectTests
{
    private static ParsedFilter? Parse(string expression, FilterDialect dialect) =>
        ParsedFilter.Parse(expression, FilterTestDatabase.Fields, null, dialect);

    [Theory]
    [InlineData("v2.5.27", "2.5")]
    [InlineData("2.4.15", "2.5")]
    [InlineData("v2.6.0", "2.6")]
    [InlineData("2.6.18-gpu", "2.6")]
    [InlineData("v3.0.0-beta", "3.0")]
    [InlineData("4.1.0", "3.0")]
    [InlineData("", "2.5")]
    [InlineData("Zilliz Cloud", "2.5")]
    [InlineData(null, "2.5")]
    public void A_server_speaks_the_dialect_of_its_line_and_an_unknown_version_speaks_2_5(string? version, string line) =>
        Assert.Equal(line, FilterDialect.Of(version).Line);

    [Theory]
    [InlineData("1 == 1", "(1 == 1)")]
    [InlineData("true and false", "(true and false)")]
    [InlineData("not (1 < 2)", "(not (1 < 2))")]
    public void A_constant_condition_is_refused_for_2_5_and_sent_as_written_from_2_6(string expression, string text)
    {
        Assert.Equal("FilterTypeMismatch", Assert.Throws<MilvusOpsException>(() => Parse(expression, FilterDialect.Milvus25)).ErrorId);
        Assert.Equal(text, Parse(expression, FilterDialect.Milvus26)!.Text);
        Assert.Equal(text, Parse(expression, FilterDialect.Milvus30)!.Text);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("pattern_type == \"a\" or true")]
    [InlineData("false and pattern_type == \"a\"")]
    public void A_written_boolean_is_a_condition_only_from_3_0(string expression)
    {
        Assert.Equal("FilterTypeMismatch", Assert.Throws<MilvusOpsException>(() => Parse(expression, FilterDialect.Milvus25)).ErrorId);
        Assert.Equal("FilterTypeMismatch", Assert.Throws<MilvusOpsException>(() => Parse(expression, FilterDialect.Milvus26)).ErrorId);
        Assert.NotNull(Parse(expression, FilterDialect.Milvus30));
        // A literal beside a condition must still be a boolean.
        Assert.Equal("FilterTypeMismatch", Assert.Throws<MilvusOpsException>(() => Parse("pattern_type == \"a\" or 5", FilterDialect.Milvus30)).ErrorId);
    }

    [Fact]
    public void The_least_int64_is_a_literal_from_2_6_and_its_magnitude_alone_is_never_one()
    {
        const string least = "coherence_metrics[\"n\"] > -9223372036854775808";
        Assert.Equal("FilterSyntaxError", Assert.Throws<FilterParseException>(() => Parse(least, FilterDialect.Milvus25)).ErrorId);
        Assert.Equal("(coherence_metrics[\"n\"] > (-9223372036854775807 - 1))", Parse(least, FilterDialect.Milvus26)!.Text);
        Assert.NotNull(Parse("coherence_metrics[\"n\"] in [-9223372036854775808, 1]", FilterDialect.Milvus26));
        foreach (string beyond in new[] { "coherence_metrics[\"n\"] > 9223372036854775808", "coherence_metrics[\"n\"] > -9223372036854775809",
                     "coherence_metrics[\"n\"] in [9223372036854775808]", "coherence_metrics[9223372036854775808] > 1" })
        {
            Assert.Throws<FilterParseException>(() => Parse(beyond, FilterDialect.Milvus30));
        }
    }

    [Theory]
    [InlineData("coherence_metrics[\"n\"] in [1, 2.5]")]
    [InlineData("1 < coherence_metrics[\"n\"] < 2.5")]
    public void Integers_and_floats_mix_on_a_JSON_value_from_2_6(string expression)
    {
        Assert.Equal("FilterTypeMismatch", Assert.Throws<MilvusOpsException>(() => Parse(expression, FilterDialect.Milvus25)).ErrorId);
        Assert.NotNull(Parse(expression, FilterDialect.Milvus26));
        Assert.Equal("FilterTypeMismatch", Assert.Throws<MilvusOpsException>(() => Parse("coherence_metrics[\"n\"] in [1, \"a\"]", FilterDialect.Milvus26)).ErrorId);
    }

    [Fact]
    public void A_zero_template_divisor_is_refused_on_every_line_as_a_written_zero_is()
    {
        var zero = new Dictionary<string, object?> { ["d"] = 0L };
        foreach (FilterDialect dialect in new[] { FilterDialect.Milvus25, FilterDialect.Milvus26, FilterDialect.Milvus30 })
        {
            var error = Assert.Throws<MilvusOpsException>(() => ParsedFilter.Parse("coherence_metrics[\"n\"] / {d} == 1", FilterTestDatabase.Fields, zero, dialect));
            Assert.Equal("FilterInvalidLiteral", error.ErrorId);
        }
    }
}
