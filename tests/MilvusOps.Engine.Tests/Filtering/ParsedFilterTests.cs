using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>The parsed filter both stores render from: the canonical text Milvus receives, and one check for both.</summary>
public sealed class ParsedFilterTests
{
    private static ParsedFilter Parse(string expression) => ParsedFilter.Parse(expression, FilterTestDatabase.Fields)!;

    [Theory]
    [InlineData("5 > coherence_metrics['n'] >= 1 && pattern_type LIKE 'a%' || !(pattern_id IN ['x', \"y\"])",
        """(((1 <= coherence_metrics["n"] < 5) and (pattern_type like "a%")) or (not (pattern_id in ["x", "y"])))""")]
    [InlineData("5 > coherence_metrics['n'] >= 1 && !(pattern_id IN ['x'])", // README's example
        """((1 <= coherence_metrics["n"] < 5) and (not (pattern_id in ["x"])))""")]
    [InlineData("coherence_metrics[\"q\"] >= 0x10 and temporal_context['a'][0] == True",
        """((coherence_metrics["q"] >= 16) and (temporal_context["a"][0] == true))""")]
    [InlineData("pattern_type NOT IN ['it\\'s'] and EXISTS coherence_metrics[\"flag\"] and pattern_type IS NOT NULL",
        """(((pattern_type not in ["it's"]) and (exists coherence_metrics["flag"])) and (pattern_type is not null))""")]
    [InlineData("ARRAY_LENGTH(temporal_context[\"arr\"]) > 1 + 1 and json_contains_any(temporal_context[\"arr\"], [[1, 2]])",
        """((ARRAY_LENGTH(temporal_context["arr"]) > 2) and json_contains_any(temporal_context["arr"], [[1, 2]]))""")]
    [InlineData("pattern_type like \"100\\\\%_\"", """(pattern_type like "100\\%_")""")]
    [InlineData("coherence_metrics['it\\'s'] == -2 ** 0.5 or pattern_type == '\\303\\267' or empty(pattern_type)",
        """(((coherence_metrics["it\'s"] == -1.4142135623730951) or (pattern_type == "÷")) or empty(pattern_type))""")]
    public void TheTextMilvusReceivesIsCanonicalAndReadsBackToTheSameTree(string expression, string canonical)
    {
        ParsedFilter parsed = Parse(expression);
        Assert.Equal(canonical, parsed.Text);
        Assert.Equal(expression, parsed.Expression);

        ParsedFilter again = Parse(parsed.Text);
        Assert.Equal(parsed.Text, again.Text);
        Assert.Equal(FilterFormatter.Format(parsed.Tree), FilterFormatter.Format(again.Tree));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(" \t\n")]
    public void NoExpressionIsNoFilter(string? expression) => Assert.Null(ParsedFilter.Parse(expression, FilterTestDatabase.Fields));

    [Fact]
    public void TheSqlIsRenderedFromTheSameTree()
    {
        ParsedFilter parsed = Parse("pattern_type == \"alpha\" and coherence_metrics[\"q\"] > 0.9");
        using var database = new FilterTestDatabase();
        Assert.Equal(database.Match(parsed.Expression), database.Match(parsed.Text));
        Assert.Equal(["p01"], database.Match(parsed.Text));
    }
}
