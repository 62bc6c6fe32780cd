using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Tests.Session;

/// <summary>The operations side of the session on the embedded store: its aliases, its health checks, and one clear refusal
/// for the capabilities it lacks.</summary>
public sealed class OperationsSessionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-ops-").FullName;
    private readonly MilvusConnection _connection;

    public OperationsSessionTests() => _connection = StoreFactory.Connect(Path.Combine(_folder, "store.db"), TimeSpan.FromSeconds(2), create: true);

    public void Dispose()
    {
        _connection.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private PatternSession Session() => new(_connection, default);

    private static MilvusOpsException Fails(Action call) => Assert.Throws<MilvusOpsException>(call);

    private static Pattern Make(string id, params float[] vector) => new(id, vector, "t", """{"quantum_coherence":0.95}""", null);

    [Fact]
    public void The_embedded_store_refuses_indexes_loading_compaction_and_databases_with_one_error_that_names_the_backend_and_the_capability()
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = "c", Dimension = 2, IndexType = "FLAT" }, false);
        foreach (var (call, capability) in new (Action, string)[]
                 {
                     (() => session.DescribeIndexes("c"), "indexes"),
                     (() => session.DropIndex("c", "vector"), "indexes"),
                     (() => session.GetLoadState("c"), "loading"),
                     (() => session.Load("c", 1), "loading"),
                     (() => session.Release("c"), "loading"),
                     (() => session.Compact("c", false), "compaction and segments"),
                     (() => session.Segments("c", loaded: true), "compaction and segments"),
                     (() => session.ListDatabases(), "databases"),
                     (() => session.CreateDatabase("other"), "databases"),
                 })
        {
            var refused = Fails(call);
            Assert.Equal(("NotSupportedByBackend", ErrorKind.NotImplemented, capability), (refused.ErrorId, refused.Kind, refused.Target));
            Assert.Contains("embedded store", refused.Message);
            Assert.Contains(_connection.Uri, refused.Message);
        }
    }

    [Fact]
    public void An_alias_resolves_everywhere_a_collection_name_goes_and_a_switch_moves_reads_at_once()
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = "blue", Dimension = 2, IndexType = "FLAT" }, false);
        session.Create(new CollectionSpec { Name = "green", Dimension = 2, IndexType = "FLAT" }, false);
        session.Upsert("blue", [Make("b1", 1, 0)]);
        session.Upsert("green", [Make("g1", 1, 0), Make("g2", 0, 1)]);

        session.CreateAlias("live", "blue");
        session.CreateAlias("live", "blue"); // the same alias again is a success, as Milvus answers it
        Assert.Equal("blue", session.Describe("live").Name);
        Assert.Equal(["live"], session.Describe("blue").Aliases);
        Assert.Equal(1, session.Count("live"));
        var plan = session.PlanSearch("live", 5, null);
        Assert.Equal(["b1"], session.Search(plan, ["q"], [[1f, 0f]], null)[0].Select(h => h.PatternId));

        session.AlterAlias("live", "green");
        Assert.Equal(2, session.Count("live"));
        Assert.Equal(["g1", "g2"], session.Query("live", null).Select(p => p.PatternId));
        session.Upsert("live", [Make("g3", 1, 1)]);
        Assert.Equal(3, session.Count("green"));
        Assert.Empty(session.Describe("blue").Aliases);
        Assert.Equal([("live", "green")], session.ListAliases().Select(a => (a.Alias, a.Collection)));
        Assert.Equal(["live"], session.ListAliases("green").Select(a => a.Alias));
        Assert.Empty(session.ListAliases("blue"));

        Assert.Equal("CollectionHasAliases", Fails(() => session.Drop("green")).ErrorId);
        Assert.Equal("DropByAlias", Fails(() => session.Drop("live")).ErrorId);
        Assert.Equal("AliasConflict", Fails(() => session.CreateAlias("live", "blue")).ErrorId);   // names green already
        Assert.Equal("AliasConflict", Fails(() => session.CreateAlias("blue", "green")).ErrorId);  // a collection's name
        Assert.Equal("AliasConflict", Fails(() => session.Create(new CollectionSpec { Name = "live", Dimension = 2, IndexType = "FLAT" }, true)).ErrorId);
        Assert.Equal("CollectionNotFound", Fails(() => session.CreateAlias("other", "live")).ErrorId); // an alias of an alias
        Assert.Equal("AliasNotFound", Fails(() => session.AlterAlias("nobody", "blue")).ErrorId);
        Assert.Equal("InvalidAliasName", Fails(() => session.CreateAlias("bad name", "blue")).ErrorId);
        Assert.Equal("InvalidIndexName", Fails(() => session.DropIndex("blue", "bad-name")).ErrorId);

        // The backend refuses the same on its own, in the transaction that would drop.
        var store = _connection.Store;
        Assert.Equal("DropByAlias", Fails(() => store.DropCollection("live")).ErrorId);
        Assert.Equal("CollectionHasAliases", Fails(() => store.DropCollection("green")).ErrorId);

        session.DropAlias("live");
        Assert.Equal("AliasNotFound", Fails(() => session.DescribeAlias("live")).ErrorId);
        Assert.Equal("AliasNotFound", Fails(() => session.DropAlias("live")).ErrorId);
        Assert.Equal("CollectionNotFound", Fails(() => session.Count("live")).ErrorId);
        session.Drop("green");
    }

    [Fact]
    public void Aliases_are_seen_by_another_connection_to_the_same_file_and_a_dropped_collection_takes_none_with_it()
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = "a", Dimension = 2, IndexType = "FLAT" }, false);
        session.CreateAlias("current", "a");
        // A store of its own on the same file, as another process has.
        var otherStore = new MilvusOps.Engine.Backends.Embedded.EmbeddedStore(_connection.Uri, TimeSpan.FromSeconds(2));
        using (var other = new MilvusConnection(otherStore, otherStore))
            Assert.Equal("a", new PatternSession(other, default).DescribeAlias("current").Collection);

        session.DropAlias("current");
        session.Drop("a");
        session.Create(new CollectionSpec { Name = "a", Dimension = 2, IndexType = "FLAT" }, false);
        Assert.Empty(session.Describe("a").Aliases);
    }

    [Fact]
    public void A_healthy_store_passes_every_check_and_a_damaged_file_fails_the_integrity_check()
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = "c", Dimension = 2, IndexType = "FLAT" }, false);
        session.Upsert("c", Enumerable.Range(0, 2000).Select(i => Make($"p{i:D5}", i, -i)).ToArray());
        var checks = session.CheckHealth();
        Assert.All(checks, c => Assert.True(c.Passed, $"{c.Component} {c.Check}: {c.Message}"));
        Assert.Equal(["format", "PRAGMA quick_check", "size", "BEGIN IMMEDIATE"], checks.Select(c => c.Check));
        Assert.Equal("Free", checks[3].Status);

        // Overwrite a page in the middle of the file: quick_check must see it.
        _connection.Dispose();
        var path = Path.Combine(_folder, "store.db");
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length / 2;
            file.Write(Enumerable.Repeat((byte)0x5A, 16384).ToArray());
        }
        using var damaged = StoreFactory.Connect(path, TimeSpan.FromSeconds(2), create: false);
        var damagedChecks = new PatternSession(damaged, default).CheckHealth();
        // Whatever page the damage hit (here one the catalog read needs), every check still runs and reports.
        Assert.Equal(["format", "PRAGMA quick_check", "size", "BEGIN IMMEDIATE"], damagedChecks.Select(c => c.Check));
        var integrity = damagedChecks.Single(c => c.Check == "PRAGMA quick_check");
        Assert.False(integrity.Passed);
        Assert.Equal((HealthSeverity.Critical, "Corrupt"), (integrity.Severity, integrity.Status));
    }

    [Fact]
    public void A_store_file_deleted_under_an_open_connection_is_a_failed_check_not_a_crash()
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = "c", Dimension = 2, IndexType = "FLAT" }, false);
        File.Delete(_connection.Uri);
        var check = Assert.Single(session.CheckHealth());
        Assert.Equal((false, HealthSeverity.Critical, "Missing"), (check.Passed, check.Severity, check.Status));
    }
}
