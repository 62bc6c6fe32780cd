using MilvusOps.Engine.Backends.Embedded;

namespace MilvusOps.Engine.Tests.Embedded;

public sealed class EmbeddedStoreTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-engine-").FullName;

    private string StorePath => Path.Combine(_folder, "store.db");

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private EmbeddedStore Open() => new(StorePath, TimeSpan.FromSeconds(2));

    private static Pattern Make(string id, params float[] vector) => new(id, vector, "t", """{"quantum_coherence":0.95}""", null);

    [Fact]
    public void A_write_through_another_store_instance_invalidates_the_cached_vectors()
    {
        // Two instances on one file stand in for two processes: each has its own vector cache.
        var reader = Open();
        var writer = Open();
        reader.CreateCollection(new CollectionSpec { Name = "p", Dimension = 2 }, ifNotExists: false);
        writer.Upsert("p", [Make("far", 10, 10)]);
        var query = new SearchRequest(["q"], [new float[] { 0, 0 }], Top: 1);
        Assert.Equal("far", reader.Search("p", query)[0][0].PatternId);
        writer.Upsert("p", [Make("near", 0, 1)]);
        Assert.Equal("near", reader.Search("p", query)[0][0].PatternId);
        writer.Delete("p", ["near"]);
        Assert.Equal("far", reader.Search("p", query)[0][0].PatternId);
    }

    [Fact]
    public void Searches_reuse_the_cached_vectors_until_a_write()
    {
        var store = Open();
        store.CreateCollection(new CollectionSpec { Name = "p", Dimension = 2 }, ifNotExists: false);
        store.Upsert("p", [Make("a", 1, 1), Make("b", 2, 2)]);
        var query = new SearchRequest(["q"], [new float[] { 0, 0 }], Top: 1);
        for (int i = 0; i < 5; i++) store.Search("p", query);
        store.Search("p", query with { Filter = "pattern_type == \"t\"" });
        Assert.Equal(1, store.VectorLoads);
        store.Upsert("p", [Make("c", 3, 3)]);
        store.Search("p", query);
        store.Search("p", query);
        Assert.Equal(2, store.VectorLoads);
    }

    [Fact]
    public void A_failing_batch_writes_nothing()
    {
        var store = Open();
        store.CreateCollection(new CollectionSpec { Name = "p", Dimension = 2 }, false);
        var error = Assert.Throws<MilvusOpsException>(() => store.Upsert("p", [Make("a", 1, 2), Make("b", 1, 2, 3)]));
        Assert.Equal("VectorDimensionMismatch", error.ErrorId);
        Assert.Equal(0, store.Count("p"));
    }

    [Fact]
    public void Query_is_in_primary_key_order_with_limit_and_offset()
    {
        var store = Open();
        store.CreateCollection(new CollectionSpec { Name = "p", Dimension = 1 }, false);
        store.Upsert("p", [Make("c", 3), Make("a", 1), Make("b", 2), Make("d", 4)]);
        Assert.Equal(["b", "c"], store.Query("p", null, limit: 2, offset: 1).Select(p => p.PatternId));
        Assert.Equal(["a", "b"], store.Query("p", "pattern_id < \"c\"").Select(p => p.PatternId));
    }

    [Fact]
    public void Vectors_and_json_round_trip_exactly()
    {
        var store = Open();
        store.CreateCollection(new CollectionSpec { Name = "p", Dimension = 3 }, false);
        float[] vector = [float.Epsilon, -0f, 1.0000001f];
        const string metrics = """{ "quantum_coherence" : 0.95, "nested": {"k": [1, 2.5, "x"]} }""";
        store.Upsert("p", [new Pattern("x", vector, null, metrics, null)]);
        var read = store.Get("p", ["x"]).Single();
        Assert.Equal(vector.Select(BitConverter.SingleToInt32Bits), read.Vector.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(metrics, read.CoherenceMetricsJson);
    }

    [Fact]
    public void Collections_persist_their_schema_across_reopening()
    {
        Open().CreateCollection(new CollectionSpec { Name = "p", Dimension = 7, Metric = MetricType.IP, IndexType = "GPU_CAGRA", IndexParametersJson = """{"graph_degree":64}""", Description = "d" }, false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var collection = Open().DescribeCollection("p");
        Assert.Equal((7, MetricType.IP, "GPU_CAGRA", "d"), (collection.Dimension, collection.Metric, collection.IndexType, collection.Description));
        Assert.Equal(64L, collection.IndexParameters!["graph_degree"]);
    }

    [Fact]
    public void Search_parameters_do_not_change_exact_results()
    {
        var store = Open();
        store.CreateCollection(new CollectionSpec { Name = "h", Dimension = 2, IndexType = "HNSW", IndexParametersJson = """{"M":8}""" }, false);
        store.CreateCollection(new CollectionSpec { Name = "g", Dimension = 2, Metric = MetricType.IP, IndexType = "GPU_CAGRA" }, false);
        var patterns = Enumerable.Range(0, 40).Select(i => Make($"p{i:D2}", i % 7, i / 7)).ToArray();
        store.Upsert("h", patterns);
        store.Upsert("g", patterns);
        var query = new SearchRequest(["q"], [new float[] { 3, 2 }], Top: 10);
        var exact = store.Search("h", query)[0].Select(h => h.PatternId).ToList();

        // The session checks the parameters (PatternSessionTests); the embedded store takes them and stays exact.
        var withEf = store.Search("h", query with { Parameters = new Dictionary<string, object?> { ["ef"] = "10" } })[0];
        Assert.Equal(exact, withEf.Select(h => h.PatternId));
        Assert.Equal(40, store.Search("g", query with { Top = 1024, Parameters = new Dictionary<string, object?> { ["itopk_size"] = 1024 } })[0].Count);
    }

    [Fact]
    public void Search_with_a_filter_that_matches_nothing_returns_no_hits()
    {
        var store = Open();
        store.CreateCollection(new CollectionSpec { Name = "p", Dimension = 1 }, false);
        store.Upsert("p", [Make("a", 1)]);
        var hits = store.Search("p", new SearchRequest(["q"], [new float[] { 1 }], Filter: "pattern_type == \"none\""));
        Assert.Empty(Assert.Single(hits));
    }
}
