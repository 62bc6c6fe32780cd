using System.Diagnostics;
using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>
/// Filters as large as Milvus 2.5 takes run on the embedded store, without a stack overflow and within SQLite's
/// limits; hostile ones end in FilterTooComplex, never in a stack overflow (which would kill the process).
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

    private static string[] Ids(string expected) => expected.Length == 0 ? [] : expected.Split(',');

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
        Assert.Contains("nesting", TooComplex(Repeat("not ", 60_000) + "(pattern_type == \"a\")").Message);

    [Fact]
    public void NotsBelowTheNestingLimitButTooDeepAreRefused()
    {
        string error = TooComplex(Repeat("not ", FilterLimits.MaxDepth + 50) + "(pattern_type == \"a\")").Message;
        Assert.Contains("syntax tree depth", error);
        Assert.Contains(FilterLimits.MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture), error);
    }

    [Theory]
    [InlineData("[", 600, "")]
    [InlineData("-", 600, "")]
    [InlineData("exists ", 600, "")]
    [InlineData("json_contains(coherence_metrics, ", 300, ")")]
    public void DeepPrefixesAreRefused(string prefix, int count, string suffix) => TooComplex(Repeat(prefix, count) + "1" + Repeat(suffix, count));

    [Fact]
    public void FlatArithmeticChainDeeperThanTheLimitIsRefused() =>
        Assert.Contains("syntax tree depth", TooComplex("coherence_metrics[\"n\"]" + Repeat(" + 1", FilterLimits.MaxDepth + 50) + " > 0").Message);

    [Fact]
    public void ConstantArithmeticFoldsWithoutDepth()
    {
        // Milvus folds constants as it parses: ten thousand terms are one literal, not a deep tree.
        using var database = new FilterTestDatabase();
        Assert.Equal(["p02"], database.Match("coherence_metrics[\"n\"] == 0" + Repeat(" + 1", 10)));
        Assert.Equal(["p02"], database.Match("coherence_metrics[\"n\"] == " + string.Join(" + ", Enumerable.Repeat("1", 10_000)) + " - 9990"));
    }

    [Fact]
    public void ExpressionOfExactlyTheMaximumLengthParses()
    {
        // The limit counts UTF-8 bytes, as the proxy's gRPC limit does: 'é' takes two.
        string prefix = "pattern_type == \"";
        int bytes = FilterLimits.MaxLength - prefix.Length - 1;
        string expression = prefix + new string('é', bytes / 2) + new string('a', bytes % 2) + "\"";
        Assert.Equal(FilterLimits.MaxLength, System.Text.Encoding.UTF8.GetByteCount(expression));
        Assert.NotNull(FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields));
        Assert.Contains("16,777,216", TooComplex(expression + " ").Message);
    }

    [Fact]
    public void LongFlatOrChainWithinTheLimitsRunsInSqlite()
    {
        // 2,500 terms: one SQL level per term would pass SQLite's expression depth of 1000.
        string expression = string.Join(" or ", Enumerable.Range(0, 2_500).Select(i => $"pattern_id == \"p{i % 20:00}\""));
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
    public void AThousandOrTermsOnJsonValuesRunInSqlite()
    {
        // Each term has its own value; the JSON path is bound once.
        string expression = string.Join(" or ", Enumerable.Range(0, 1_000).Select(i => $"coherence_metrics[\"n\"] == {i + 100}"))
            + " or not (coherence_metrics[\"q\"] < 0.5 or coherence_metrics[\"q\"] > 0.5)";
        using var database = new FilterTestDatabase();
        // q == 0.5 in p02; and p04, p05 and p08, whose q is no number, so neither comparison holds and not makes it true.
        Assert.Equal(Ids("p02,p04,p05,p08"), database.Match(expression));
        Assert.True(FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields)!.Parameters.Count < 1_010);
    }

    [Fact]
    public void DeepestAcceptedNestingRunsInSqlite()
    {
        using var database = new FilterTestDatabase();
        int nots = FilterLimits.MaxDepth - 2;
        Assert.Equal(nots % 2 == 0 ? ["p01", "p02"] : Ids("p03,p04,p05,p06,p07,p08,p09,p10,p11,p12,p14,p15"),
            database.Match(Repeat("not ", nots) + "(pattern_type == \"alpha\")"));
        Assert.Equal(["p01"], database.Match(Repeat("(", FilterLimits.MaxNesting - 1) + "coherence_metrics[\"n\"] + 1" + Repeat(")", FilterLimits.MaxNesting - 1) + " == 4"));
    }

    [Fact]
    public void TheDeepestAcceptedFilterWorksOnAOneMegabyteStack()
    {
        // Windows gives a thread 1 MB of stack; every walker must stay well inside it at the deepest accepted tree.
        string deep = Repeat("not (", FilterLimits.MaxDepth - 2) + "pattern_type == \"alpha\"" + Repeat(")", FilterLimits.MaxDepth - 2);
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                ParsedFilter parsed = ParsedFilter.Parse(deep, FilterTestDatabase.Fields)!;
                _ = parsed.ToSqlite();
                Assert.Equal(parsed.Text, ParsedFilter.Parse(parsed.Text, FilterTestDatabase.Fields)!.Text);
            }
            catch (Exception e)
            {
                failure = e;
            }
        }, maxStackSize: 1024 * 1024);
        thread.Start();
        thread.Join();
        Assert.Null(failure);
    }

    [Theory]
    [InlineData("not ", "(pattern_type == \"a\")", "", "")]
    [InlineData("not (", "pattern_type == \"a\"", ")", "")]
    [InlineData("-", "coherence_metrics[\"n\"]", "", " > 1")]
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
    public void AnInListOf32767ItemsRunsInSqliteAsOneParameter()
    {
        string[] ids = Enumerable.Range(0, 32_767).Select(i => $"p{i:00}").ToArray();
        string expression = "pattern_id in [" + string.Join(", ", ids.Select(id => $"\"{id}\"")) + "]";
        using var database = new FilterTestDatabase();
        var clock = Stopwatch.StartNew();
        Assert.Equal(FilterTestDatabase.AllIds, database.Match(expression));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"32,767 items took {clock.Elapsed}.");
        Assert.Single(FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields)!.Parameters);

        string numbers = "coherence_metrics[\"n\"] not in [" + string.Join(",", Enumerable.Range(4, 32_767)) + "]";
        Assert.Equal(Ids("p01,p03,p04,p05,p07,p08,p09,p10,p12,p13,p14,p15"), database.Match(numbers));
    }

    [Fact]
    public void ALikePatternOf50000CharactersRunsInSqlite()
    {
        using var database = new FilterTestDatabase();
        string longText = new('x', 50_000);
        Assert.Empty(database.Match($"pattern_type like \"{longText}%\""));
        Assert.Empty(database.Match($"pattern_type like \"%{longText}\""));
        Assert.Empty(database.Match($"coherence_metrics[\"name\"] like \"%{longText}%\""));
        Assert.Equal(["p01", "p02"], database.Match($"pattern_type like \"{longText}%\" or pattern_type like \"al%\""));

        // A pattern with wildcards inside is a GLOB, which SQLite takes up to 50,000 bytes.
        Assert.Empty(database.Match($"pattern_type like \"a_{new string('x', 49_000)}%\""));
    }

    [Fact]
    public void MoreDistinctValuesThanTheEmbeddedStoreBindsAreRefusedByItOnly()
    {
        string expression = string.Join(" or ", Enumerable.Range(0, FilterLimits.MaxSqlParameters + 1).Select(i => $"pattern_id like \"p{i}%\""));
        Assert.NotNull(ParsedFilter.Parse(expression, FilterTestDatabase.Fields)); // a Milvus connection sends it
        var error = Assert.ThrowsAny<MilvusOpsException>(() => FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields));
        Assert.Equal("FilterTooComplex", error.ErrorId);
        Assert.Contains("10,000", error.Message);
    }

    [Fact]
    public void ThirtyTwoThousandOrTermsOfValuesRunQuicklyAsOneParameter()
    {
        // A generated chain of field == value terms binds one JSON array per field, not a parameter per value.
        string expression = string.Join(" or ", Enumerable.Range(0, 32_767).Select(i => $"pattern_id == \"p{i:00}\""))
            + " or coherence_metrics[\"n\"] == 7 or coherence_metrics[\"n\"] == 7.0 or coherence_metrics[\"name\"] == \"x\"";
        using var database = new FilterTestDatabase();
        var clock = Stopwatch.StartNew();
        Assert.Equal(FilterTestDatabase.AllIds, database.Match(expression));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"32,767 or terms took {clock.Elapsed}.");
        Assert.True(FilterExpression.ToSqlite(expression, FilterTestDatabase.Fields)!.Parameters.Count < 10);
    }

    [Fact]
    public void TheMostDistinctValuesTheEmbeddedStoreBindsRunQuickly()
    {
        string expression = string.Join(" or ", Enumerable.Range(0, FilterLimits.MaxSqlParameters).Select(i => $"pattern_id like \"p{i:00}%\""));
        using var database = new FilterTestDatabase();
        var clock = Stopwatch.StartNew();
        Assert.Equal(FilterTestDatabase.AllIds, database.Match(expression));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"{FilterLimits.MaxSqlParameters:N0} parameters took {clock.Elapsed}.");
    }
}
