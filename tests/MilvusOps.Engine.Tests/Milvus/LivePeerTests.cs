using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using MilvusOps.Tests.Shared;
using Xunit.Abstractions;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;
using WireFormat = MilvusOps.Engine.Backends.Milvus.WireFormat;

namespace MilvusOps.Engine.Tests.Milvus;

/// <summary>
/// tests/conformance/peer.js (<see cref="ConformancePeer"/>) with a token, and a channel to it: a MilvusService served
/// from the OFFICIAL Milvus definitions (@zilliz/milvus2-sdk-node), which decodes and validates every request and
/// answers with officially encoded responses. Our generated client talks to it over real HTTP/2 gRPC.
/// <see cref="SkipReason"/> is set where node or the npm packages are missing.
/// </summary>
public sealed class LivePeer : IDisposable
{
    /// <summary>The authorization header value the peer demands (base64 of user:password, as Milvus takes it).</summary>
    public static readonly string Token = Convert.ToBase64String(Encoding.UTF8.GetBytes("root:Milvus"));

    private readonly ConformancePeer? _peer;
    private readonly GrpcChannel? _channel;

    public string? SkipReason { get; } = ConformancePeer.SkipReason;
    public int Port => _peer?.Port ?? 0;

    /// <summary>The peer's one line per call: "CALL &lt;Method&gt; OK|INVALID &lt;reason&gt;|STATUS &lt;code&gt; &lt;reason&gt;|UNAVAILABLE|UNAUTHENTICATED".</summary>
    public IReadOnlyList<string> Calls => _peer?.Calls ?? [];

    /// <summary>The call lines once <paramref name="line"/> is among them (<see cref="ConformancePeer.CallsThrough"/>).</summary>
    public IReadOnlyList<string> CallsThrough(string line) => _peer?.CallsThrough(line) ?? [];

    public string Stderr => _peer?.Stderr ?? "";

    /// <summary>The default (stateless) peer.</summary>
    public LivePeer()
        : this([])
    {
    }

    /// <summary>A peer started with <paramref name="extraArguments"/> after <c>--token</c>, such as <c>--stateful</c>.</summary>
    internal LivePeer(IEnumerable<string> extraArguments)
    {
        if (SkipReason is not null)
            return;
        _peer = ConformancePeer.Start(["--token", Token, .. extraArguments]);
        _channel = GrpcChannel.ForAddress(_peer.Address);
    }

    /// <summary>A client that sends <paramref name="token"/> as the authorization header on every call.</summary>
    internal Rpc.MilvusService.MilvusServiceClient Client(string? token = null)
    {
        var value = token ?? Token;
        var invoker = _channel!.Intercept(metadata =>
        {
            metadata.Add("authorization", value);
            return metadata;
        });
        return new Rpc.MilvusService.MilvusServiceClient(invoker);
    }

    public void Dispose()
    {
        _channel?.Dispose();
        _peer?.Dispose();
    }
}

/// <summary>Our generated client against the official live peer, for every RPC our .proto declares.</summary>
public sealed class LivePeerTests(LivePeer peer, ITestOutputHelper output) : IClassFixture<LivePeer>
{
    private const string Db = "default";
    private const string Collection = "patterns";

    private static readonly CollectionSpec Spec = new()
    {
        Name = Collection, Dimension = 4, Description = "patterns", MaxIdLength = 64, MaxPatternTypeLength = 32,
    };

    // Two queries with -0.0, subnormals and extremes: the peer echoes each query vector as its hits' vector.
    private static readonly float[][] Queries =
    [
        [1f, -0f, float.Epsilon, float.MaxValue],
        [WireFormatTests.LargestSubnormal, -1f / 3f, 0f, float.MinValue],
    ];

    private Rpc.MilvusService.MilvusServiceClient Client(string? token = null)
    {
        Skip.If(peer.SkipReason is not null, peer.SkipReason);
        return peer.Client(token);
    }

    private static Rpc.MsgBase Base(Rpc.MsgType type) => new() { MsgType = type };

    private static uint[] Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    private static CallOptions Options => new(deadline: DateTime.UtcNow.AddSeconds(10));

    private void Ok(Rpc.Status status, string what)
    {
        var (ok, code, reason, _) = WireFormat.Check(status);
        Assert.True(ok, $"{what}: status {code} {reason}");
    }

    // ------------------------------------------------------------------ requests as our client builds them

    private static Rpc.SearchRequest SearchRequest(string collection, IReadOnlyList<float[]> queries, int topK = 5)
    {
        var request = new Rpc.SearchRequest
        {
            Base = Base(Rpc.MsgType.Search),
            DbName = Db,
            CollectionName = collection,
            Dsl = "pattern_type != \"\"",
            DslType = Rpc.DslType.BoolExprV1,
            PlaceholderGroup = ByteString.CopyFrom(WireFormat.PlaceholderGroupBytes(queries)),
            Nq = queries.Count,
            UseDefaultConsistency = true,
        };
        foreach (var (key, value) in new Dictionary<string, string>
                 {
                     ["anns_field"] = "vector", ["topk"] = topK.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     ["metric_type"] = "L2", ["params"] = """{"ef":64}""", ["round_decimal"] = "-1",
                 })
            request.SearchParams.Add(new Rpc.KeyValuePair { Key = key, Value = value });
        request.OutputFields.Add(["pattern_type", "coherence_metrics", "vector"]);
        return request;
    }

    private static Rpc.QueryRequest QueryRequest(string collection) => new()
    {
        Base = Base(Rpc.MsgType.Retrieve),
        DbName = Db,
        CollectionName = collection,
        Expr = "pattern_id in [\"p-1\", \"p-2\"]",
        OutputFields = { "pattern_id", "vector", "pattern_type", "coherence_metrics", "temporal_context" },
        QueryParams = { new Rpc.KeyValuePair { Key = "limit", Value = "10" } },
        UseDefaultConsistency = true,
    };

    // ------------------------------------------------------------------ every RPC, happy path

    [SkippableFact]
    public void EveryDeclaredRpc_IsAnsweredByTheOfficialPeer()
    {
        var client = Client();

        // Connection.
        var connect = client.Connect(new Rpc.ConnectRequest
        {
            Base = Base(Rpc.MsgType.Connect),
            ClientInfo = new Rpc.ClientInfo { SdkType = "MilvusOps", SdkVersion = "0.1.0", User = "root", Host = Environment.MachineName },
        }, Options);
        Ok(connect.Status, "Connect");
        Assert.Equal(449713572544069001L, connect.Identifier);
        Assert.Equal("v2.5.4", connect.ServerInfo.BuildTags);
        Assert.Equal("milvusops-conformance", connect.ServerInfo.Reserved["peer"]);
        var health = client.CheckHealth(new Rpc.CheckHealthRequest(), Options);
        Ok(health.Status, "CheckHealth");
        Assert.True(health.IsHealthy);
        var version = client.GetVersion(new Rpc.GetVersionRequest(), Options);
        Ok(version.Status, "GetVersion");
        Assert.Equal("v2.5.4", version.Version);

        // Collection lifecycle.
        Ok(client.CreateCollection(new Rpc.CreateCollectionRequest
        {
            Base = Base(Rpc.MsgType.CreateCollection), DbName = Db, CollectionName = Collection,
            Schema = ByteString.CopyFrom(WireFormat.SchemaBytes(Spec)), ShardsNum = 1, ConsistencyLevel = Rpc.ConsistencyLevel.Bounded,
        }, Options), "CreateCollection");
        var described = client.DescribeCollection(new Rpc.DescribeCollectionRequest
        {
            Base = Base(Rpc.MsgType.DescribeCollection), DbName = Db, CollectionName = Collection,
        }, Options);
        Ok(described.Status, "DescribeCollection");
        Assert.Equal(449713572544069633L, described.CollectionID);
        Assert.Equal(Collection, described.CollectionName);
        Assert.Equal(Rpc.ConsistencyLevel.Bounded, described.ConsistencyLevel);
        Assert.Equal(449713572544069700UL, described.CreatedTimestamp);
        Assert.Equal(PatternSchema.Fields(Spec), WireFormat.ModelFields(described.Schema));
        Assert.Equal([100L, 101, 102, 103, 104], described.Schema.Fields.Select(f => f.FieldID));
        var has = client.HasCollection(new Rpc.HasCollectionRequest
        {
            Base = Base(Rpc.MsgType.HasCollection), DbName = Db, CollectionName = Collection,
        }, Options);
        Ok(has.Status, "HasCollection");
        Assert.True(has.Value);
        var shown = client.ShowCollections(new Rpc.ShowCollectionsRequest { Base = Base(Rpc.MsgType.ShowCollections), DbName = Db }, Options);
        Ok(shown.Status, "ShowCollections");
        Assert.Equal([Collection, "legacy22"], shown.CollectionNames);
        Assert.Equal([449713572544069633L, 449713572544069634L], shown.CollectionIds);
        Ok(client.LoadCollection(new Rpc.LoadCollectionRequest
        {
            Base = Base(Rpc.MsgType.LoadCollection), DbName = Db, CollectionName = Collection, ReplicaNumber = 1,
        }, Options), "LoadCollection");
        var state = client.GetLoadState(new Rpc.GetLoadStateRequest { CollectionName = Collection, DbName = Db }, Options);
        Ok(state.Status, "GetLoadState");
        Assert.Equal(Rpc.LoadState.Loaded, state.State);
        var progress = client.GetLoadingProgress(new Rpc.GetLoadingProgressRequest { CollectionName = Collection, DbName = Db }, Options);
        Ok(progress.Status, "GetLoadingProgress");
        Assert.Equal(100, progress.Progress);
        var stats = client.GetCollectionStatistics(new Rpc.GetCollectionStatisticsRequest
        {
            Base = Base(Rpc.MsgType.GetCollectionStatistics), DbName = Db, CollectionName = Collection,
        }, Options);
        Ok(stats.Status, "GetCollectionStatistics");
        Assert.Equal("3", Assert.Single(stats.Stats, kv => kv.Key == "row_count").Value);
        Ok(client.AlterCollection(new Rpc.AlterCollectionRequest
        {
            DbName = Db, CollectionName = Collection, Properties = { new Rpc.KeyValuePair { Key = "milvusops.cell_model", Value = "{}" } },
        }, Options), "AlterCollection");

        // Index.
        Ok(client.CreateIndex(new Rpc.CreateIndexRequest
        {
            Base = Base(Rpc.MsgType.CreateIndex), DbName = Db, CollectionName = Collection, FieldName = "vector", IndexName = "vector_idx",
            ExtraParams =
            {
                new Rpc.KeyValuePair { Key = "index_type", Value = "HNSW" },
                new Rpc.KeyValuePair { Key = "metric_type", Value = "L2" },
                new Rpc.KeyValuePair { Key = "params", Value = """{"M":16,"efConstruction":200}""" },
            },
        }, Options), "CreateIndex");
        var index = client.DescribeIndex(new Rpc.DescribeIndexRequest
        {
            Base = Base(Rpc.MsgType.DescribeIndex), DbName = Db, CollectionName = Collection, FieldName = "vector",
        }, Options);
        Ok(index.Status, "DescribeIndex");
        var description = Assert.Single(index.IndexDescriptions);
        Assert.Equal(("vector_idx", "vector", Rpc.IndexState.Finished, 3L), (description.IndexName, description.FieldName, description.State, description.IndexedRows));
        Assert.Equal("HNSW", description.Params.Single(kv => kv.Key == "index_type").Value);

        // Writes.
        var patterns = WireFormatTests.SamplePatterns();
        var insert = WireFormat.InsertRequest(Collection, patterns);
        insert.Base = Base(Rpc.MsgType.Insert);
        insert.DbName = Db;
        var inserted = client.Insert(insert, Options);
        Ok(inserted.Status, "Insert");
        Assert.Equal(patterns.Select(p => p.PatternId), inserted.IDs.StrId.Data);
        Assert.Equal(3, inserted.InsertCnt);
        var upsert = WireFormat.UpsertRequest(Collection, patterns);
        upsert.Base = Base(Rpc.MsgType.Upsert);
        upsert.DbName = Db;
        var upserted = client.Upsert(upsert, Options);
        Ok(upserted.Status, "Upsert");
        Assert.Equal(patterns.Select(p => p.PatternId), upserted.IDs.StrId.Data);
        Assert.Equal(3, upserted.UpsertCnt);
        Assert.Equal(449713572544069700UL, upserted.Timestamp);
        var deleted = client.Delete(new Rpc.DeleteRequest
        {
            Base = Base(Rpc.MsgType.Delete), DbName = Db, CollectionName = Collection, Expr = "pattern_id in [\"p-1\", \"p-ü✓\"]",
        }, Options);
        Ok(deleted.Status, "Delete");
        Assert.Equal(2, deleted.DeleteCnt);
        Assert.Equal(["p-1", "p-ü✓"], deleted.IDs.StrId.Data);
        var flushed = client.Flush(new Rpc.FlushRequest { Base = Base(Rpc.MsgType.Flush), DbName = Db, CollectionNames = { Collection } }, Options);
        Ok(flushed.Status, "Flush");
        Assert.Equal([449713572544069801L, 449713572544069802L], flushed.CollSegIDs[Collection].Data);
        var flushTs = flushed.CollFlushTs[Collection];
        Assert.Equal(449713572544069700UL, flushTs);
        var flushState = client.GetFlushState(new Rpc.GetFlushStateRequest
        {
            CollectionName = Collection, DbName = Db, FlushTs = flushTs, SegmentIDs = { flushed.CollSegIDs[Collection].Data },
        }, Options);
        Ok(flushState.Status, "GetFlushState");
        Assert.True(flushState.Flushed);

        // Reads.
        var query = client.Query(QueryRequest(Collection), Options);
        Ok(query.Status, "Query");
        var rows = WireFormat.DecodePatterns(query, Collection);
        Assert.Equal(["p-1", "p-2"], rows.Select(p => p.PatternId));
        Assert.Equal(new uint[] { 0x3f800000, 0x80000000, 0x00000001, 0x7f7fffff }, Bits(rows[0].Vector));
        Assert.Equal(new uint[] { 0xbeaaaaab, 0x007fffff, 0x00000000, 0xc2c80000 }, Bits(rows[1].Vector));
        Assert.Equal("alpha", rows[0].PatternType);
        Assert.Null(rows[1].PatternType);
        Assert.Equal("""{"quantum_coherence":0.9}""", rows[0].CoherenceMetricsJson);
        Assert.Equal("{}", rows[1].TemporalContextJson);

        var search = client.Search(SearchRequest(Collection, Queries), Options);
        Ok(search.Status, "Search");
        var hits = WireFormat.DecodeSearch(search.Results);
        Assert.Equal([3, 1], hits.Select(q => q.Count));
        Assert.Equal(["q0-0", "q0-1", "q0-2"], hits[0].Select(h => (string)h.Id));
        Assert.Equal("q1-0", hits[1][0].Id);
        Assert.Equal([0.5f, 0.75f, 1f], hits[0].Select(h => h.Score));
        Assert.Equal(1f, hits[1][0].Score);
        Assert.Equal(["", "t01", "t02"], hits[0].Select(h => (string)h.Fields["pattern_type"]!));
        Assert.Equal("""{"rank":2}""", hits[0][2].Fields["coherence_metrics"]);
        for (var q = 0; q < Queries.Length; q++)
            foreach (var hit in hits[q])
                Assert.Equal(Bits(Queries[q]), Bits((float[])hit.Fields["vector"]!));

        // Health and replicas.
        var states = client.GetComponentStates(new Rpc.GetComponentStatesRequest(), Options);
        Ok(states.Status, "GetComponentStates");
        Assert.Equal(("proxy", Rpc.StateCode.Healthy, 1L), (states.State.Role, states.State.StateCode, states.State.NodeID));
        var replicas = client.GetReplicas(new Rpc.GetReplicasRequest { DbName = Db, CollectionName = Collection }, Options);
        Ok(replicas.Status, "GetReplicas");
        var replica = Assert.Single(replicas.Replicas);
        Assert.Equal([1L], replica.NodeIds);
        Assert.Equal("by-dev-rootcoord-dml_0_449713572544069633v0", Assert.Single(replica.ShardReplicas).DmChannelName);

        // Aliases.
        Ok(client.CreateAlias(new Rpc.CreateAliasRequest { DbName = Db, CollectionName = Collection, Alias = "patterns_live" }, Options), "CreateAlias");
        Ok(client.AlterAlias(new Rpc.AlterAliasRequest { DbName = Db, CollectionName = Collection, Alias = "patterns_live" }, Options), "AlterAlias");
        var alias = client.DescribeAlias(new Rpc.DescribeAliasRequest { DbName = Db, Alias = "patterns_live" }, Options);
        Ok(alias.Status, "DescribeAlias");
        Assert.Equal((Db, "patterns_live", Collection), (alias.DbName, alias.Alias, alias.Collection));
        var aliases = client.ListAliases(new Rpc.ListAliasesRequest { DbName = Db, CollectionName = Collection }, Options);
        Ok(aliases.Status, "ListAliases");
        Assert.Equal(["patterns_live"], aliases.Aliases);
        Ok(client.DropAlias(new Rpc.DropAliasRequest { DbName = Db, Alias = "patterns_live" }, Options), "DropAlias");

        // Compaction and segments.
        var compaction = client.ManualCompaction(new Rpc.ManualCompactionRequest
        {
            DbName = Db, CollectionName = Collection, CollectionID = described.CollectionID,
        }, Options);
        Ok(compaction.Status, "ManualCompaction");
        Assert.Equal((449713572544069950L, 1), (compaction.CompactionID, compaction.CompactionPlanCount));
        var compactionState = client.GetCompactionState(new Rpc.GetCompactionStateRequest { CompactionID = compaction.CompactionID }, Options);
        Ok(compactionState.Status, "GetCompactionState");
        Assert.Equal((Rpc.CompactionState.Completed, 0L, 1L), (compactionState.State, compactionState.ExecutingPlanNo, compactionState.CompletedPlanNo));
        var persistent = client.GetPersistentSegmentInfo(new Rpc.GetPersistentSegmentInfoRequest { DbName = Db, CollectionName = Collection }, Options);
        Ok(persistent.Status, "GetPersistentSegmentInfo");
        Assert.Equal([(449713572544069801L, 2L, Rpc.SegmentState.Flushed, Rpc.SegmentLevel.L1, true), (449713572544069802L, 1L, Rpc.SegmentState.Flushed, Rpc.SegmentLevel.L1, true)],
            persistent.Infos.Select(i => (i.SegmentID, i.NumRows, i.State, i.Level, i.IsSorted)));
        var loaded = client.GetQuerySegmentInfo(new Rpc.GetQuerySegmentInfoRequest { DbName = Db, CollectionName = Collection }, Options);
        Ok(loaded.Status, "GetQuerySegmentInfo");
        Assert.Equal([449713572544069801L, 449713572544069802L], loaded.Infos.Select(i => i.SegmentID));
        Assert.All(loaded.Infos, i =>
        {
            Assert.Equal((Rpc.SegmentState.Sealed, "vector_idx", 0L, 0L), (i.State, i.IndexName, i.MemSize, i.NodeID));
            Assert.Equal([1L], i.NodeIds);
        });

        // Databases: created times are Unix nanoseconds.
        var databases = client.ListDatabases(new Rpc.ListDatabasesRequest(), Options);
        Ok(databases.Status, "ListDatabases");
        Assert.Equal([Db, "archive"], databases.DbNames);
        Assert.Equal([1L, 449713572544069500L], databases.DbIds);
        Assert.Equal([1700000000000000000UL, 1700000001000000000UL], databases.CreatedTimestamp);
        Ok(client.CreateDatabase(new Rpc.CreateDatabaseRequest { DbName = "staging" }, Options), "CreateDatabase");
        var database = client.DescribeDatabase(new Rpc.DescribeDatabaseRequest { DbName = "archive" }, Options);
        Ok(database.Status, "DescribeDatabase");
        Assert.Equal(("archive", 449713572544069500L, 1700000001000000000UL), (database.DbName, database.DbID, database.CreatedTimestamp));
        Ok(client.DropDatabase(new Rpc.DropDatabaseRequest { DbName = "staging" }, Options), "DropDatabase");

        // Release and drop last.
        Ok(client.ReleaseCollection(new Rpc.ReleaseCollectionRequest
        {
            Base = Base(Rpc.MsgType.ReleaseCollection), DbName = Db, CollectionName = Collection,
        }, Options), "ReleaseCollection");
        Ok(client.DropIndex(new Rpc.DropIndexRequest { DbName = Db, CollectionName = Collection, FieldName = "vector", IndexName = "vector_idx" }, Options), "DropIndex");
        Ok(client.DropCollection(new Rpc.DropCollectionRequest
        {
            Base = Base(Rpc.MsgType.DropCollection), DbName = Db, CollectionName = Collection,
        }, Options), "DropCollection");

        // The peer saw every RPC our .proto declares, and accepted each.
        var calls = peer.CallsThrough("CALL DropCollection OK");
        output.WriteLine(string.Join('\n', calls));
        var declared = Rpc.MilvusReflection.Descriptor.Services.Single().Methods.Select(m => m.Name).ToArray();
        Assert.Equal(39, declared.Length);
        foreach (var method in declared)
            Assert.Contains($"CALL {method} OK", calls);
    }

    // ------------------------------------------------------------------ statuses

    [SkippableFact]
    public void MissingCollection_IsCode100NotFound_AndLegacy22_IsAnErrorCodeOnlyStatus()
    {
        var client = Client();

        var missing = client.DescribeCollection(new Rpc.DescribeCollectionRequest
        {
            Base = Base(Rpc.MsgType.DescribeCollection), DbName = Db, CollectionName = "missing",
        }, Options);
        Assert.Equal((false, 100, "collection not found[collection=missing]", false), WireFormat.Check(missing.Status));
        Assert.Equal(Rpc.ErrorCode.CollectionNotExists, missing.Status.ErrorCode);
        Assert.Equal((false, 100), (WireFormat.Check(client.Search(SearchRequest("missing", Queries), Options).Status) is var s ? (s.Ok, s.Code) : default));
        var load = client.GetLoadState(new Rpc.GetLoadStateRequest { CollectionName = "missing", DbName = Db }, Options);
        Assert.Equal(100, WireFormat.Check(load.Status).Code);
        var drop = client.DropCollection(new Rpc.DropCollectionRequest
        {
            Base = Base(Rpc.MsgType.DropCollection), DbName = Db, CollectionName = "missing",
        }, Options);
        Assert.Equal(100, WireFormat.Check(drop).Code);
        var has = client.HasCollection(new Rpc.HasCollectionRequest { Base = Base(Rpc.MsgType.HasCollection), DbName = Db, CollectionName = "missing" }, Options);
        Assert.True(WireFormat.Check(has.Status).Ok);
        Assert.False(has.Value);

        var legacy = client.Query(QueryRequest("legacy22"), Options);
        Assert.Equal(0, legacy.Status.Code);
        Assert.Equal(Rpc.ErrorCode.CollectionNotExists, legacy.Status.ErrorCode);
        Assert.Equal((false, 4, "can't find collection: legacy22", false), WireFormat.Check(legacy.Status));
        Assert.Empty(legacy.FieldsData);
        var legacyLoad = client.LoadCollection(new Rpc.LoadCollectionRequest
        {
            Base = Base(Rpc.MsgType.LoadCollection), DbName = Db, CollectionName = "legacy22",
        }, Options);
        Assert.Equal((false, 4), (WireFormat.Check(legacyLoad).Ok, WireFormat.Check(legacyLoad).Code));

        var database = client.DescribeDatabase(new Rpc.DescribeDatabaseRequest { DbName = "missing" }, Options);
        Assert.Equal((false, 800, "database not found[database=missing]", false), WireFormat.Check(database.Status));
    }

    [SkippableFact]
    public async Task WithHttp_ThePeerServesHealthzAndMetrics_OnTheHttpPortItPrints()
    {
        Skip.If(ConformancePeer.SkipReason is not null, ConformancePeer.SkipReason);
        using var withHttp = ConformancePeer.Start("--http");
        Assert.NotNull(withHttp.HttpPort);
        Assert.Equal($"http://127.0.0.1:{withHttp.HttpPort}", withHttp.HttpAddress);
        using (var channel = GrpcChannel.ForAddress(withHttp.Address))
        {
            var has = new Rpc.MilvusService.MilvusServiceClient(channel).HasCollection(
                new Rpc.HasCollectionRequest { Base = Base(Rpc.MsgType.HasCollection), DbName = Db, CollectionName = Collection }, Options);
            Ok(has.Status, "HasCollection");
        }

        using var http = new HttpClient();
        Assert.Equal("OK", await http.GetStringAsync($"{withHttp.HttpAddress}/healthz"));
        using var metrics = await http.GetAsync($"{withHttp.HttpAddress}/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", metrics.Content.Headers.ContentType?.ToString());
        var page = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE milvus_proxy_req_count counter\n", page);
        Assert.Contains("milvus_proxy_req_count{collection_name=\"patterns\",db_name=\"default\",function_name=\"HasCollection\",node_id=\"1\",status=\"success\"} 1\n", page);
        Assert.Contains("milvus_querynode_entity_num{collection_id=\"449713572544069633\",collection_name=\"patterns\",db_name=\"default\",node_id=\"1\",segment_state=\"Sealed\"} 3\n", page);
        // The peer logs a request as it answers it; its line may reach us just after the answer.
        SpinWait.SpinUntil(() => withHttp.HttpRequests.Contains("HTTP GET /metrics 200"), TimeSpan.FromSeconds(5));
        Assert.Equal(["HTTP GET /healthz 200", "HTTP GET /metrics 200"], withHttp.HttpRequests);
    }

    /// <summary>
    /// A Milvus store checks a filter in the dialect of the line its server reports: what 2.5 refuses is refused before
    /// any call, and what 2.6 takes reaches a 2.6 server, placeholders and values beside it.
    /// </summary>
    [SkippableTheory]
    [InlineData("pattern_type like {p}", "{\"p\":\"gam%\"}")]
    [InlineData("1 == 1", null)]
    [InlineData("coherence_metrics[\"n\"] in [1, 2.5]", null)]
    [InlineData("coherence_metrics[\"n\"] > -9223372036854775808", null)]
    public void AFilter_IsCheckedInTheDialectOfTheServersLine(string expression, string? parametersJson)
    {
        Skip.If(ConformancePeer.SkipReason is not null, ConformancePeer.SkipReason);
        var parameters = parametersJson is null ? null
            : System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(parametersJson)!.ToDictionary(p => p.Key, p => (object?)p.Value);
        var filter = new PatternFilter(expression, parameters ?? new Dictionary<string, object?>());
        foreach (string? version in new[] { null, "v2.6.18", "v3.0.0" })
        {
            using var server = version is null ? ConformancePeer.Start() : ConformancePeer.Start("--server-version", version);
            using var store = Engine.Backends.Milvus.MilvusStore.Connect(Engine.Backends.Milvus.MilvusEndpoint.Parse(server.Address));
            Assert.Equal(version is null ? "2.5" : version[1..4], store.FilterDialect.Line);
            if (version is null)
            {
                Assert.StartsWith("Filter", Assert.ThrowsAny<MilvusOpsException>(() => store.Query(Collection, filter).ToList()).ErrorId, StringComparison.Ordinal);
                Assert.DoesNotContain(server.Calls, c => c.StartsWith("CALL Query", StringComparison.Ordinal));
            }
            else
            {
                Assert.Equal(2, store.Query(Collection, filter).Count());
                SpinWait.SpinUntil(() => server.Calls.Any(c => c.StartsWith("CALL Query", StringComparison.Ordinal)), TimeSpan.FromSeconds(5));
                Assert.Contains("CALL Query OK", server.Calls);
            }
        }
    }

    [SkippableFact]
    public void AWrongToken_IsUnauthenticated()
    {
        var bad = Client(Convert.ToBase64String(Encoding.UTF8.GetBytes("root:wrong")));
        var e = Assert.Throws<RpcException>(() => bad.GetVersion(new Rpc.GetVersionRequest(), Options));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        e = Assert.Throws<RpcException>(() => bad.Search(SearchRequest(Collection, Queries), Options));
        Assert.Equal(StatusCode.Unauthenticated, e.StatusCode);
        Assert.Equal("v2.5.4", Client().GetVersion(new Rpc.GetVersionRequest(), Options).Version);
    }

    [SkippableFact]
    public void InvalidRequests_AreRejectedByThePeerWithTheReason()
    {
        var client = Client();

        // nq disagrees with the placeholder values.
        var search = SearchRequest(Collection, Queries);
        search.Nq = 3;
        var e = Assert.Throws<RpcException>(() => client.Search(search, Options));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("nq is 3 but the placeholder holds 2 values", e.Status.Detail);

        // A query vector of the wrong dimension.
        e = Assert.Throws<RpcException>(() => client.Search(SearchRequest(Collection, [[1f, 2f, 3f]]), Options));
        Assert.Contains("expected dim*4 = 16", e.Status.Detail);

        // num_rows that is not every column's row count.
        var upsert = WireFormat.UpsertRequest(Collection, WireFormatTests.SamplePatterns());
        upsert.DbName = Db;
        upsert.NumRows = 2;
        e = Assert.Throws<RpcException>(() => client.Upsert(upsert, Options));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.Contains("num_rows is 2", e.Status.Detail);

        // A JSON column row that is not JSON.
        upsert = WireFormat.UpsertRequest(Collection, WireFormatTests.SamplePatterns());
        upsert.DbName = Db;
        upsert.FieldsData.Single(f => f.FieldName == "temporal_context").Scalars.JsonData.Data[1] = ByteString.CopyFromUtf8("{not json");
        e = Assert.Throws<RpcException>(() => client.Upsert(upsert, Options));
        Assert.Contains("temporal_context row 1 is not JSON", e.Status.Detail);

        // GetLoadState without db_name.
        e = Assert.Throws<RpcException>(() => client.GetLoadState(new Rpc.GetLoadStateRequest { CollectionName = Collection }, Options));
        Assert.Contains("db_name", e.Status.Detail);

        // A placeholder without its value ("{t}" inside a string literal is text, not a placeholder).
        var query = QueryRequest(Collection);
        query.Expr = "pattern_type == {t} or pattern_id == \"{u}\"";
        e = Assert.Throws<RpcException>(() => client.Query(query, Options));
        Assert.Equal("Query: the value of expression template variable name {t} is not found", e.Status.Detail);

        Assert.Contains(peer.Calls, l => l.StartsWith("CALL Search INVALID nq is 3", StringComparison.Ordinal));
    }
}
