using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Tests.Filtering;

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
        FilterCheckedFirst.OnEveryFilteringCall(store);
    }
}
