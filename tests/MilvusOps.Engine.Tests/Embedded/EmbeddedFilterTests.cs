using MilvusOps.Engine.Backends.Embedded;

namespace MilvusOps.Engine.Tests.Embedded;

/// <summary>The embedded store checks a filter before it reads the catalog, as the Milvus store does before any request.</summary>
public sealed class EmbeddedFilterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-engine-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void A_bad_field_is_FilterFieldNotFound_before_the_collection_is_looked_up()
    {
        var store = new EmbeddedStore(Path.Combine(_folder, "store.db"), TimeSpan.FromSeconds(2));
        const string missing = "no_such_collection"; // reading the catalog first would answer CollectionNotFound
        const string filter = "nope == 1";
        Action[] calls =
        [
            () => store.Query(missing, filter),
            () => store.Count(missing, filter),
            () => store.DeleteWhere(missing, filter),
            () => store.Search(missing, new SearchRequest(["q"], [[1f, 0f]], Top: 1, Filter: filter)),
        ];
        foreach (Action call in calls)
            Assert.Equal("FilterFieldNotFound", Assert.Throws<MilvusOpsException>(call).ErrorId);
    }
}
