using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Tests.Search;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Engine.Tests.Embedded;

/// <summary>HNSW collections on the embedded store: searched through a graph that is kept up to date, saved, and never
/// used for a version it does not hold.</summary>
public sealed class EmbeddedGraphTests : IDisposable
{
    private const int Dimension = 32, Rows = 3000, Top = 10;
    private static readonly StructuredVectors Data = new(Dimension, seed: 11);
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-graph-").FullName;

    private string StorePath => Path.Combine(_folder, "store.db");
    private string GraphFolder => StorePath + "-hnsw";

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private EmbeddedStore Open() => new(StorePath, TimeSpan.FromSeconds(2)) { ExactSearchBelowRows = 0 };

    private static Pattern Row(int i, string type = "t") => new($"p{i:D5}", Data.Row(i), i % 4 == 0 ? "rare" : type, null, null);

    private static EmbeddedStore Filled(EmbeddedStore store, MetricType metric = MetricType.L2, string index = "HNSW")
    {
        store.CreateCollection(new CollectionSpec
        {
            Name = "g", Dimension = Dimension, Metric = metric, IndexType = index, IndexParametersJson = """{"M":16,"efConstruction":100}""",
        }, ifNotExists: false);
        for (int start = 0; start < Rows; start += 500)
            store.Upsert("g", Enumerable.Range(start, 500).Select(i => Row(i)).ToList());
        return store;
    }

    private static SearchRequest Queries(int count, int top = Top, IReadOnlyDictionary<string, object?>? parameters = null, string? filter = null) =>
        new(Enumerable.Range(0, count).Select(q => $"q{q}").ToList(), Enumerable.Range(0, count).Select(q => Data.Row(1_000_000 + q)).ToList(),
            top, filter, parameters);

    /// <summary>recall@k against the double-precision brute force over the given rows; every hit's distance is checked exact.</summary>
    private static double Recall(IReadOnlyList<IReadOnlyList<SearchHit>> hits, SearchRequest request, MetricType metric, IReadOnlyList<Pattern> rows)
    {
        var vectors = rows.Select(r => r.Vector.ToArray()).ToArray();
        var byId = rows.Select((r, i) => (r.PatternId, i)).ToDictionary(x => x.PatternId, x => x.i);
        int found = 0, wanted = 0;
        for (int q = 0; q < hits.Count; q++)
        {
            var truth = NaiveSearch.Rank(metric, vectors, request.Vectors[q], null).Take(request.Top).Select(t => rows[t.Position].PatternId).ToHashSet();
            foreach (var hit in hits[q])
            {
                double exact = NaiveSearch.Distance(metric, request.Vectors[q], vectors[byId[hit.PatternId]]);
                Assert.Equal(exact, hit.Distance, 1e-4 * (1 + Math.Abs(exact)));
            }
            Assert.True(hits[q].Zip(hits[q].Skip(1)).All(p => metric.IsSimilarity() ? p.First.Distance >= p.Second.Distance : p.First.Distance <= p.Second.Distance));
            found += hits[q].Count(h => truth.Contains(h.PatternId));
            wanted += truth.Count;
        }
        return (double)found / wanted;
    }

    private static List<Pattern> AllRows() => Enumerable.Range(0, Rows).Select(i => Row(i)).ToList();

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.COSINE)]
    public void An_HNSW_collection_is_searched_through_its_graph_with_exact_distances(MetricType metric)
    {
        using var store = Filled(Open(), metric);
        var request = Queries(40);
        double recall = Recall(store.Search("g", request), request, metric, AllRows());
        Assert.True(recall >= 0.95, $"recall@10 {recall}");
        Assert.Equal(1, store.GraphsBuilt);
        Assert.Equal(0, store.VectorLoads);   // no exact copy of the vectors beside the graph
        // ef as large as the collection visits every row: the answer is the exact one.
        var wide = Queries(10, parameters: new Dictionary<string, object?> { ["ef"] = Rows });
        Assert.Equal(1.0, Recall(store.Search("g", wide), wide, metric, AllRows()));
        Assert.Equal(1, store.GraphsBuilt);
    }

    [Fact]
    public void Writes_reach_the_graph_without_a_rebuild()
    {
        using var store = Filled(Open());
        var request = Queries(1);
        store.Search("g", request);
        var near = new Pattern("near", request.Vectors[0].Select(v => v + 1e-3f).ToArray(), "t", null, null);
        store.Upsert("g", [near]);
        Assert.Equal("near", store.Search("g", request)[0][0].PatternId);

        // A row moved next to the query is found there; the row it replaced is not.
        store.Upsert("g", [new Pattern("p00005", request.Vectors[0].Select(v => v + 2e-3f).ToArray(), "t", null, null)]);
        var hits = store.Search("g", request)[0];
        Assert.Equal(["near", "p00005"], hits.Take(2).Select(h => h.PatternId));

        store.Delete("g", ["near"]);
        Assert.Equal("p00005", store.Search("g", request)[0][0].PatternId);
        Assert.Equal(1, store.GraphsBuilt);
    }

    [Fact]
    public void Appends_are_found_above_the_graph_and_reused_rowids_through_the_change_log()
    {
        using var store = Filled(Open());
        Assert.Equal(0, LoggedRows());   // appends cost no log row: an HNSW import writes at FLAT's rate
        // A gap below the highest rowid before the graph is built: the graph's highest rowid stays 3000.
        store.Delete("g", Enumerable.Range(1000, 1900).Select(i => $"p{i:D5}").ToList());
        var request = Queries(20);
        store.Search("g", request);

        // Then the rows above the gap go too, and SQLite hands the next inserts rowids inside the gap: at or below the
        // graph's highest, yet never logged by the delete that freed them (it came before the graph).
        store.Delete("g", Enumerable.Range(2900, 100).Select(i => $"p{i:D5}").ToList());
        var near = Enumerable.Range(0, 5).Select(q => new Pattern($"near{q}", request.Vectors[q].ToArray(), "t", null, null)).ToList();
        store.Upsert("g", near);
        var hits = store.Search("g", request);
        for (int q = 0; q < 5; q++) Assert.Equal(($"near{q}", 0.0), (hits[q][0].PatternId, hits[q][0].Distance));
        Assert.True(Recall(hits, request, MetricType.L2, [.. AllRows().Take(1000), .. near]) >= 0.95);
        Assert.Equal(1, store.GraphsBuilt);
    }

    private long LoggedRows()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={StorePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM c_1_changes";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void Another_process_reuses_the_saved_graph_and_catches_up_on_writes_since()
    {
        using (var first = Filled(Open()))
        {
            first.Search("g", Queries(1));
            first.WaitForGraphSaves();
        }
        Assert.Single(Directory.GetFiles(GraphFolder, "*.usearch"));

        var request = Queries(20);
        using (var writer = Open()) writer.Upsert("g", [new Pattern("near", request.Vectors[3].ToArray(), "t", null, null)]);
        using var second = Open();
        var hits = second.Search("g", request);
        Assert.Equal((0L, 1L), (second.GraphsBuilt, second.GraphsLoaded));
        Assert.Equal("near", hits[3][0].PatternId);
        Assert.Equal(0.0, hits[3][0].Distance);
        Assert.True(Recall(hits, request, MetricType.L2, [.. AllRows(), new Pattern("near", request.Vectors[3], "t", null, null)]) >= 0.95);
    }

    [Fact]
    public void A_damaged_or_foreign_graph_file_is_rebuilt_never_used()
    {
        using (var first = Filled(Open()))
        {
            first.Search("g", Queries(1));
            first.WaitForGraphSaves();
        }
        string saved = Directory.GetFiles(GraphFolder, "*.usearch").Single();
        File.WriteAllBytes(saved, new byte[4096]);
        using (var second = Open())
        {
            Assert.True(Recall(second.Search("g", Queries(5)), Queries(5), MetricType.L2, AllRows()) >= 0.9);
            Assert.Equal((1L, 0L), (second.GraphsBuilt, second.GraphsLoaded));
            second.WaitForGraphSaves();
        }

        // A graph of the same shape over other vectors (a copy from another store, say) fails the sample check.
        using (var other = new EmbeddedStore(Path.Combine(_folder, "other.db"), TimeSpan.FromSeconds(2)) { ExactSearchBelowRows = 0 })
        {
            other.CreateCollection(new CollectionSpec { Name = "g", Dimension = Dimension, IndexType = "HNSW" }, false);
            other.Upsert("g", Enumerable.Range(0, Rows).Select(i => new Pattern($"p{i:D5}", Data.Row(50_000 + i), "t", null, null)).ToList());
            other.Search("g", Queries(1));
            other.WaitForGraphSaves();
        }
        string foreign = Directory.GetFiles(Path.Combine(_folder, "other.db-hnsw"), "*.usearch").Single();
        saved = Directory.GetFiles(GraphFolder, "*.usearch").Single();
        File.Copy(foreign, saved, overwrite: true);
        using var third = Open();
        Assert.True(Recall(third.Search("g", Queries(5)), Queries(5), MetricType.L2, AllRows()) >= 0.9);
        Assert.Equal((1L, 0L), (third.GraphsBuilt, third.GraphsLoaded));
    }

    [Fact]
    public void A_selective_filter_is_searched_exactly_and_a_broad_one_through_the_graph()
    {
        using var store = Filled(Open());
        var rare = AllRows().Where(r => r.PatternType == "rare").ToList();
        var request = Queries(20, filter: "pattern_type == \"rare\"");
        Assert.Equal(1.0, Recall(store.Search("g", request), request, MetricType.L2, rare));

        store.ExactFilterMaximumRows = 0;
        var hits = store.Search("g", request);
        Assert.All(hits.SelectMany(h => h), h => Assert.Equal("rare", h.PatternType));
        double recall = Recall(hits, request, MetricType.L2, rare);
        Assert.True(recall >= 0.9, $"recall@10 {recall}");

        var none = Queries(2, filter: "pattern_type == \"none\"");
        Assert.All(store.Search("g", none), h => Assert.Empty(h));
    }

    [Fact]
    public void Small_collections_and_other_index_types_are_searched_exactly()
    {
        using (var store = new EmbeddedStore(StorePath, TimeSpan.FromSeconds(2)) { ExactSearchBelowRows = Rows + 1 })
        {
            Filled(store);
            Assert.Equal(1.0, Recall(store.Search("g", Queries(5)), Queries(5), MetricType.L2, AllRows()));
            Assert.Equal((0L, 1L), (store.GraphsBuilt, store.VectorLoads));
        }
        File.Delete(StorePath);
        using var flat = Filled(Open(), index: "FLAT");
        flat.Search("g", Queries(1));
        Assert.Equal(0, flat.GraphsBuilt);
        Assert.False(Directory.Exists(GraphFolder));
    }

    [Fact]
    public void Dropping_a_collection_removes_its_saved_graph()
    {
        using var store = Filled(Open());
        store.Search("g", Queries(1));
        store.WaitForGraphSaves();
        Assert.Single(Directory.GetFiles(GraphFolder));
        File.WriteAllText(Path.Combine(GraphFolder, "operator-notes.txt"), "mine");
        store.DropCollection("g");
        Assert.Equal(["operator-notes.txt"], Directory.GetFiles(GraphFolder).Select(Path.GetFileName));
    }
}
