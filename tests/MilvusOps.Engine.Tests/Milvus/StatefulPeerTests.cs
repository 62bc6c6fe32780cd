using System.Diagnostics;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Xunit.Abstractions;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;
using WireFormat = MilvusOps.Engine.Backends.Milvus.WireFormat;

using MilvusOps.Engine.Tests.Filtering;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Engine.Tests.Milvus;

/// <summary>One stateful peer (<c>peer.js --stateful</c>) shared by a test class; each test uses its own collection.</summary>
public sealed class StatefulPeer : IDisposable
{
    public LivePeer Peer { get; } = new(["--stateful"]);

    public void Dispose() => Peer.Dispose();
}

/// <summary>
/// The stateful peer: the official node SDK's self-test (tests/conformance/peer-selftest.js), and our generated
/// client against it for nullable columns, exact L2 search and the injected failures a client must retry.
/// </summary>
public sealed class StatefulPeerTests(StatefulPeer fixture, ITestOutputHelper output) : IClassFixture<StatefulPeer>
{
    private const string Db = "default";
    private const int Dim = 4;

    private static CallOptions Options => new(deadline: DateTime.UtcNow.AddSeconds(10));

    private Rpc.MilvusService.MilvusServiceClient Client(LivePeer? peer = null)
    {
        peer ??= fixture.Peer;
        Skip.If(peer.SkipReason is not null, peer.SkipReason);
        return peer.Client();
    }

    private static Rpc.KeyValuePair Kv(string key, string value) => new() { Key = key, Value = value };

    private static void Ok(Rpc.Status status, string what)
    {
        var (ok, code, reason, _) = WireFormat.Check(status);
        Assert.True(ok, $"{what}: status {code} {reason}");
    }

    // ------------------------------------------------------------------ the official SDK's self-test

    [SkippableFact]
    public void SelfTest_WithTheOfficialNodeSdk_Passes()
    {
        var skip = ConformancePeer.SkipReason;
        Skip.If(skip is not null, skip);
        var (exitCode, stdout, stderr) = ConformancePeer.RunScript("peer-selftest.js", TimeSpan.FromSeconds(120));
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(exitCode == 0, $"peer-selftest.js exited {exitCode}:\n{stderr}");
        Assert.StartsWith("SELFTEST OK", stdout, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ collections as our client would make them

    /// <summary>The pattern schema with its three metadata fields nullable.</summary>
    private static Rpc.CollectionSchema NullableSchema(string name)
    {
        var schema = new Rpc.CollectionSchema { Name = name };
        schema.Fields.Add(new Rpc.FieldSchema { Name = "pattern_id", DataType = Rpc.DataType.VarChar, IsPrimaryKey = true, TypeParams = { Kv("max_length", "64") } });
        schema.Fields.Add(new Rpc.FieldSchema { Name = "vector", DataType = Rpc.DataType.FloatVector, TypeParams = { Kv("dim", Dim.ToString(CultureInfo.InvariantCulture)) } });
        schema.Fields.Add(new Rpc.FieldSchema { Name = "pattern_type", DataType = Rpc.DataType.VarChar, Nullable = true, TypeParams = { Kv("max_length", "32") } });
        schema.Fields.Add(new Rpc.FieldSchema { Name = "coherence_metrics", DataType = Rpc.DataType.Json, Nullable = true });
        schema.Fields.Add(new Rpc.FieldSchema { Name = "temporal_context", DataType = Rpc.DataType.Json, Nullable = true });
        return schema;
    }

    /// <summary>Creates, indexes (HNSW, L2) and loads a collection; returns the progress values the polls saw.</summary>
    private static List<long> CreateLoaded(Rpc.MilvusService.MilvusServiceClient client, string name)
    {
        Ok(client.CreateCollection(new Rpc.CreateCollectionRequest
        {
            DbName = Db, CollectionName = name, Schema = NullableSchema(name).ToByteString(), ShardsNum = 1,
            ConsistencyLevel = Rpc.ConsistencyLevel.Strong,
        }, Options), "CreateCollection");
        Ok(client.CreateIndex(new Rpc.CreateIndexRequest
        {
            DbName = Db, CollectionName = name, FieldName = "vector", IndexName = "vector_idx",
            ExtraParams = { Kv("index_type", "HNSW"), Kv("metric_type", "L2"), Kv("params", """{"M":16,"efConstruction":200}""") },
        }, Options), "CreateIndex");
        Ok(client.LoadCollection(new Rpc.LoadCollectionRequest { DbName = Db, CollectionName = name, ReplicaNumber = 1 }, Options), "LoadCollection");
        var seen = new List<long>();
        for (var poll = 0; poll < 10 && (seen.Count == 0 || seen[^1] < 100); poll++)
        {
            var progress = client.GetLoadingProgress(new Rpc.GetLoadingProgressRequest { DbName = Db, CollectionName = name }, Options);
            Ok(progress.Status, "GetLoadingProgress");
            seen.Add(progress.Progress);
        }
        return seen;
    }

    private static Rpc.FieldData Strings(string name, IEnumerable<string> values, IEnumerable<bool>? valid = null)
    {
        var column = new Rpc.FieldData { FieldName = name, Type = Rpc.DataType.VarChar, Scalars = new() { StringData = new() } };
        column.Scalars.StringData.Data.Add(values);
        if (valid is not null)
            column.ValidData.Add(valid);
        return column;
    }

    private static Rpc.FieldData Json(string name, IEnumerable<string> documents, IEnumerable<bool>? valid = null)
    {
        var column = new Rpc.FieldData { FieldName = name, Type = Rpc.DataType.Json, Scalars = new() { JsonData = new() } };
        column.Scalars.JsonData.Data.Add(documents.Select(ByteString.CopyFromUtf8));
        if (valid is not null)
            column.ValidData.Add(valid);
        return column;
    }

    private static Rpc.FieldData Vectors(IEnumerable<float[]> rows)
    {
        var data = new Rpc.FloatArray();
        data.Data.Add(rows.SelectMany(r => r));
        return new Rpc.FieldData { FieldName = "vector", Type = Rpc.DataType.FloatVector, Vectors = new() { Dim = Dim, FloatVector = data } };
    }

    private static Rpc.UpsertRequest Upsert(string collection, uint rows, params Rpc.FieldData[] columns)
    {
        var request = new Rpc.UpsertRequest { DbName = Db, CollectionName = collection, NumRows = rows };
        request.FieldsData.Add(columns);
        return request;
    }

    private static Rpc.SearchRequest Search(string collection, IReadOnlyList<float[]> queries, int topK)
    {
        var request = new Rpc.SearchRequest
        {
            DbName = Db, CollectionName = collection, DslType = Rpc.DslType.BoolExprV1, Nq = queries.Count,
            PlaceholderGroup = ByteString.CopyFrom(WireFormat.PlaceholderGroupBytes(queries)),
            SearchParams =
            {
                Kv("anns_field", "vector"), Kv("topk", topK.ToString(CultureInfo.InvariantCulture)), Kv("metric_type", "L2"),
                Kv("params", """{"ef":64}"""), Kv("round_decimal", "-1"),
            },
        };
        request.OutputFields.Add("pattern_id");
        return request;
    }

    // ------------------------------------------------------------------ nullable columns

    [SkippableFact]
    public void NullableCompactUpsert_QueriesBackFullLengthColumnsWithValidData()
    {
        var client = Client();
        const string name = "nullable_compact";
        Assert.Equal([0L, 50, 100], CreateLoaded(client, name));

        // Compact nullable columns: data holds only the rows valid_data marks true.
        var upserted = client.Upsert(Upsert(name, 3,
            Strings("pattern_id", ["n-1", "n-2", "n-3"]),
            Vectors([[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]),
            Strings("pattern_type", ["alpha", "gamma"], [true, false, true]),
            Json("coherence_metrics", ["""{"quantum_coherence":0.9}""", """{"quantum_coherence":0.8}"""], [false, true, true]),
            Json("temporal_context", [], [false, false, false])), Options);
        Ok(upserted.Status, "Upsert");
        Assert.Equal(3, upserted.UpsertCnt);
        Assert.Equal(["n-1", "n-2", "n-3"], upserted.IDs.StrId.Data);

        var query = client.Query(new Rpc.QueryRequest
        {
            DbName = Db, CollectionName = name, Expr = "pattern_id != \"\"",
            OutputFields = { "pattern_type", "coherence_metrics", "temporal_context" },
        }, Options);
        Ok(query.Status, "Query");
        var columns = query.FieldsData.ToDictionary(f => f.FieldName);
        Assert.Equal(["n-1", "n-2", "n-3"], columns["pattern_id"].Scalars.StringData.Data);
        Assert.Empty(columns["pattern_id"].ValidData);
        // Full length, a placeholder at each null row, and valid_data saying which rows are null.
        Assert.Equal(["alpha", "", "gamma"], columns["pattern_type"].Scalars.StringData.Data);
        Assert.Equal([true, false, true], columns["pattern_type"].ValidData);
        Assert.Equal(["", """{"quantum_coherence":0.9}""", """{"quantum_coherence":0.8}"""],
            columns["coherence_metrics"].Scalars.JsonData.Data.Select(b => b.ToStringUtf8()));
        Assert.Equal([false, true, true], columns["coherence_metrics"].ValidData);
        Assert.Equal([false, false, false], columns["temporal_context"].ValidData);
        Assert.Equal([null, "alpha"], new[] { WireFormat.Value(columns["pattern_type"], 1), WireFormat.Value(columns["pattern_type"], 0) });

        var nulls = client.Query(new Rpc.QueryRequest { DbName = Db, CollectionName = name, Expr = "pattern_type is null or coherence_metrics is null" }, Options);
        Ok(nulls.Status, "Query is null");
        Assert.Equal(["n-1", "n-2"], nulls.FieldsData.Single(f => f.FieldName == "pattern_id").Scalars.StringData.Data);

        // What Milvus 2.5's proxy refuses: a nullable column without valid_data, and a compact column of the wrong length.
        var noFlags = client.Upsert(Upsert(name, 1, Strings("pattern_id", ["n-9"]), Vectors([[1, 1, 1, 1]]), Strings("pattern_type", ["x"])), Options);
        Assert.Equal((false, 1100, "the length of valid_data of field(pattern_type) is wrong: invalid parameter[expected=1][actual=0]", false),
            WireFormat.Check(noFlags.Status));
        var wrongLength = client.Upsert(Upsert(name, 2, Strings("pattern_id", ["n-8", "n-9"]), Vectors([[1, 1, 1, 1], [2, 2, 2, 2]]),
            Strings("pattern_type", ["x", "y"], [true, false])), Options);
        Assert.Equal((false, 1100, "the length of field is wrong: invalid parameter[expected=1][actual=2]", false),
            WireFormat.Check(wrongLength.Status));
        var tooLong = client.Upsert(Upsert(name, 1, Strings("pattern_id", ["n-9"]), Vectors([[1, 1, 1, 1]]),
            Strings("pattern_type", [new string('x', 33)], [true])), Options);
        Assert.Equal(1100, WireFormat.Check(tooLong.Status).Code);
        Assert.Contains("exceeds max length", tooLong.Status.Reason);
    }

    // ------------------------------------------------------------------ search

    [SkippableFact]
    public void Search_L2_IsTheSquaredDistanceAscending_TiesInPrimaryKeyOrder()
    {
        var client = Client();
        const string name = "l2_order";
        CreateLoaded(client, name);
        // b-2 and a-3 lie at the same distance from the query: a-3 ranks first by primary key.
        string[] ids = ["c-1", "b-2", "a-3", "d-4"];
        float[][] vectors = [[1, 2, 3, 4], [1, 2, 3, 6], [1, 2, 3, 2], [0, 0, 0, 0]];
        var upserted = client.Upsert(Upsert(name, 4, Strings("pattern_id", ids), Vectors(vectors)), Options);
        Ok(upserted.Status, "Upsert");

        float[] query = [1, 2, 3, 4];
        var search = client.Search(Search(name, [query, [0, 0, 0, 0.5f]], topK: 3), Options);
        Ok(search.Status, "Search");
        var hits = WireFormat.DecodeSearch(search.Results);
        Assert.Equal(["c-1", "a-3", "b-2"], hits[0].Select(h => (string)h.Id));
        Assert.Equal([0f, 4f, 4f], hits[0].Select(h => h.Score));
        Assert.Equal(["d-4", "a-3", "c-1"], hits[1].Select(h => (string)h.Id));
        Assert.Equal([0.25f, 16.25f, 26.25f], hits[1].Select(h => h.Score));
        Assert.Equal(["c-1", "a-3", "b-2"], hits[0].Select(h => (string)h.Fields["pattern_id"]!));

        // A metric the index was not built with is refused, as Milvus does.
        var ip = Search(name, [query], topK: 1);
        ip.SearchParams.Single(kv => kv.Key == "metric_type").Value = "IP";
        Assert.Equal((false, 65535, "metric type not match: invalid parameter[expected=L2][actual=IP]", false), WireFormat.Check(client.Search(ip, Options).Status));
    }

    // ------------------------------------------------------------------ injected failures

    [SkippableFact]
    public void UnavailableFirst_FailsTheFirstSearches_ThenAnswers()
    {
        using var peer = new LivePeer(["--stateful", "--unavailable-first", "2"]);
        var client = Client(peer);
        const string name = "flaky";
        CreateLoaded(client, name);
        Ok(client.Upsert(Upsert(name, 1, Strings("pattern_id", ["u-1"]), Vectors([[1, 0, 0, 0]])), Options).Status, "Upsert");

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var e = Assert.Throws<RpcException>(() => client.Search(Search(name, [[1, 0, 0, 0]], topK: 1), Options));
            Assert.Equal(StatusCode.Unavailable, e.StatusCode);
        }
        var search = client.Search(Search(name, [[1, 0, 0, 0]], topK: 1), Options);
        Ok(search.Status, "the third Search");
        Assert.Equal("u-1", WireFormat.DecodeSearch(search.Results)[0].Single().Id);
        Assert.Equal(2, peer.Calls.Count(l => l == "CALL Search UNAVAILABLE"));
    }

    [SkippableFact]
    public void RateLimitFirst_AnswersARetriableCode8_ThenWrites()
    {
        using var peer = new LivePeer(["--stateful", "--rate-limit-first", "1"]);
        var client = Client(peer);
        const string name = "throttled";
        CreateLoaded(client, name);
        var request = Upsert(name, 1, Strings("pattern_id", ["r-1"]), Vectors([[1, 0, 0, 0]]));

        var (ok, code, _, retriable) = WireFormat.Check(client.Upsert(request, Options).Status);
        Assert.Equal((false, 8, true), (ok, code, retriable));
        Ok(client.Upsert(request, Options).Status, "the retried Upsert");
        var count = client.Query(new Rpc.QueryRequest { DbName = Db, CollectionName = name, OutputFields = { "count(*)" } }, Options);
        Ok(count.Status, "count(*)");
        Assert.Equal(1L, Assert.Single(count.FieldsData).Scalars.LongData.Data.Single());
    }
}

/// <summary>The filter rows of <see cref="Filtering.FilterTestDatabase"/> loaded both into SQLite (the embedded store's
/// translator) and into a stateful peer collection.</summary>
public sealed class FilterPeerCollection : IDisposable
{
    public const string Name = "filter_rows";

    public FilterPeerCollection()
    {
        if (Peer.SkipReason is not null)
            return;
        var client = Peer.Client();
        var ids = new List<string>();
        var types = new List<string>();
        var typeValid = new List<bool>();
        var documents = new Dictionary<string, (List<string> Data, List<bool> Valid)>
        {
            ["coherence_metrics"] = ([], []), ["temporal_context"] = ([], []),
        };
        using (var command = Database.Connection.CreateCommand())
        {
            command.CommandText = "SELECT pattern_id, pattern_type, coherence_metrics, temporal_context FROM patterns ORDER BY pattern_id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                ids.Add(reader.GetString(0));
                typeValid.Add(!reader.IsDBNull(1));
                if (!reader.IsDBNull(1))
                    types.Add(reader.GetString(1));
                foreach (var (column, ordinal) in new[] { ("coherence_metrics", 2), ("temporal_context", 3) })
                {
                    documents[column].Valid.Add(!reader.IsDBNull(ordinal));
                    if (!reader.IsDBNull(ordinal))
                        documents[column].Data.Add(reader.GetString(ordinal));
                }
            }
        }

        var schema = new Rpc.CollectionSchema { Name = Name };
        schema.Fields.Add(new Rpc.FieldSchema { Name = "pattern_id", DataType = Rpc.DataType.VarChar, IsPrimaryKey = true, TypeParams = { new Rpc.KeyValuePair { Key = "max_length", Value = "16" } } });
        schema.Fields.Add(new Rpc.FieldSchema { Name = "vector", DataType = Rpc.DataType.FloatVector, TypeParams = { new Rpc.KeyValuePair { Key = "dim", Value = "2" } } });
        schema.Fields.Add(new Rpc.FieldSchema { Name = "pattern_type", DataType = Rpc.DataType.VarChar, Nullable = true, TypeParams = { new Rpc.KeyValuePair { Key = "max_length", Value = "64" } } });
        schema.Fields.Add(new Rpc.FieldSchema { Name = "coherence_metrics", DataType = Rpc.DataType.Json, Nullable = true });
        schema.Fields.Add(new Rpc.FieldSchema { Name = "temporal_context", DataType = Rpc.DataType.Json, Nullable = true });
        Check(client.CreateCollection(new Rpc.CreateCollectionRequest { DbName = "default", CollectionName = Name, Schema = schema.ToByteString(), ShardsNum = 1 }));
        Check(client.CreateIndex(new Rpc.CreateIndexRequest
        {
            DbName = "default", CollectionName = Name, FieldName = "vector",
            ExtraParams = { new Rpc.KeyValuePair { Key = "index_type", Value = "FLAT" }, new Rpc.KeyValuePair { Key = "metric_type", Value = "L2" } },
        }));
        Check(client.LoadCollection(new Rpc.LoadCollectionRequest { DbName = "default", CollectionName = Name }));
        while (client.GetLoadingProgress(new Rpc.GetLoadingProgressRequest { DbName = "default", CollectionName = Name }).Progress < 100)
        {
        }

        var upsert = new Rpc.UpsertRequest { DbName = "default", CollectionName = Name, NumRows = (uint)ids.Count };
        var idColumn = new Rpc.FieldData { FieldName = "pattern_id", Type = Rpc.DataType.VarChar, Scalars = new() { StringData = new() } };
        idColumn.Scalars.StringData.Data.Add(ids);
        var vectors = new Rpc.FloatArray();
        vectors.Data.Add(ids.SelectMany(_ => new[] { 0f, 0f }));
        var typeColumn = new Rpc.FieldData { FieldName = "pattern_type", Type = Rpc.DataType.VarChar, Scalars = new() { StringData = new() } };
        typeColumn.Scalars.StringData.Data.Add(types);
        typeColumn.ValidData.Add(typeValid);
        upsert.FieldsData.Add([idColumn, typeColumn, new Rpc.FieldData { FieldName = "vector", Type = Rpc.DataType.FloatVector, Vectors = new() { Dim = 2, FloatVector = vectors } }]);
        foreach (var (column, (data, valid)) in documents)
        {
            var json = new Rpc.FieldData { FieldName = column, Type = Rpc.DataType.Json, Scalars = new() { JsonData = new() } };
            json.Scalars.JsonData.Data.Add(data.Select(ByteString.CopyFromUtf8));
            json.ValidData.Add(valid);
            upsert.FieldsData.Add(json);
        }
        Check(client.Upsert(upsert).Status);
    }

    public StatefulPeer Stateful { get; } = new();

    public LivePeer Peer => Stateful.Peer;

    public Filtering.FilterTestDatabase Database { get; } = new();

    private static void Check(Rpc.Status status)
    {
        var (ok, code, reason, _) = WireFormat.Check(status);
        if (!ok)
            throw new InvalidOperationException($"Loading the filter rows into the peer failed: {code} {reason}");
    }

    public void Dispose()
    {
        Stateful.Dispose();
        Database.Dispose();
    }
}

/// <summary>
/// The peer's filter evaluator against the embedded store's SQL translator, on the same rows: every expression of
/// the translator's tests must match the same ids in both, and every expression the translator refuses must be
/// refused by the peer with Milvus's "cannot parse expression" (code 1100). Both follow the filter corpus
/// (FilterCorpusTests, PeerFilterCorpusTests), so this checks the two readings agree beyond it too.
/// </summary>
public sealed class StatefulPeerFilterTests(FilterPeerCollection rows) : IClassFixture<FilterPeerCollection>
{
    // The theories whose first parameter is a filter expression.
    private static IEnumerable<object[]> ExpressionsOf(Type tests) => tests.GetMethods()
        .Where(m => m.GetParameters() is [{ Name: "expression", ParameterType: var type }, ..] && type == typeof(string))
        .SelectMany(m => m.GetCustomAttributes(typeof(InlineDataAttribute), inherit: false).Cast<InlineDataAttribute>())
        .Select(a => new[] { a.GetData(null!).Single()[0] })
        .DistinctBy(row => (string)row[0]);

    public static IEnumerable<object[]> Matching => ExpressionsOf(typeof(Filtering.SqliteFilterTranslatorTests));

    public static IEnumerable<object[]> Refused => ExpressionsOf(typeof(Filtering.FilterErrorTests));

    private Rpc.QueryResults Query(string expression)
    {
        Skip.If(rows.Peer.SkipReason is not null, rows.Peer.SkipReason);
        return rows.Peer.Client().Query(new Rpc.QueryRequest
        {
            DbName = "default", CollectionName = FilterPeerCollection.Name, Expr = expression, OutputFields = { "pattern_id" },
        }, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)));
    }

    [SkippableTheory]
    [MemberData(nameof(Matching))]
    public void AFilter_MatchesWhatTheEmbeddedStoreMatches(string expression)
    {
        var query = Query(expression);
        var (ok, code, reason, _) = WireFormat.Check(query.Status);
        Assert.True(ok, $"{expression}: status {code} {reason}");
        var ids = query.FieldsData.Single(f => f.FieldName == "pattern_id").Scalars.StringData.Data;
        Assert.Equal(rows.Database.Match(expression), ids);
    }

    private Engine.Backends.Milvus.MilvusStore Store()
    {
        Skip.If(rows.Peer.SkipReason is not null, rows.Peer.SkipReason);
        return Engine.Backends.Milvus.MilvusStore.Connect(Engine.Backends.Milvus.MilvusEndpoint.Parse($"http://127.0.0.1:{rows.Peer.Port}").WithCredential("root", "Milvus"));
    }

    /// <summary>What the embedded store refuses as FilterNotSupported because SQLite cannot evaluate it, MilvusStore sends
    /// (as the tree's canonical text): it never goes through the SQLite translator.</summary>
    [SkippableTheory]
    [MemberData(nameof(Filtering.FilterErrorTests.MilvusOnly), MemberType = typeof(Filtering.FilterErrorTests))]
    public void AFilter_OnlySqliteCannotEvaluate_IsAnsweredThroughMilvusStore(string milvusOnly, string construct, string[] ids)
    {
        Assert.Contains(construct, Assert.ThrowsAny<MilvusOpsException>(() => rows.Database.Match(milvusOnly)).Message, StringComparison.Ordinal);
        using var store = Store();
        Assert.Equal(ids, store.Query(FilterPeerCollection.Name, milvusOnly).Select(p => p.PatternId));
        Assert.Equal(ids.Length, store.Count(FilterPeerCollection.Name, milvusOnly));
        var hits = store.Search(FilterPeerCollection.Name, new SearchRequest(["q"], [[0f, 0f]], Top: 16, Filter: milvusOnly))[0];
        Assert.Equal(ids, hits.Select(h => h.PatternId).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public void ABadField_IsFilterFieldNotFound_BeforeAnyRequest()
    {
        using var store = Store();
        FilterCheckedFirst.OnEveryFilteringCall(store);
    }

    /// <summary>
    /// Filters Milvus (and so the peer) accepts and MilvusOps refuses on purpose, on both backends (the README lists
    /// them): a constant that folds to an infinity has no literal to send, and an escape that is no UTF-8 makes a plan
    /// Milvus cannot marshal. The peer must still accept them, so the list cannot go stale.
    /// </summary>
    private static readonly Dictionary<string, string> RefusedOnPurpose = new(StringComparer.Ordinal)
    {
        ["""coherence_metrics["n"] > 1e308 * 10"""] = "folds to an infinity",
        ["""coherence_metrics["n"] > 0 ** -1"""] = "folds to an infinity",
        ["""pattern_type like "abc\367-%" """.TrimEnd()] = "an escape that is no UTF-8",
        ["""pattern_type == "\367" """.TrimEnd()] = "an escape that is no UTF-8",
    };

    [SkippableTheory]
    [MemberData(nameof(Refused))]
    public void AFilter_TheEmbeddedStoreRefuses_IsCannotParseExpression(string expression)
    {
        Assert.ThrowsAny<MilvusOpsException>(() => MilvusOps.Engine.Filtering.FilterExpression.ToSqlite(expression, Filtering.FilterTestDatabase.Fields));
        if (RefusedOnPurpose.TryGetValue(expression, out string? why))
        {
            var answer = WireFormat.Check(Query(expression).Status);
            Assert.True(answer.Ok, $"{expression}: listed as refused on purpose ({why}), but the peer refuses it too ({answer.Code} {answer.Reason}): drop it from the list");
            return;
        }

        var (ok, code, reason, _) = WireFormat.Check(Query(expression).Status);
        Assert.False(ok, $"{expression}: the peer accepted it");
        Assert.Equal(1100, code);
        Assert.StartsWith($"cannot parse expression: {expression}, error: ", reason, StringComparison.Ordinal);
    }
}

/// <summary><see cref="MilvusOps.Engine.Backends.Milvus.MilvusStore"/> against the stateful peer, for what the cmdlet suites cannot
/// reach: iterator pages smaller than a query, and a collection another client released.</summary>
public sealed class MilvusStorePeerTests(StatefulPeer fixture) : IClassFixture<StatefulPeer>
{
    private Engine.Backends.Milvus.MilvusStore Store()
    {
        Skip.If(fixture.Peer.SkipReason is not null, fixture.Peer.SkipReason);
        return Engine.Backends.Milvus.MilvusStore.Connect(Engine.Backends.Milvus.MilvusEndpoint.Parse($"http://127.0.0.1:{fixture.Peer.Port}").WithCredential("root", "Milvus"));
    }

    private static Pattern P(int i) => new($"p{i:D3}", [i, 1f, 0f, 0f], i % 3 == 0 ? null : "t", null, null);

    [SkippableFact]
    public void Query_PagesByPrimaryKey_ThroughOffsetAndLimit()
    {
        using var store = Store();
        store.CreateCollection(new CollectionSpec { Name = "paging", Dimension = 4, IndexType = "FLAT" }, ifNotExists: false);
        // Written out of order, so only the pages' "pattern_id > last" can give primary-key order.
        store.Upsert("paging", Enumerable.Range(0, 50).OrderBy(i => (i * 37) % 50).Select(P).ToList());
        store.MaxPageRows = 7;

        var all = store.Query("paging", null).Select(p => p.PatternId).ToList();
        var window = store.Query("paging", null, limit: 30, offset: 9).Select(p => p.PatternId).ToList();
        var filtered = store.Query("paging", "pattern_type == \"t\"", limit: 10, offset: 4).Select(p => p.PatternId).ToList();

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"p{i:D3}"), all);
        Assert.Equal(Enumerable.Range(9, 30).Select(i => $"p{i:D3}"), window);
        Assert.Equal(Enumerable.Range(0, 50).Where(i => i % 3 != 0).Skip(4).Take(10).Select(i => $"p{i:D3}"), filtered);

        // A scan of the JSON documents asks for no vectors, and gets the same rows.
        var metadataOnly = store.Query("paging", null, includeVectors: false).ToList();
        Assert.Equal(all, metadataOnly.Select(p => p.PatternId));
        Assert.All(metadataOnly, p => Assert.Empty(p.Vector));
        Assert.Equal(store.Query("paging", null).Select(p => p.PatternType), metadataOnly.Select(p => p.PatternType));
        store.DropCollection("paging");
    }

    // ------------------------------------------------------------------ collections made by other tools

    private static Rpc.FieldSchema Field(string name, Rpc.DataType type, bool primaryKey = false, string? dim = null, string? maxLength = null)
    {
        var field = new Rpc.FieldSchema { Name = name, DataType = type, IsPrimaryKey = primaryKey };
        if (dim is not null)
            field.TypeParams.Add(new Rpc.KeyValuePair { Key = "dim", Value = dim });
        if (maxLength is not null)
            field.TypeParams.Add(new Rpc.KeyValuePair { Key = "max_length", Value = maxLength });
        return field;
    }

    /// <summary>Creates a collection as pymilvus would: the given schema, and an index on each named vector field.</summary>
    private Rpc.MilvusService.MilvusServiceClient CreateForeign(string name, Rpc.FieldSchema[] fields, params (string Field, string Type, string Metric)[] indexes)
    {
        var client = fixture.Peer.Client();
        var schema = new Rpc.CollectionSchema { Name = name };
        schema.Fields.Add(fields);
        Assert.True(WireFormat.Check(client.CreateCollection(new Rpc.CreateCollectionRequest { DbName = "default", CollectionName = name, Schema = schema.ToByteString(), ShardsNum = 1 })).Ok);
        foreach (var (field, type, metric) in indexes)
            Assert.True(WireFormat.Check(client.CreateIndex(new Rpc.CreateIndexRequest
            {
                DbName = "default", CollectionName = name, FieldName = field, IndexName = field + "_idx",
                ExtraParams = { new Rpc.KeyValuePair { Key = "index_type", Value = type }, new Rpc.KeyValuePair { Key = "metric_type", Value = metric },
                    new Rpc.KeyValuePair { Key = "params", Value = """{"nlist":16}""" } },
            })).Ok);
        return client;
    }

    [SkippableFact]
    public void A_collection_made_by_another_tool_is_described_read_and_searched_through_its_own_fields()
    {
        using var store = Store();
        var client = CreateForeign("foreign_ip",
            [Field("id", Rpc.DataType.Int64, primaryKey: true), Field("embedding", Rpc.DataType.FloatVector, dim: "4"), Field("title", Rpc.DataType.VarChar, maxLength: "64")],
            ("embedding", "IVF_FLAT", "IP"));
        var ids = new Rpc.FieldData { FieldName = "id", Type = Rpc.DataType.Int64, Scalars = new() { LongData = new() } };
        ids.Scalars.LongData.Data.Add([1L, 2L, 3L, 10L]);
        var vectors = new Rpc.FloatArray();
        vectors.Data.Add([1, 0, 0, 0, /**/ 2, 0, 0, 0, /**/ 0, 1, 0, 0, /**/ 3, 0, 0, 0]);
        var titles = new Rpc.FieldData { FieldName = "title", Type = Rpc.DataType.VarChar, Scalars = new() { StringData = new() } };
        titles.Scalars.StringData.Data.Add(["one", "two", "three", "ten"]);
        var insert = new Rpc.InsertRequest { DbName = "default", CollectionName = "foreign_ip", NumRows = 4 };
        insert.FieldsData.Add([ids, new Rpc.FieldData { FieldName = "embedding", Type = Rpc.DataType.FloatVector, Vectors = new() { Dim = 4, FloatVector = vectors } }, titles]);
        Assert.True(WireFormat.Check(client.Insert(insert).Status).Ok);
        // The other tool never loaded it: reads wait for an operator's load (Mount-MilvusCollection), as here.
        Assert.Equal("CollectionNotLoaded", Assert.Throws<MilvusOpsException>(() => store.Count("foreign_ip")).ErrorId);
        store.Load("foreign_ip", 1, default);
        Poll.Until(() => store.GetLoadState("foreign_ip", default).State == LoadStatus.Loaded, TimeSpan.FromSeconds(10),
            () => new MilvusOpsException("t", ErrorKind.OperationTimeout, "never loaded"), default);

        var described = store.DescribeCollection("foreign_ip");
        Assert.Equal(("embedding", 4, (MetricType?)MetricType.IP, "IVF_FLAT", 4L),
            (described.VectorField, described.Dimension, described.Metric, described.IndexType, store.Count("foreign_ip")));
        Assert.Equal(["id Int64", "embedding FloatVector(4)", "title VarChar(64)"], described.Fields.Select(f => f.ToString()));
        Assert.True(described.Fields[0].IsPrimaryKey);

        // IP ranks the largest inner product first (L2 would put id 1 first).
        var hits = store.Search("foreign_ip", new SearchRequest(["q"], [[1f, 0f, 0f, 0f]], Top: 3))[0];
        Assert.Equal(["10", "2", "1"], hits.Select(h => h.PatternId));
        Assert.Equal([3f, 2f, 1f], hits.Select(h => h.Distance));
        Assert.All(hits, h => Assert.Null(h.PatternType));

        var read = store.Get("foreign_ip", ["10", "x", "2"]).OrderBy(p => p.PatternId).ToList();
        Assert.Equal(["10", "2"], read.Select(p => p.PatternId));
        Assert.Equal([3f, 0f, 0f, 0f], read[0].Vector);
        Assert.Null(read[0].CoherenceMetricsJson);
        store.MaxPageRows = 2;   // pages continue with "id > 2": numeric order, not text order
        Assert.Equal(["1", "2", "3", "10"], store.Query("foreign_ip", null).Select(p => p.PatternId));
        Assert.Equal(["3", "10"], store.Query("foreign_ip", null, offset: 2).Select(p => p.PatternId));

        var refused = Assert.Throws<MilvusOpsException>(() => store.Upsert("foreign_ip", [new Pattern("4", [0f, 0f, 0f, 1f], null, null, null)]));
        Assert.Equal(("CollectionSchemaNotSupported", ErrorKind.InvalidOperation), (refused.ErrorId, refused.Kind));
        Assert.Contains("does not have the pattern schema", refused.Message);
        Assert.Equal(1, store.Delete("foreign_ip", ["3", "not-a-number"]));
        Assert.Equal(3L, store.Count("foreign_ip"));
        store.DropCollection("foreign_ip");
    }

    [SkippableFact]
    public void A_collection_whose_vectors_MilvusOps_cannot_tell_apart_or_that_has_no_index_is_refused_with_the_reason()
    {
        using var store = Store();
        CreateForeign("two_vectors",
            [Field("key", Rpc.DataType.VarChar, primaryKey: true, maxLength: "16"), Field("text_vec", Rpc.DataType.FloatVector, dim: "4"), Field("image_vec", Rpc.DataType.FloatVector, dim: "2")],
            ("text_vec", "FLAT", "COSINE"), ("image_vec", "FLAT", "L2"));
        var described = store.DescribeCollection("two_vectors");
        Assert.Equal(("text_vec", (MetricType?)MetricType.COSINE, "FLAT"), (described.VectorField, described.Metric, described.IndexType));
        var several = Assert.Throws<MilvusOpsException>(() => store.Search("two_vectors", new SearchRequest(["q"], [[1f, 0f, 0f, 0f]], Top: 1)));
        Assert.Equal(("CollectionSchemaNotSupported", ErrorKind.InvalidOperation), (several.ErrorId, several.Kind));
        Assert.Contains("2 vector fields (text_vec, image_vec)", several.Message);
        Assert.Equal("CollectionSchemaNotSupported", Assert.Throws<MilvusOpsException>(() => store.Query("two_vectors", null)).ErrorId);
        store.DropCollection("two_vectors");

        CreateForeign("no_index", [Field("id", Rpc.DataType.Int64, primaryKey: true), Field("embedding", Rpc.DataType.FloatVector, dim: "4")]);
        var unindexed = Assert.Throws<MilvusOpsException>(() => store.Search("no_index", new SearchRequest(["q"], [[1f, 0f, 0f, 0f]], Top: 1)));
        Assert.Equal(("IndexNotFound", ErrorKind.ObjectNotFound), (unindexed.ErrorId, unindexed.Kind));
        Assert.Contains("no index on its vector field", unindexed.Message);
        store.DropCollection("no_index");
    }

    [SkippableFact]
    public void A_collection_released_by_another_client_stays_released_and_reads_say_how_to_load_it()
    {
        using var store = Store();
        store.CreateCollection(new CollectionSpec { Name = "released", Dimension = 4, IndexType = "FLAT" }, ifNotExists: false);
        store.Upsert("released", [P(1), P(2)]);
        var other = fixture.Peer.Client();
        Assert.True(WireFormat.Check(other.ReleaseCollection(new Rpc.ReleaseCollectionRequest { DbName = "default", CollectionName = "released" })).Ok);

        var search = Assert.Throws<MilvusOpsException>(() => store.Search("released", new SearchRequest(["q"], [[2f, 1f, 0f, 0f]], Top: 1)));
        Assert.Equal(("CollectionNotLoaded", ErrorKind.ResourceUnavailable), (search.ErrorId, search.Kind));
        Assert.Contains("Mount-MilvusCollection", search.Message);
        Assert.Throws<MilvusOpsException>(() => store.Count("released"));
        Assert.Equal(LoadStatus.NotLoad, store.GetLoadState("released", default).State);

        store.Load("released", 1, default);
        Poll.Until(() => store.GetLoadState("released", default).State == LoadStatus.Loaded, TimeSpan.FromSeconds(10),
            () => new MilvusOpsException("t", ErrorKind.OperationTimeout, "never loaded"), default);
        Assert.Equal(2, store.Count("released"));
        store.DropCollection("released");
    }

    [SkippableFact]
    public void Another_clients_drop_recreate_and_alias_switch_are_seen_at_the_next_call_and_writes_land_in_the_collection_the_alias_names()
    {
        using var store = Store();
        store.CreateCollection(new CollectionSpec { Name = "rv_blue", Dimension = 4, IndexType = "FLAT" }, ifNotExists: false);
        store.Upsert("rv_blue", [P(1)]);
        using var other = Store();
        other.DropCollection("rv_blue");
        other.CreateCollection(new CollectionSpec { Name = "rv_green", Dimension = 8, IndexType = "FLAT", Metric = MetricType.IP }, ifNotExists: false);
        other.CreateAlias("rv_blue", "rv_green", default);

        // The first store cached nothing: it sees an 8-d IP collection behind the name, and writes and reads go to it.
        store.Upsert("rv_blue", [new Pattern("g1", [1, 0, 0, 0, 0, 0, 0, 0], "t", null, null)]);
        Assert.Equal(1, other.Count("rv_green"));
        var hits = store.Search("rv_blue", new SearchRequest(["q"], [[1, 0, 0, 0, 0, 0, 0, 0]], Top: 1));
        Assert.Equal(("g1", "rv_green", 1f), (hits[0][0].PatternId, hits[0][0].Collection, hits[0][0].Distance));
        Assert.Equal("rv_green", Assert.Single(store.Query("rv_blue", null)).Collection);

        other.DropAlias("rv_blue", default);
        other.DropCollection("rv_green");
    }

    [SkippableFact]
    public void A_compaction_with_nothing_to_do_says_so_and_is_not_reported_as_work_done()
    {
        using var store = Store();
        store.CreateCollection(new CollectionSpec { Name = "idle", Dimension = 4, IndexType = "FLAT" }, ifNotExists: false);
        var job = store.Compact("idle", l0: false, default);
        Assert.Equal(CompactionJob.NothingToCompact, job.State);
        store.DropCollection("idle");
    }
}
