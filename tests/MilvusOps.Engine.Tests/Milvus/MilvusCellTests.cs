using MilvusOps.Engine.Backends.Milvus;
using MilvusOps.Engine.Search.Cells;
using MilvusOps.Tests.Shared;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Tests.Milvus;

/// <summary>Hilbert-cell partitioning on Milvus, against the stateful peer: the cell is the partition key, the model a
/// collection property; rows written before the fit are unplaced until the write that fits it places them, and a cell
/// search reads the nearest cells and the unplaced rows.</summary>
public sealed class MilvusCellTests(StatefulPeer fixture) : IClassFixture<StatefulPeer>
{
    private const int Dimension = 16, Top = 5;
    private static readonly StructuredVectors Data = new(Dimension, seed: 23);

    private MilvusStore Store()
    {
        Skip.If(fixture.Peer.SkipReason is not null, fixture.Peer.SkipReason);
        return MilvusStore.Connect(MilvusEndpoint.Parse($"http://127.0.0.1:{fixture.Peer.Port}").WithCredential("root", "Milvus"));
    }

    private static Pattern Row(int i, string? type = null, int vectorSeed = -1) =>
        new($"p{i:D5}", Data.Row(vectorSeed < 0 ? i : vectorSeed), type ?? (i % 4 == 0 ? "rare" : "common"), null, null);

    private static IReadOnlyList<Pattern> Rows(int from, int to) => [.. Enumerable.Range(from, to - from).Select(i => Row(i))];

    private static MilvusStore Create(MilvusStore store, string name)
    {
        store.CreateCollection(new CollectionSpec { Name = name, Dimension = Dimension, IndexType = "FLAT", Partitioning = CollectionPartitioning.Hilbert }, ifNotExists: false);
        return store;
    }

    private Rpc.DescribeCollectionResponse Described(string name) =>
        fixture.Peer.Client().DescribeCollection(new Rpc.DescribeCollectionRequest { DbName = "default", CollectionName = name });

    private CellModel? Model(string name) =>
        Described(name).Properties.FirstOrDefault(p => p.Key == MilvusStore.CellModelProperty) is { } stored ? CellModel.FromJson(stored.Value, Dimension) : null;

    /// <summary>Every row's stored cell, by id, read with a raw query.</summary>
    private Dictionary<string, long> StoredCells(string name)
    {
        var request = new Rpc.QueryRequest { DbName = "default", CollectionName = name, Expr = "pattern_id != \"\"", ConsistencyLevel = Rpc.ConsistencyLevel.Strong };
        request.OutputFields.Add(["pattern_id", PatternSchema.Cell]);
        var answer = fixture.Peer.Client().Query(request);
        var ids = answer.FieldsData.Single(f => f.FieldName == "pattern_id").Scalars.StringData.Data;
        var cells = answer.FieldsData.Single(f => f.FieldName == PatternSchema.Cell).Scalars.LongData.Data;
        return ids.Zip(cells).ToDictionary(pair => pair.First, pair => pair.Second, StringComparer.Ordinal);
    }

    [SkippableFact]
    public void A_partitioned_collection_has_its_cell_as_partition_key_and_describes_itself_partitioned()
    {
        using var store = Create(Store(), "cells_schema");
        var described = store.DescribeCollection("cells_schema");
        Assert.Equal(CollectionPartitioning.Hilbert, described.Partitioning);
        Assert.Equal(new FieldSchema(PatternSchema.Cell, "Int64", IsPartitionKey: true), described.Fields[^1]);
        Assert.Equal(MilvusStore.CellPartitions, Described("cells_schema").NumPartitions);
        // -IfNotExists takes it as the same collection; unpartitioned, it is another.
        var spec = described.ToSpec("cells_schema");
        Assert.Equal(CollectionPartitioning.Hilbert, store.CreateCollection(spec, ifNotExists: true).Partitioning);
        Assert.Equal("CollectionSchemaMismatch", Assert.Throws<MilvusOpsException>(() =>
            store.CreateCollection(spec with { Partitioning = CollectionPartitioning.None }, ifNotExists: true)).ErrorId);
    }

    [SkippableFact]
    public void Rows_before_the_fit_stay_unplaced_and_the_write_that_fits_places_its_own()
    {
        using var store = Create(Store(), "cells_fit");
        store.Upsert("cells_fit", Rows(0, 400));
        store.Upsert("cells_fit", Rows(400, 800));
        Assert.Null(Model("cells_fit"));
        Assert.All(StoredCells("cells_fit").Values, cell => Assert.Equal(MilvusStore.Unplaced, cell));

        // This write brings the unplaced rows to 1,000: the model is fitted from them and the write's own rows, which it
        // places (700 to 799 included, rewritten by this write). The rows stored before are read, never written again.
        var changed = Enumerable.Range(700, 400).Select(i => Row(i, "changed")).ToList();
        store.Upsert("cells_fit", changed);
        var model = Model("cells_fit");
        Assert.NotNull(model);
        var cells = StoredCells("cells_fit");
        Assert.Equal(1100, cells.Count);
        foreach (var (id, cell) in cells)
        {
            int row = int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(row < 700 ? MilvusStore.Unplaced : model!.CellOf(Data.Row(row)), cell);
        }
        Assert.All(store.Get("cells_fit", ["p00700", "p00799", "p01099"]), p => Assert.Equal("changed", p.PatternType));
        Assert.Equal("common", store.Get("cells_fit", ["p00699"]).Single().PatternType);

        // Later writes carry their cells, and the model stays.
        string fitted = Described("cells_fit").Properties.Single(p => p.Key == MilvusStore.CellModelProperty).Value;
        store.Upsert("cells_fit", Rows(1100, 1200));
        Assert.Equal(model!.CellOf(Data.Row(1150)), StoredCells("cells_fit")["p01150"]);
        Assert.Equal(fitted, Described("cells_fit").Properties.Single(p => p.Key == MilvusStore.CellModelProperty).Value);
    }

    [SkippableFact]
    public void A_released_collection_takes_writes_unplaced_and_is_fitted_at_a_write_once_loaded()
    {
        using var store = Create(Store(), "cells_released");
        store.Release("cells_released", default);
        store.Upsert("cells_released", Rows(0, 1200));
        Assert.Null(Model("cells_released"));
        store.Load("cells_released", 1, default);
        while (store.GetLoadState("cells_released", default).Progress < 100) Thread.Sleep(10);
        store.Upsert("cells_released", Rows(1200, 1201));
        var model = Model("cells_released");
        Assert.NotNull(model);
        Assert.Equal(MilvusStore.Unplaced, StoredCells("cells_released")["p00003"]);
        Assert.Equal(model!.CellOf(Data.Row(1200)), StoredCells("cells_released")["p01200"]);
    }

    [SkippableFact]
    public void A_cell_search_reads_the_nearest_cells_and_the_unplaced_rows_exactly()
    {
        using var store = Create(Store(), "cells_search");
        store.Upsert("cells_search", Rows(0, 1500));
        var model = Model("cells_search")!;
        // Rows a fit cut short would leave unplaced: written raw, as an older client would.
        var unplaced = Enumerable.Range(1500, 20).Select(i => Row(i, vectorSeed: 90_000 + i)).ToList();
        var columns = new PatternColumnWriter().Write(unplaced, _ => MilvusStore.Unplaced);
        var upsert = new Rpc.UpsertRequest { DbName = "default", CollectionName = "cells_search", NumRows = columns.NumRows };
        upsert.FieldsData.Add(columns.Fields);
        Assert.True(WireFormat.Check(fixture.Peer.Client().Upsert(upsert).Status).Ok);
        var all = Rows(0, 1500).Concat(unplaced).ToDictionary(p => p.PatternId, StringComparer.Ordinal);
        var stored = StoredCells("cells_search");

        var queries = Enumerable.Range(0, 6).Select(q => Data.Row(50_000 + q)).ToList();
        foreach (var (cells, filter) in new (int, string?)[] { (3, null), (40, null), (40, "pattern_type == \"rare\"") })
        {
            var explained = new List<string>();
            var hits = store.Search("cells_search", new SearchRequest([.. queries.Select((_, q) => $"q{q}")], queries, Top, filter) { Cells = cells, Explain = explained.Add });
            Assert.Contains($"Searched the {cells} cells nearest each query", Assert.Single(explained), StringComparison.Ordinal);
            for (int q = 0; q < queries.Count; q++)
            {
                var near = model.NearestCells(queries[q], cells).Select(c => (long)c).Append(MilvusStore.Unplaced).ToHashSet();
                var expected = all.Values.Where(p => near.Contains(stored[p.PatternId]) && (filter is null || p.PatternType == "rare"))
                    .OrderBy(p => L2(p.Vector.ToArray(), queries[q])).ThenBy(p => p.PatternId, StringComparer.Ordinal).Take(Top).Select(p => p.PatternId);
                Assert.Equal(expected, hits[q].Select(h => h.PatternId));
            }
        }
        // All the cells are the whole collection, searched as usual.
        var whole = store.Search("cells_search", new SearchRequest(["q"], [queries[0]], Top) { Cells = CellPartitioning.CellCount });
        Assert.Equal(store.Search("cells_search", new SearchRequest(["q"], [queries[0]], Top))[0].Select(h => h.PatternId), whole[0].Select(h => h.PatternId));
    }

    /// <summary>L2 in float32 as it accumulates, as the peer computes it, so ties order alike.</summary>
    private static float L2(float[] a, float[] b)
    {
        float sum = 0;
        for (int d = 0; d < a.Length; d++)
        {
            float delta = a[d] - b[d];
            sum += delta * delta;
        }
        return sum;
    }
}
