using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Tests.Session;

/// <summary>Connections lease shared stores: the last one closed closes the store, and no connection's settings reach another's.</summary>
public sealed class StoreFactoryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-factory-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private string StorePath => Path.Combine(_folder, "store.db");

    [Fact]
    public void Connections_to_one_file_share_a_store_until_the_last_one_closes()
    {
        var first = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(5), create: true);
        var second = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(5));
        Assert.Same(first.Store, second.Store);

        first.Dispose();
        Assert.Equal(ConnectionState.Closed, first.State);
        var closed = Assert.Throws<MilvusOpsException>(() => first.Store);
        Assert.Equal("ConnectionClosed", closed.ErrorId);
        Assert.Empty(second.Store.ListCollections());   // the other lease keeps the store open
        var shared = second.Store;

        second.Dispose();
        second.Dispose();   // closing twice is harmless
        using var third = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(5));
        Assert.NotSame(shared, third.Store);   // the last close closed it; this is a new one
    }

    [Fact]
    public void A_store_file_deleted_while_a_connection_holds_it_is_a_new_store_and_the_old_lease_leaves_it_alone()
    {
        var old = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(5), create: true);
        old.Store.CreateCollection(new CollectionSpec { Name = "gone", Dimension = 2 }, false);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (string file in Directory.GetFiles(_folder, "store.db*")) File.Delete(file);

        using var fresh = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(5), create: true);
        Assert.NotSame(old.Store, fresh.Store);
        Assert.Empty(fresh.Store.ListCollections());
        old.Dispose();   // the old store closes; the new one stays the shared one
        using var again = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(5));
        Assert.Same(fresh.Store, again.Store);
        Assert.Empty(again.Store.ListCollections());
    }

    [Fact]
    public void A_connections_lock_timeout_never_changes_another_connections()
    {
        using var patient = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(30), create: true);
        using var hasty = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(30), ((EmbeddedStore)patient.Store).LockTimeout);
        Assert.Equal(TimeSpan.FromSeconds(1), ((EmbeddedStore)hasty.Store).LockTimeout);
    }

    [Fact]
    public void A_path_that_names_no_file_or_a_folder_is_refused_and_nothing_is_created()
    {
        var missing = Assert.Throws<MilvusOpsException>(() => StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(5)));
        Assert.Equal(("StoreNotFound", ErrorKind.ObjectNotFound), (missing.ErrorId, missing.Kind));
        Assert.False(File.Exists(StorePath));
        var folder = Assert.Throws<MilvusOpsException>(() => StoreFactory.Connect(_folder, TimeSpan.FromSeconds(5), create: true));
        Assert.Equal(("StoreIsFolder", ErrorKind.InvalidArgument), (folder.ErrorId, folder.Kind));
    }

    [Fact]
    public void Two_connections_reach_the_same_store_when_backend_uri_and_database_match()
    {
        using var one = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(5), create: true);
        using var other = StoreFactory.Connect(StorePath, TimeSpan.FromSeconds(9));
        using var elsewhere = StoreFactory.Connect(Path.Combine(_folder, "other.db"), TimeSpan.FromSeconds(5), create: true);
        Assert.True(one.IsSameStore(other));
        Assert.False(one.IsSameStore(elsewhere));
    }
}
