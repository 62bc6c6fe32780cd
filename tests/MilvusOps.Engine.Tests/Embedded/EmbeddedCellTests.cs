using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Search.Cells;
using MilvusOps.Engine.Session;
using MilvusOps.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace MilvusOps.Engine.Tests.Embedded;

/// <summary>Hilbert-cell partitioning on the embedded store: the model fitted once, every row's cell kept with its
/// vector, and a search limited to the cells nearest each query.</summary>
public sealed class EmbeddedCellTests : IDisposable
{
    private const int Dimension = 32, Top = 10;
    private static readonly StructuredVectors Data = new(Dimension, seed: 17);
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-cells-").FullName;

    private string StorePath => Path.Combine(_folder, "store.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static Pattern Row(int i, int vectorSeed = -1) =>
        new($"p{i:D5}", Data.Row(vectorSeed < 0 ? i : vectorSeed), i % 5 == 0 ? "rare" : "common", null, null);

    private EmbeddedStore Store(string index = "FLAT", CollectionPartitioning partitioning = CollectionPartitioning.Hilbert)
    {
        var store = new EmbeddedStore(StorePath, TimeSpan.FromSeconds(2)) { ExactSearchBelowRows = 0 };
        store.CreateCollection(new CollectionSpec { Name = "c", Dimension = Dimension, IndexType = index, Partitioning = partitioning }, ifNotExists: false);
        return store;
    }

    private static void Fill(EmbeddedStore store, int from, int to)
    {
        for (int start = from; start < to; start += 400)
            store.Upsert("c", Enumerable.Range(start, Math.Min(400, to - start)).Select(i => Row(i)).ToList());
    }

    private static SearchRequest Queries(int count, int? cells, string? filter = null, List<string>? explained = null) =>
        new(Enumerable.Range(0, count).Select(q => $"q{q}").ToList(), Enumerable.Range(0, count).Select(q => Data.Row(500_000 + q)).ToList(), Top, filter)
        {
            Cells = cells,
            Explain = explained is null ? null : explained.Add,
        };

    private static float L2(float[] a, float[] b)
    {
        double sum = 0;
        for (int d = 0; d < a.Length; d++) sum += ((double)a[d] - b[d]) * ((double)a[d] - b[d]);
        return (float)sum;
    }

    private static string[][] Ids(IReadOnlyList<IReadOnlyList<SearchHit>> hits) => [.. hits.Select(list => list.Select(h => h.PatternId).ToArray())];

    /// <summary>Each row's stored cell, and the model's cell for its vector, read straight from the file.</summary>
    private (long? Stored, int Expected)[] Cells()
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var modelQuery = connection.CreateCommand();
        modelQuery.CommandText = "SELECT model FROM milvusops_cell_models WHERE collection_id = 1";
        var model = CellModel.FromJson((string)modelQuery.ExecuteScalar()!, Dimension)!;
        using var rows = connection.CreateCommand();
        rows.CommandText = "SELECT cell, vector FROM c_1";
        using var reader = rows.ExecuteReader();
        var cells = new List<(long?, int)>();
        while (reader.Read())
            cells.Add((reader.IsDBNull(0) ? null : reader.GetInt64(0), model.CellOf(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)))));
        return [.. cells];
    }

    private long ModelRows()
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM milvusops_cell_models";
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void Before_the_model_is_fitted_a_search_by_cells_is_exact_and_says_so()
    {
        using var store = Store();
        Fill(store, 0, CellPartitioning.FitRows - 1);
        Assert.Equal(0, ModelRows());
        var explained = new List<string>();
        var byCells = store.Search("c", Queries(5, cells: 1, explained: explained));
        Assert.Equal(Ids(store.Search("c", Queries(5, cells: null))), Ids(byCells));
        Assert.Contains(explained, line => line.Contains("no cells yet", StringComparison.Ordinal));
    }

    [Fact]
    public void The_write_that_reaches_the_fit_size_gives_every_row_its_cell_and_later_writes_keep_them()
    {
        using var store = Store("HNSW");
        Fill(store, 0, CellPartitioning.FitRows + 200);
        Assert.Equal(1, ModelRows());
        Assert.All(Cells(), cell => Assert.Equal(cell.Expected, cell.Stored));

        // New rows, and rows given another vector, get their vector's cell in the same write.
        store.Upsert("c", [.. Enumerable.Range(0, 50).Select(i => Row(i, vectorSeed: 90_000 + i)), .. Enumerable.Range(3_000, 50).Select(i => Row(i))]);
        Assert.Equal(1, ModelRows());
        var cells = Cells();
        Assert.Equal(CellPartitioning.FitRows + 250, cells.Length);
        Assert.All(cells, cell => Assert.Equal(cell.Expected, cell.Stored));
    }

    [Fact]
    public void A_file_put_back_from_before_the_fit_is_fitted_again_not_searched_with_the_model_this_process_remembers()
    {
        using var store = Store();
        Fill(store, 0, 500);
        SqliteConnection.ClearAllPools();   // the last connection's close writes the log into the file
        File.Copy(StorePath, StorePath + ".before-fit");
        Fill(store, 500, 1_100);
        store.Search("c", Queries(2, cells: 16));   // this process now holds the fitted model
        Assert.Equal(1, ModelRows());

        SqliteConnection.ClearAllPools();
        File.Copy(StorePath + ".before-fit", StorePath, overwrite: true);
        Assert.Equal(0, ModelRows());
        var explained = new List<string>();
        store.Search("c", Queries(2, cells: 16, explained: explained));
        Assert.Contains(explained, line => line.Contains("no cells yet", StringComparison.Ordinal));
        Fill(store, 500, 1_100);
        Assert.Equal(1, ModelRows());
        Assert.All(Cells(), cell => Assert.Equal(cell.Expected, cell.Stored));
    }

    [Fact]
    public void All_cells_search_every_row_and_fewer_cells_trade_recall_for_rows_read()
    {
        using var store = Store("HNSW");
        Fill(store, 0, 4_000);
        var exact = Ids(store.Search("c", Queries(40, cells: null) with { Parameters = new Dictionary<string, object?> { ["ef"] = 4_000 } }));
        // Every cell is the collection's usual search: here, the graph.
        Assert.Equal(Ids(store.Search("c", Queries(40, cells: null))), Ids(store.Search("c", Queries(40, cells: CellPartitioning.CellCount))));
        // The rows are held cell by cell in memory: each hit must still carry its own row's vector's distance, and the
        // exact answer must be the brute-force one.
        var request = Queries(40, cells: 64);
        var hits = store.Search("c", request);
        for (int q = 0; q < hits.Count; q++)
        {
            foreach (var hit in hits[q])
                Assert.Equal(L2(request.Vectors[q], Data.Row(int.Parse(hit.PatternId.AsSpan(1)))), hit.Distance, 3);
            var truth = Enumerable.Range(0, 4_000).OrderBy(i => L2(request.Vectors[q], Data.Row(i))).Take(Top).Select(i => $"p{i:D5}");
            Assert.Equal(truth, exact[q]);
        }

        double Recall(int cells) => Ids(store.Search("c", Queries(40, cells))).Zip(exact).Average(p => p.First.Intersect(p.Second).Count() / (double)Top);
        double few = Recall(16), many = Recall(512);
        Assert.True(few < many, $"recall with 16 cells {few}, with 512 {many}");
        Assert.True(many >= 0.9, $"recall with 512 cells {many}");
    }

    [Fact]
    public void A_filter_and_cells_together_return_only_rows_that_pass_from_those_cells()
    {
        using var store = Store();
        Fill(store, 0, 3_000);
        var hits = store.Search("c", Queries(10, cells: 256, filter: "pattern_type == \"rare\""));
        var all = Ids(store.Search("c", Queries(10, cells: CellPartitioning.CellCount, filter: "pattern_type == \"rare\"")));
        Assert.All(hits.SelectMany(h => h), hit => Assert.Equal("rare", hit.PatternType));
        Assert.All(Ids(hits).Zip(all), pair => Assert.True(pair.First.Intersect(pair.Second).Count() >= pair.First.Length / 2));
    }

    [Fact]
    public void The_collection_says_it_is_partitioned_a_different_request_is_refused_and_a_drop_takes_the_model()
    {
        using var store = Store();
        Fill(store, 0, CellPartitioning.FitRows);
        var described = store.DescribeCollection("c");
        Assert.Equal(CollectionPartitioning.Hilbert, described.Partitioning);
        Assert.Equal(CollectionPartitioning.Hilbert, described.ToSpec("copy").Partitioning);
        var mismatch = Assert.Throws<MilvusOpsException>(() =>
            store.CreateCollection(new CollectionSpec { Name = "c", Dimension = Dimension, IndexType = "FLAT" }, ifNotExists: true));
        Assert.Equal("CollectionSchemaMismatch", mismatch.ErrorId);
        store.DropCollection("c");
        Assert.Equal(0, ModelRows());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4097)]
    [InlineData("many")]
    public void Cells_out_of_range_are_refused_before_the_search(object cells)
    {
        using var store = Store();
        var session = new PatternSession(new MilvusConnection(store, store), default);
        var error = Assert.Throws<MilvusOpsException>(() => session.PlanSearch("c", Top, new Dictionary<string, object?> { ["cells"] = cells }));
        Assert.Equal(("InvalidSearchParameter", "cells"), (error.ErrorId, error.Target));
    }

    [Fact]
    public void Cells_are_taken_as_any_whole_number_as_the_index_s_parameters_are()
    {
        using var store = Store();
        var session = new PatternSession(new MilvusConnection(store, store), default);
        foreach (object cells in new object[] { 82, 82L, 82.0, "82", (short)82 })
            Assert.Equal(82, session.PlanSearch("c", Top, new Dictionary<string, object?> { ["cells"] = cells }).Cells);
    }

    [Fact]
    public void Cells_on_a_collection_that_is_not_partitioned_are_refused()
    {
        using var store = Store("HNSW", CollectionPartitioning.None);
        var session = new PatternSession(new MilvusConnection(store, store), default);
        var error = Assert.Throws<MilvusOpsException>(() => session.PlanSearch("c", Top, new Dictionary<string, object?> { ["cells"] = 8 }));
        Assert.Equal("InvalidSearchParameter", error.ErrorId);
        Assert.Contains("-Partitioning Hilbert", error.Message);
    }
}
