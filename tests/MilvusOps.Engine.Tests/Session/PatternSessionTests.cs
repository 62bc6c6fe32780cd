using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Tests.Session;

/// <summary>The session layer checks every input once, before a backend sees it, and carries the command's token.</summary>
public sealed class PatternSessionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-session-").FullName;
    private readonly MilvusConnection _connection;

    public PatternSessionTests() => _connection = StoreFactory.Connect(Path.Combine(_folder, "store.db"), TimeSpan.FromSeconds(2), create: true);

    public void Dispose()
    {
        _connection.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private PatternSession Session(CancellationToken cancellation = default) => new(_connection, cancellation);

    private static Pattern Make(string id, params float[] vector) => new(id, vector, "t", """{"quantum_coherence":0.95}""", null);

    private static string Fails(Action call) => Assert.Throws<MilvusOpsException>(call).ErrorId;

    [Fact]
    public void A_search_plan_checks_top_and_the_parameters_against_the_index_before_any_query()
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = "h", Dimension = 2, IndexType = "HNSW", IndexParametersJson = """{"M":8}""" }, false);
        session.Create(new CollectionSpec { Name = "g", Dimension = 2, Metric = MetricType.IP, IndexType = "GPU_CAGRA" }, false);
        session.Upsert("h", Enumerable.Range(0, 40).Select(i => Make($"p{i:D2}", i % 7, i / 7)).ToArray());

        var tooSmall = Assert.Throws<MilvusOpsException>(() => session.PlanSearch("h", 10, new Dictionary<string, object?> { ["ef"] = 5 }));
        Assert.Equal(("InvalidSearchParameter", ErrorKind.InvalidArgument, "ef"), (tooSmall.ErrorId, tooSmall.Kind, tooSmall.Target));
        Assert.Equal("UnknownSearchParameter", Fails(() => session.PlanSearch("h", 10, new Dictionary<string, object?> { ["nprobe"] = 8 })));
        Assert.Equal("InvalidTop", Fails(() => session.PlanSearch("g", 1025, null)));
        Assert.Equal("InvalidTop", Fails(() => session.PlanSearch("h", SearchRequest.MaxTop + 1, null)));

        // A valid ef is accepted, Milvus would get it, and the embedded search stays exact.
        var plan = session.PlanSearch("h", 10, new Dictionary<string, object?> { ["ef"] = "10" });
        Assert.Equal("""{"ef":10}""", plan.ParametersJson);
        var exact = session.Search(session.PlanSearch("h", 10, null), ["q"], [[3f, 2f]], null)[0].Select(h => h.PatternId);
        Assert.Equal(exact, session.Search(plan, ["q"], [[3f, 2f]], null)[0].Select(h => h.PatternId));
    }

    [Fact]
    public void Queries_patterns_limits_names_and_delete_filters_are_checked_by_the_session()
    {
        var session = Session();
        var collection = session.Create(new CollectionSpec { Name = "p", Dimension = 2 }, false);
        var plan = session.PlanSearch("p", 3, null);
        Assert.Equal("VectorDimensionMismatch", Fails(() => PatternSession.CheckQuery(plan, [1f, 2f, 3f], "q")));
        Assert.Equal("VectorNotFinite", Fails(() => PatternSession.CheckQuery(plan, [1f, float.NaN], "q")));
        Assert.Equal("VectorDimensionMismatch", Fails(() => PatternSession.Check(Make("a", 1, 2, 3), collection)));
        Assert.Equal("InvalidLimit", Fails(() => session.Query("p", null, limit: -1)));
        Assert.Equal("InvalidLimit", Fails(() => session.Query("p", null, offset: -1)));
        Assert.Equal("EmptyDeleteFilter", Fails(() => session.DeleteWhere("p", "  ")));
        Assert.Equal("InvalidCollectionName", Fails(() => session.Count("bad\nname")));
        Assert.Equal("InvalidCollectionName", Fails(() => session.Describe("1st")));
        Assert.Equal("InvalidDimension", Fails(() => PatternSession.Check(new CollectionSpec { Name = "q", Dimension = 0 })));
    }

    [Fact]
    public void A_scan_without_vectors_reads_the_same_patterns_with_empty_vectors()
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = "p", Dimension = 2 }, false);
        session.Upsert("p", [Make("b", 3, 4), Make("a", 1, 2)]);
        var full = session.Query("p", null).ToList();
        var metadataOnly = session.Query("p", "pattern_type == \"t\"", includeVectors: false).ToList();
        Assert.Equal(["a", "b"], metadataOnly.Select(p => p.PatternId));
        Assert.All(metadataOnly, p => Assert.Empty(p.Vector));
        Assert.Equal(full.Select(p => p.CoherenceMetricsJson), metadataOnly.Select(p => p.CoherenceMetricsJson));
        Assert.Equal([1f, 2f], full[0].Vector);
    }

    [Fact]
    public void Every_call_carries_the_commands_cancellation_token()
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = "p", Dimension = 2 }, false);
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var stopped = Session(stop.Token);
        Assert.ThrowsAny<OperationCanceledException>(() => stopped.Count("p"));
        Assert.ThrowsAny<OperationCanceledException>(() => stopped.Upsert("p", [Make("a", 1, 2)]));
        Assert.ThrowsAny<OperationCanceledException>(() => stopped.Query("p", null).ToList());
        Assert.Equal(0, session.Count("p"));
    }
}
