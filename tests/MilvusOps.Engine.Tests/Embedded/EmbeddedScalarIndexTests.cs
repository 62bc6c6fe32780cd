using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace MilvusOps.Engine.Tests.Embedded;

/// <summary>A filter reads the index of the scalar fields, never the table and its vectors; a store made before the
/// index gets it on its next write, and answers the same.</summary>
public sealed class EmbeddedScalarIndexTests : IDisposable
{
    private const int Dimension = 16;
    private static readonly StructuredVectors Data = new(Dimension, seed: 5);
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-scalars-").FullName;

    private string StorePath => Path.Combine(_folder, "store.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static Pattern Row(int i) => new($"p{i:D4}", Data.Row(i), i % 10 == 0 ? "rare" : "common",
        $$"""{"quantum_coherence":{{0.8 + (i % 20) / 100.0}}}""", $$"""{"sequence":{{i}}}""");

    private EmbeddedStore Filled(int rows = 400)
    {
        var store = new EmbeddedStore(StorePath, TimeSpan.FromSeconds(2));
        store.CreateCollection(new CollectionSpec { Name = "s", Dimension = Dimension, IndexType = "FLAT" }, ifNotExists: false);
        store.Upsert("s", Enumerable.Range(0, rows).Select(Row).ToList());
        return store;
    }

    // Unpooled: EXPLAIN compiles against the schema a pooled connection read earlier, without checking it is current.
    private string[] Plan(string filter)
    {
        using var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        var where = EmbeddedStore.Translate(filter)!;
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + EmbeddedStore.PassingRowIdsSql(1, where);
        foreach (var (name, value) in where.Parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read()) steps.Add(reader.GetString(3));
        return [.. steps];
    }

    private void DropScalarIndex()
    {
        using var connection = new SqliteConnection($"Data Source={StorePath}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "DROP INDEX c_1_scalars";
        command.ExecuteNonQuery();
    }

    [Theory]
    [InlineData("pattern_type == \"rare\"", "SEARCH c_1 USING COVERING INDEX c_1_scalars (pattern_type=?)")]
    [InlineData("coherence_metrics[\"quantum_coherence\"] >= 0.95", "SCAN c_1 USING COVERING INDEX c_1_scalars")]
    [InlineData("temporal_context[\"sequence\"] in [3, 30, 300] and pattern_id like \"p0%\"", "SCAN c_1 USING COVERING INDEX c_1_scalars")]
    public void A_filter_reads_the_scalar_index_not_the_table(string filter, string expected)
    {
        using var _ = Filled();
        Assert.Equal([expected], Plan(filter));
    }

    [Fact]
    public void A_store_made_before_the_index_gets_it_on_its_next_write_and_answers_the_same()
    {
        var request = new SearchRequest(["q"], [Data.Row(9_999)], 5, "pattern_type == \"rare\" and coherence_metrics[\"quantum_coherence\"] >= 0.85");
        IReadOnlyList<IReadOnlyList<SearchHit>> before;
        using (var store = Filled())
        {
            before = store.Search("s", request);
            Assert.Equal(5, before[0].Count);
            Assert.All(before[0], hit => Assert.Equal("rare", hit.PatternType));
        }
        DropScalarIndex();
        SqliteConnection.ClearAllPools();
        using var older = new EmbeddedStore(StorePath, TimeSpan.FromSeconds(2));
        Assert.Equal(["SCAN c_1"], Plan("pattern_type == \"rare\""));
        Assert.Equal(Ids(before), Ids(older.Search("s", request)));

        older.Upsert("s", [Row(401)]);
        Assert.Equal(["SEARCH c_1 USING COVERING INDEX c_1_scalars (pattern_type=?)"], Plan("pattern_type == \"rare\""));
        Assert.Equal(Ids(before), Ids(older.Search("s", request)));
        Assert.Equal(40, older.Count("s", "pattern_type == \"rare\""));
        Assert.Equal(361, older.Count("s", "pattern_type == \"common\""));
    }

    private static string[] Ids(IReadOnlyList<IReadOnlyList<SearchHit>> hits) => hits[0].Select(h => h.PatternId).ToArray();
}
