using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>
/// Hostile filters end in FilterTooComplex, never in a stack overflow (which would kill the process),
/// and every filter within the limits runs in SQLite.
/// </summary>
public sealed class FilterLimitTests
{
    private static MilvusOpsException TooComplex(string expression)
    {
        var error = Assert.ThrowsAny<MilvusOpsException>(() => FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields));
        Assert.Equal("FilterTooComplex", error.ErrorId);
        Assert.Equal(ErrorKind.LimitsExceeded, error.Kind);
        // The limits hold on both backends: the check the Milvus store runs refuses it the same way.
        Assert.Equal(error.Message, Assert.ThrowsAny<MilvusOpsException>(() => ParsedFilter.Parse(expression, FilterTestDatabase.Fields)).Message);
        return error;
    }

    private static string Repeat(string text, int count) => string.Concat(Enumerable.Repeat(text, count));

    [Fact]
    public void FourThousandFiveHundredNestedParenthesesAreRefused()
    {
        string expression = Repeat("(", 4500) + "pattern_type == \"a\"" + Repeat(")", 4500);
        Assert.Contains("nesting of parentheses", TooComplex(expression).Message);
    }

    [Fact]
    public void FourThousandFiveHundredUnclosedParenthesesAreRefused() =>
        TooComplex(Repeat("(", 4500));

    [Fact]
    public void SixtyThousandNotsAreRefused() =>
        Assert.Contains("65,536", TooComplex(Repeat("not ", 60_000) + "(pattern_type == \"a\")").Message);

    [Fact]
    public void FiftyThousandOrTermsAreRefused() =>
        TooComplex(string.Join(" or ", Enumerable.Range(0, 50_000).Select(i => $"pattern_id == \"p{i}\"")));

    [Fact]
    public void NotsWithinTheLengthButTooDeepAreRefused()
    {
        string error = TooComplex(Repeat("not ", 100) + "(pattern_type == \"a\")").Message;
        Assert.Contains("syntax tree depth", error);
        Assert.Contains("64", error);
    }

    [Theory]
    [InlineData("[", 200, "")]
    [InlineData("-", 200, "")]
    [InlineData("exists ", 200, "")]
    [InlineData("json_contains(coherence_metrics, ", 100, ")")]
    [InlineData("array_length(", 100, ")")]
    public void DeepPrefixesAreRefused(string prefix, int count, string suffix) => TooComplex(Repeat(prefix, count) + "1" + Repeat(suffix, count));

    [Fact]
    public void FlatArithmeticChainDeeperThanTheLimitIsRefused() =>
        Assert.Contains("syntax tree depth", TooComplex("coherence_metrics[\"n\"]" + Repeat(" + 1", 200) + " > 0").Message);

    [Fact]
    public void ExpressionOfExactlyTheMaximumLengthParses()
    {
        string prefix = "pattern_type == \"";
        string expression = prefix + new string('a', FilterLimits.MaxLength - prefix.Length - 1) + "\"";
        Assert.Equal(FilterLimits.MaxLength, expression.Length);
        Assert.NotNull(FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields));
        TooComplex(expression + " ");
    }

    [Fact]
    public void LongFlatOrChainWithinTheLimitsRunsInSqlite()
    {
        // 2,500 terms: one SQL level per term would pass SQLite's expression depth of 1000.
        string expression = string.Join(" or ", Enumerable.Range(0, 2_500).Select(i => $"pattern_id == \"p{i % 20:00}\""));
        Assert.True(expression.Length < FilterLimits.MaxLength);
        using var database = new FilterTestDatabase();
        Assert.Equal(FilterTestDatabase.AllIds, database.Match(expression));
    }

    [Fact]
    public void LongFlatAndChainWithinTheLimitsRunsInSqlite()
    {
        string expression = string.Join(" && ", Enumerable.Repeat("pattern_type != \"beta\"", 2_500));
        using var database = new FilterTestDatabase();
        Assert.Equal(13, database.Match(expression).Count);
    }

    [Fact]
    public void DeepestAcceptedNestingRunsInSqlite()
    {
        // 60 nots and a parenthesized comparison: just under the depth limit.
        using var database = new FilterTestDatabase();
        Assert.Equal(["p01", "p02"], database.Match(Repeat("not ", 60) + "(pattern_type == \"alpha\")"));
        Assert.Equal(["p01"],
            database.Match(Repeat("(", 60) + "coherence_metrics[\"n\"]" + Repeat(" + 1", 1) + Repeat(")", 60) + " == 4"));
        Assert.Equal(["p01"], database.Match("coherence_metrics[\"n\"]" + Repeat(" + 0", 55) + " == 3"));
    }

    [Theory]
    [InlineData("not ", "(pattern_type == \"a\")", "", "")]
    [InlineData("-", "coherence_metrics[\"n\"]", "", " > 1")]
    [InlineData("array_length(", "coherence_metrics", ")", " > 1")]
    public void TheCanonicalTextOfTheDeepestAcceptedTreeReadsBack(string open, string core, string close, string tail)
    {
        // Walk down from too deep to the first depth the parser accepts. Its canonical text opens up to
        // two levels per tree level, as in (not (...)), and must still be within the nesting limit.
        FilterNode? deepest = null;
        for (int count = FilterLimits.MaxDepth + 5; deepest is null; count--)
        {
            try
            {
                deepest = FilterParser.Parse(Repeat(open, count) + core + Repeat(close, count) + tail);
            }
            catch (MilvusOpsException error) when (error.ErrorId == "FilterTooComplex")
            {
            }
        }

        string canonical = FilterFormatter.Format(deepest);
        Assert.Equal(canonical, FilterFormatter.Format(FilterParser.Parse(canonical)!));
    }

    [Fact]
    public void TooManySqlParametersAreRefused()
    {
        string expression = "coherence_metrics[\"n\"] in [" + string.Join(",", Enumerable.Repeat("1", FilterLimits.MaxSqlParameters + 1)) + "]";
        Assert.True(expression.Length < FilterLimits.MaxLength);
        Assert.Contains("10,000", TooComplex(expression).Message);
    }

    [Fact]
    public void LargestInListWithinTheLimitsRunsInSqlite()
    {
        string expression = "coherence_metrics[\"n\"] in [" + string.Join(",", Enumerable.Repeat("3", FilterLimits.MaxSqlParameters - 1)) + "]";
        using var database = new FilterTestDatabase();
        Assert.Equal(["p01"], database.Match(expression));
    }
}
