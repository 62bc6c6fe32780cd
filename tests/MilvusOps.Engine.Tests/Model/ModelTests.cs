namespace MilvusOps.Engine.Tests.Model;

public sealed class MetadataTests
{
    [Fact]
    public void Parse_keeps_integer_and_float_types_and_matches_keys_ignoring_case()
    {
        var document = Metadata.Parse("""{"a": 1, "b": 1.0, "c": [true, null, "s"], "d": {"e": 2e3}}""")!;
        Assert.Equal(1L, document["A"]);
        Assert.Equal(1.0, document["b"]);
        Assert.Equal(new object?[] { true, null, "s" }, (object?[])document["c"]!);
        Assert.Equal(2000.0, ((MetadataDictionary)document["d"]!)["e"]);
        Assert.Equal("""{"a":1,"b":1,"c":[true,null,"s"],"d":{"e":2000}}""", Metadata.Serialize(document));
    }

    [Fact]
    public void Keys_that_differ_only_in_case_keep_exact_matching_so_nothing_is_lost()
    {
        var document = Metadata.Parse("""{"k": 1, "K": 2}""")!;
        Assert.Equal(2, document.Count);
        Assert.Equal(1L, document["k"]);
        Assert.Equal(2L, document["K"]);
    }

    [Fact]
    public void Canonical_form_ignores_key_order_and_spacing()
    {
        Assert.Equal(Metadata.Canonical(Metadata.Parse("""{"b": {"y": 1, "x": 2}, "a": 0.5}""")),
                     Metadata.Canonical(Metadata.Parse("""{ "a":0.5, "b":{"x":2,"y":1} }""")));
        Assert.NotEqual(Metadata.Canonical(Metadata.Parse("""{"a": 1}""")), Metadata.Canonical(Metadata.Parse("""{"a": "1"}""")));
    }

    [Theory]
    [InlineData("""{"a": 1""", "InvalidJson")]
    [InlineData("[1, 2]", "InvalidJson")]
    [InlineData("\"text\"", "InvalidJson")]
    public void Validate_rejects_what_is_not_a_json_object(string json, string errorId)
    {
        var error = Assert.Throws<MilvusOpsException>(() => Metadata.Validate(json, "coherence_metrics", "p1"));
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Equal("p1", error.Target);
        Assert.Contains("coherence_metrics", error.Message);
    }

    [Fact]
    public void Validate_rejects_json_over_the_Milvus_limit()
    {
        string json = "{\"k\":\"" + new string('x', Metadata.MaxJsonBytes) + "\"}";
        Assert.Equal("JsonTooLarge", Assert.Throws<MilvusOpsException>(() => Metadata.Validate(json, "temporal_context", "p")).ErrorId);
    }
}

public sealed class CollectionSpecTests
{
    [Fact]
    public void SchemaMatches_ComparesBuildParametersAsTheRulesReadThem()
    {
        var spec = new CollectionSpec
        {
            Name = "g", Dimension = 8, Metric = MetricType.IP, IndexType = "GPU_CAGRA",
            IndexParametersJson = """{"graph_degree":32,"intermediate_graph_degree":64,"cache_dataset_on_device":true}""",
        }.Validate();
        PatternCollection Existing(string json) => new()
        {
            Name = "g", Dimension = 8, Metric = MetricType.IP, IndexType = "GPU_CAGRA",
            IndexParameters = Metadata.Parse(json), Fields = PatternSchema.Fields(spec),
        };

        // As a server may echo them: numbers and booleans as text.
        Assert.True(spec.SchemaMatches(Existing("""{"graph_degree":"32","intermediate_graph_degree":"64","cache_dataset_on_device":"true"}""")));
        Assert.False(spec.SchemaMatches(Existing("""{"graph_degree":"16","intermediate_graph_degree":"64","cache_dataset_on_device":"true"}""")));
        Assert.False(spec.SchemaMatches(Existing("""{"graph_degree":32,"intermediate_graph_degree":64}""")));
        Assert.False(spec.SchemaMatches(Existing("""{"not_a_cagra_key":1}""")));
    }

    [Theory]
    [InlineData("1starts_with_digit", 512, "HNSW", MetricType.L2, "InvalidCollectionName")]
    [InlineData("has-dash", 512, "HNSW", MetricType.L2, "InvalidCollectionName")]
    [InlineData("ok", 0, "HNSW", MetricType.L2, "InvalidDimension")]
    [InlineData("ok", 32769, "HNSW", MetricType.L2, "InvalidDimension")]
    [InlineData("ok", 512, "ANNOY", MetricType.L2, "InvalidIndexType")]
    [InlineData("ok", 512, "GPU_CAGRA", MetricType.COSINE, "MetricNotSupportedByIndex")]
    public void Validate_applies_Milvus_rules(string name, int dimension, string index, MetricType metric, string errorId)
    {
        var spec = new CollectionSpec { Name = name, Dimension = dimension, IndexType = index, Metric = metric };
        var error = Assert.Throws<MilvusOpsException>(() => spec.Validate());
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void Pattern_validation_names_the_pattern()
    {
        var collection = new PatternCollection { Name = "c", Dimension = 2, Metric = MetricType.L2, IndexType = "HNSW", Fields = PatternSchema.Fields(new CollectionSpec { Name = "c", Dimension = 2 }) };
        var error = Assert.Throws<MilvusOpsException>(() => PatternValidator.Validate(new Pattern("p9", [1f, float.NaN], null, null, null), collection));
        Assert.Equal(("VectorNotFinite", "p9"), (error.ErrorId, error.Target));
        Assert.Contains("vector[1]", error.Message);
    }
}
