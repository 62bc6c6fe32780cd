using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Tests.Embedded;

/// <summary>
/// Another process drops and re-creates a collection while this one holds its vectors in memory. Two
/// store instances on one file stand in for the two processes: each has its own vector cache.
/// </summary>
public sealed class RecreatedCollectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-recreate-").FullName;

    private string StorePath => Path.Combine(_folder, "store.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private EmbeddedStore Open() => new(StorePath, TimeSpan.FromSeconds(2));

    private static Pattern Make(string id, params float[] vector) => new(id, vector, "t", null, null);

    private static SearchRequest Query(params float[] vector) => new(["q"], [vector], Top: 1);

    private static readonly CollectionSpec Spec = new() { Name = "p", Dimension = 2 };

    [Fact]
    public void A_search_after_another_instance_re_created_the_collection_sees_the_new_vectors()
    {
        var a = Open();
        var b = Open();
        a.CreateCollection(Spec, ifNotExists: false);
        a.Upsert("p", [Make("old_a", 0, 0), Make("old_b", 1, 1)]);
        Assert.Equal("old_a", a.Search("p", Query(0, 0))[0][0].PatternId);

        // Same name, same number of writes (so the same data version), rows in another order.
        b.DropCollection("p");
        b.CreateCollection(Spec, ifNotExists: false);
        b.Upsert("p", [Make("new_far", 5, 5), Make("new_near", 0, 0)]);

        var hit = a.Search("p", Query(0, 0))[0][0];
        Assert.Equal(("new_near", 0f), (hit.PatternId, hit.Distance));
        Assert.Equal(2, a.VectorLoads);
    }

    [Fact]
    public void A_search_after_another_instance_re_created_the_collection_with_fewer_rows_does_not_fail()
    {
        var a = Open();
        var b = Open();
        a.CreateCollection(Spec, ifNotExists: false);
        a.Upsert("p", [Make("old_a", 0, 0), Make("old_b", 1, 1)]);
        Assert.Equal("old_b", a.Search("p", Query(1, 1))[0][0].PatternId);

        b.DropCollection("p");
        b.CreateCollection(Spec, ifNotExists: false);
        b.Upsert("p", [Make("only", 3, 3)]);

        var hit = a.Search("p", Query(1, 1))[0][0];
        Assert.Equal(("only", 8f), (hit.PatternId, hit.Distance));
    }

    [Fact]
    public void Get_and_Query_after_another_instance_re_created_the_collection_read_the_new_rows()
    {
        var a = Open();
        var b = Open();
        a.CreateCollection(Spec, ifNotExists: false);
        a.Upsert("p", [Make("x", 0, 0)]);
        Assert.Equal([0f, 0f], a.Get("p", ["x"]).Single().Vector);
        var pending = a.Query("p", null);   // validated now, read when enumerated

        b.DropCollection("p");
        b.CreateCollection(Spec with { Dimension = 3 }, ifNotExists: false);
        b.Upsert("p", [Make("x", 1, 2, 3)]);

        Assert.Equal([1f, 2f, 3f], a.Get("p", ["x"]).Single().Vector);
        Assert.Equal([1f, 2f, 3f], a.Query("p", null).Single().Vector);
        Assert.Equal([1f, 2f, 3f], pending.Single().Vector);
    }

    [Fact]
    public void StoreFactory_connections_share_one_instance_that_sees_a_collection_re_created_elsewhere()
    {
        using var firstConnection = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(2), create: true);
        using var secondConnection = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(2));
        var first = firstConnection.Store;
        var second = secondConnection.Store;
        Assert.Same(first, second);
        first.CreateCollection(Spec, ifNotExists: false);
        first.Upsert("p", [Make("old_a", 0, 0), Make("old_b", 1, 1)]);
        Assert.Equal("old_a", second.Search("p", Query(0, 0))[0][0].PatternId);

        var otherProcess = Open();
        otherProcess.DropCollection("p");
        otherProcess.CreateCollection(Spec, ifNotExists: false);
        otherProcess.Upsert("p", [Make("new_far", 5, 5), Make("new_near", 0, 0)]);

        Assert.Equal("new_near", first.Search("p", Query(0, 0))[0][0].PatternId);
    }

    [Fact]
    public void A_dropped_collections_id_is_never_issued_again_even_in_a_store_made_before_ids_were_retired()
    {
        var store = Open();
        // A format-1 file as earlier versions wrote it: the catalog and no table of retired ids.
        Execute("DROP TABLE milvusops_retired_ids");
        store.CreateCollection(Spec, ifNotExists: false);
        store.CreateCollection(Spec with { Name = "q" }, ifNotExists: false);
        Assert.Equal([1L, 2L], CollectionIds());

        store.DropCollection("q");
        store.CreateCollection(Spec with { Name = "q" }, ifNotExists: false);
        store.DropCollection("p");
        store.DropCollection("q");
        store.CreateCollection(Spec, ifNotExists: false);
        Assert.Equal([4L], CollectionIds());
        Assert.Equal(1L, Scalar("PRAGMA user_version"));
    }

    [Fact]
    public void A_writer_that_reuses_the_id_cannot_pass_its_collection_off_as_the_cached_one()
    {
        var a = Open();
        a.CreateCollection(Spec, ifNotExists: false);
        a.Upsert("p", [Make("old_a", 0, 0), Make("old_b", 1, 1)]);
        Assert.Equal("old_a", a.Search("p", Query(0, 0))[0][0].PatternId);

        // An older MilvusOps drops and re-creates with the same id and data version; only created_utc differs.
        string spec = (string)Scalar("SELECT spec FROM milvusops_collections WHERE id = 1")!;
        Execute($"""
            DROP TABLE c_1;
            DELETE FROM milvusops_collections WHERE id = 1;
            INSERT INTO milvusops_collections(id, name, spec, data_version, created_utc) VALUES (1, 'p', '{spec}', 1, '{DateTime.UtcNow.AddSeconds(1):O}');
            CREATE TABLE c_1 (pattern_id TEXT PRIMARY KEY NOT NULL, vector BLOB NOT NULL, pattern_type TEXT, coherence_metrics TEXT, temporal_context TEXT);
            """);
        InsertRaw(("new_far", [5, 5]), ("new_near", [0, 0]));

        Assert.Equal("new_near", a.Search("p", Query(0, 0))[0][0].PatternId);
    }

    [Fact]
    public void A_hit_whose_row_is_gone_from_the_snapshot_reloads_the_vectors_instead_of_failing()
    {
        var a = Open();
        a.CreateCollection(Spec, ifNotExists: false);
        a.Upsert("p", [Make("a", 0, 0), Make("b", 1, 1)]);
        Assert.Equal("a", a.Search("p", Query(0, 0))[0][0].PatternId);

        Execute("DELETE FROM c_1 WHERE pattern_id = 'a'");   // a writer that does not bump the data version

        var hit = a.Search("p", Query(0, 0))[0][0];
        Assert.Equal(("b", 2f), (hit.PatternId, hit.Distance));
        Assert.Equal(2, a.VectorLoads);
    }

    private void InsertRaw(params (string Id, float[] Vector)[] rows)
    {
        foreach (var (id, vector) in rows)
        {
            using var connection = Raw();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO c_1(pattern_id, vector, pattern_type) VALUES (@id, @vector, 't')";
            command.Parameters.AddWithValue("@id", id);
            command.Parameters.AddWithValue("@vector", vector.SelectMany(BitConverter.GetBytes).ToArray());
            command.ExecuteNonQuery();
        }
    }

    private long[] CollectionIds()
    {
        using var connection = Raw();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id FROM milvusops_collections ORDER BY id";
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read()) ids.Add(reader.GetInt64(0));
        return ids.ToArray();
    }

    private SqliteConnection Raw()
    {
        var connection = new SqliteConnection($"Data Source={StorePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private void Execute(string sql)
    {
        using var connection = Raw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql)
    {
        using var connection = Raw();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
