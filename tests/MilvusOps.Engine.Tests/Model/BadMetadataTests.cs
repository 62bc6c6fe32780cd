namespace MilvusOps.Engine.Tests.Model;

/// <summary>Metadata that cannot be stored as given is refused with an ErrorId naming the pattern and the field.</summary>
public sealed class BadMetadataTests
{
    private static readonly PatternCollection Collection = new()
    {
        Name = "c", Dimension = 2, Metric = MetricType.L2, IndexType = "HNSW",
        Fields = PatternSchema.Fields(new CollectionSpec { Name = "c", Dimension = 2 }),
    };

    private static MilvusOpsException Refused(string errorId, Action action)
    {
        var error = Assert.Throws<MilvusOpsException>(action);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        return error;
    }

    private static MilvusOpsException RefusedJson(string errorId, string json)
    {
        var error = Refused(errorId, () => Metadata.Validate(json, "coherence_metrics", "p1"));
        Assert.Contains("'p1'", error.Message);
        Assert.Contains("coherence_metrics", error.Message);
        Assert.Equal("p1", error.Target);
        return error;
    }

    private static string Nested(int depth) =>
        "{\"a\":" + string.Concat(Enumerable.Repeat("[", depth - 1)) + string.Concat(Enumerable.Repeat("]", depth - 1)) + "}";

    [Fact]
    public void JsonTextNestedPastTheLimitIsMetadataTooDeep()
    {
        Assert.NotNull(Metadata.Validate(Nested(Metadata.MaxDepth), "coherence_metrics", "p1"));
        Assert.Contains("64", RefusedJson("MetadataTooDeep", Nested(Metadata.MaxDepth + 1)).Message);
        RefusedJson("MetadataTooDeep", Nested(4_500));
    }

    [Theory]
    [InlineData("{\"q\": 1e400}")]
    [InlineData("{\"q\": -1e400}")]
    [InlineData("{\"q\": [0.5, 2E+309]}")]
    public void NumbersBeyondDoubleAreNumberOutOfRange(string json) => RefusedJson("NumberOutOfRange", json);

    [Theory]
    [InlineData("{\"q\": 1.7976931348623157e308, \"n\": 123456789012345678901234567890}")]
    [InlineData("{\"q\": 5e-324}")]
    public void LargeButFiniteNumbersPass(string json) => Assert.Equal(json, Metadata.Validate(json, "coherence_metrics", "p1"));

    // Compiled attribute arguments are stored as UTF-8, where a lone surrogate cannot survive: the
    // tests write "<D800>" for the surrogate and put it in at run time.
    private static string WithSurrogates(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "<([0-9A-F]{4})>", m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());

    [Theory]
    [InlineData("{\"k\": \"a<D800>b\"}")]
    [InlineData("{\"k<DC00>\": 1}")]
    [InlineData("{\"k\": \"<D83D>\"}")]
    [InlineData("{\"k\": \"\\ud800\"}")]
    [InlineData("{\"k\\udc00\": 1}")]
    public void LoneSurrogatesInJsonTextAreInvalidUtf8(string json) => RefusedJson("InvalidUtf8", WithSurrogates(json));

    [Theory]
    [InlineData("{\"k\": \"\uD83D\uDE00\"}")]
    [InlineData("{\"k\": \"\\ud83d\\ude00\"}")]
    public void SurrogatePairsPass(string json) => Assert.Equal(json, Metadata.Validate(json, "coherence_metrics", "p1"));

    [Fact]
    public void ADictionaryThatHoldsItselfIsRefusedNotAStackOverflow()
    {
        var metrics = new Dictionary<string, object?> { ["q"] = 0.9 };
        metrics["self"] = metrics;
        var error = Refused("MetadataTooDeep", () => Metadata.Serialize(metrics, "coherence_metrics", "p1"));
        Assert.Contains("'p1'", error.Message);
    }

    [Fact]
    public void ObjectsNestedPastTheLimitAreMetadataTooDeep()
    {
        object? Nest(int depth) => depth == 0 ? 1 : new Dictionary<string, object?> { ["a"] = Nest(depth - 1) };
        Assert.Equal(Metadata.MaxDepth, Metadata.Serialize(Nest(Metadata.MaxDepth)).Count(c => c == '{'));
        Refused("MetadataTooDeep", () => Metadata.Serialize(Nest(Metadata.MaxDepth + 1)));
        Refused("MetadataTooDeep", () => Metadata.Serialize(Nest(5_000)));
    }

    [Fact]
    public void ObjectsWithLoneSurrogatesOrInfinitiesAreRefused()
    {
        Refused("InvalidUtf8", () => Metadata.Serialize(new Dictionary<string, object?> { ["k"] = "a\uD800" }, "temporal_context", "p1"));
        Refused("InvalidUtf8", () => Metadata.Serialize(new Dictionary<string, object?> { ["\uDC00"] = 1 }, "temporal_context", "p1"));
        var error = Refused("NumberOutOfRange", () => Metadata.Serialize(new Dictionary<string, object?> { ["q"] = double.PositiveInfinity }, "temporal_context", "p1"));
        Assert.Contains("temporal_context", error.Message);
    }

    [Theory]
    [InlineData("a<D800>", null, "pattern_id")]
    [InlineData("<DC00>", null, "pattern_id")]
    [InlineData("ok", "type<D83D>", "pattern_type")]
    public void LoneSurrogatesInIdsAndTypesAreInvalidUtf8(string id, string? type, string field)
    {
        var pattern = new Pattern(WithSurrogates(id), [1f, 2f], type is null ? null : WithSurrogates(type), null, null);
        var error = Refused("InvalidUtf8", () => PatternValidator.Validate(pattern, Collection));
        Assert.Contains(field, error.Message);
        Assert.Contains("U+D", error.Message);
    }

    [Fact]
    public void AnEmojiIdPasses() =>
        PatternValidator.Validate(new Pattern("p\uD83D\uDE00", [1f, 2f], "t\uD83D\uDE00", "{\"k\":\"\uD83D\uDE00\"}", null), Collection);
}
