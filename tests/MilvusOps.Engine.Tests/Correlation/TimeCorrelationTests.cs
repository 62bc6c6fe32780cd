using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Backends.Milvus;
using MilvusOps.Engine.Pipelines.Correlation;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Tests.Milvus;
using MilvusOps.Tests.Shared;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Tests.Correlation;

/// <summary>
/// Reads by time, correlation and prediction on both backends (the embedded store and the stateful peer), over a timeline
/// with planted chains: A (a burst of 3), then B 2 minutes later, then C 4 minutes later, every hour, with a noise event
/// between episodes. Both backends must give the same answers.
/// </summary>
public sealed class TimeCorrelationTests(StatefulPeer peer) : IClassFixture<StatefulPeer>, IDisposable
{
    private const int Dimension = 32, Episodes = 12;
    private const string Key = "observed_at";
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-time-").FullName;
    private readonly List<MilvusConnection> _connections = [];

    public void Dispose()
    {
        foreach (var connection in _connections) connection.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    public static TheoryData<string> Backends => ["embedded", "milvus"];

    private static PlantedChains Timeline() => new PlantedChains(Dimension, seed: 5)
        .Plant("abc", Episodes, TimeSpan.FromHours(1), burst: 3,
            new PlantedChains.Link("A", TimeSpan.Zero), new PlantedChains.Link("B", TimeSpan.FromMinutes(2)), new PlantedChains.Link("C", TimeSpan.FromMinutes(4)));

    /// <summary>A session over a collection holding the timeline, and patterns whose time is missing or bad; on Milvus, on
    /// the class's 2.5 peer unless another is named.</summary>
    private PatternSession Session(string backend, string name, PlantedChains timeline, LivePeer? milvus = null)
    {
        MilvusConnection connection;
        if (backend == "embedded")
        {
            connection = StoreFactory.Connect(Path.Combine(_folder, $"{name}.db"), TimeSpan.FromSeconds(5), create: true);
        }
        else
        {
            milvus ??= peer.Peer;
            Skip.If(milvus.SkipReason is not null, milvus.SkipReason);
            connection = StoreFactory.Connect(MilvusEndpoint.Parse($"http://127.0.0.1:{milvus.Port}").WithCredential("root", "Milvus"));
        }
        _connections.Add(connection);
        var session = new PatternSession(connection, default);
        session.Create(new CollectionSpec { Name = name, Dimension = Dimension, Metric = MetricType.COSINE, IndexType = "FLAT" }, false);
        session.Upsert(name, [.. timeline.Events.Select(e => new Pattern(e.Id, e.Vector, e.Kind, null, e.Context(Key)))]);
        var odd = timeline.KindVector("odd");
        session.Upsert(name,
        [
            new Pattern("bad-hour", odd, "odd", null, """{"observed_at":"2026-11-01T25:00:00Z"}"""),
            new Pattern("epoch-number", odd, "odd", null, """{"observed_at":1793491200}"""),
            new Pattern("no-time", odd, "odd", null, """{"source":"x"}"""),
            new Pattern("offset-east", odd, "odd", null, """{"observed_at":"2026-11-01T13:30:00+14:00"}"""),   // 2026-10-31T23:30Z
            new Pattern("offset-west", odd, "odd", null, """{"observed_at":"2026-10-31T12:30:00-12:00"}"""),   // 2026-11-01T00:30Z
        ]);
        return session;
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void A_read_by_time_takes_every_offset_and_reports_what_does_not_parse(string backend)
    {
        var timeline = Timeline();
        var session = Session(backend, "time_read", timeline);
        var since = PlantedChains.Start;
        var until = PlantedChains.Start + TimeSpan.FromHours(3);
        var unparseable = new List<string>();
        var read = session.ReadByTime("time_read", Key, since, until, null, (p, _) => unparseable.Add(p.PatternId)).ToList();

        var expected = timeline.Events.Where(e => e.Time >= since && e.Time < until).Select(e => e.Id).Append("offset-west").Order(StringComparer.Ordinal);
        Assert.Equal(expected, read.Select(r => r.Pattern.PatternId));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 30, 0, TimeSpan.Zero), read.Single(r => r.Pattern.PatternId == "offset-west").Time);
        Assert.Equal(["bad-hour"], unparseable);   // in the text range; the number and the missing key are not times at all

        Assert.Contains("offset-east", session.ReadByTime("time_read", Key, since - TimeSpan.FromHours(1), since, null).Select(r => r.Pattern.PatternId));
        Assert.Equal("InvalidTimeKey", Assert.Throws<MilvusOpsException>(() => session.ReadByTime("time_read", "a.b", null, null, null)).ErrorId);
        Assert.Equal("InvalidTimeRange", Assert.Throws<MilvusOpsException>(() => session.ReadByTime("time_read", Key, until, since, null)).ErrorId);
        // The filter applies too.
        Assert.All(session.ReadByTime("time_read", Key, since, until, "pattern_type == \"B\"").ToList(), r => Assert.Equal("B", r.Pattern.PatternType));
    }

    [Fact]
    public void The_embedded_store_reads_by_time_through_an_index_on_the_key()
    {
        var session = Session("embedded", "time_index", Timeline());
        var explained = new List<string>();
        _ = session.ReadByTime("time_index", Key, PlantedChains.Start, null, null, explain: explained.Add).ToList();
        Assert.Contains(explained, line => line.Contains("Indexed temporal_context.observed_at", StringComparison.Ordinal));
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "time_index.db")};Pooling=False");
        connection.Open();
        using var plan = connection.CreateCommand();
        plan.CommandText = "EXPLAIN QUERY PLAN SELECT pattern_id FROM c_1 WHERE json_extract(temporal_context, '$.observed_at') >= '2026-11-01'";
        using var reader = plan.ExecuteReader();
        var steps = new List<string>();
        while (reader.Read()) steps.Add(reader.GetString(3));
        Assert.Contains(steps, step => step.Contains("USING INDEX c_1_time_", StringComparison.Ordinal));
        explained.Clear();
        _ = session.ReadByTime("time_index", Key, PlantedChains.Start, null, null, explain: explained.Add).ToList();
        Assert.DoesNotContain(explained, line => line.Contains("Indexed", StringComparison.Ordinal));   // once
        // A key that differs only in case is another key, with an index of its own (SQLite's names ignore case).
        explained.Clear();
        _ = session.ReadByTime("time_index", "Observed_At", PlantedChains.Start, null, null, explain: explained.Add).ToList();
        Assert.Contains(explained, line => line.Contains("Indexed temporal_context.Observed_At", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void On_Milvus_2_6_New_MilvusIndex_TimeKey_builds_the_json_path_index_reads_by_time_filter_through()
    {
        Skip.If(peer.Peer.SkipReason is not null, peer.Peer.SkipReason);
        using var newer = new LivePeer(["--stateful", "--server-version", "v2.6.25"]);
        var timeline = Timeline();
        var session = Session("milvus", "time_json", timeline, newer);
        var explained = new List<string>();
        List<string> Read(PatternSession on, string key) =>
            [.. on.ReadByTime("time_json", key, PlantedChains.Start, null, null, explain: explained.Add).Select(r => r.Pattern.PatternId)];
        int CreateIndexCalls() => newer.Calls.Count(call => call.StartsWith("CALL CreateIndex", StringComparison.Ordinal));
        int before = CreateIndexCalls();

        // A read says what would serve it, and changes nothing.
        var first = Read(session, Key);
        Assert.Contains(explained, line => line.Contains("No JSON path index serves it, so the filter reads every row: New-MilvusIndex time_json -TimeKey observed_at builds one.", StringComparison.Ordinal));
        Assert.Equal(before, CreateIndexCalls());

        var index = session.CreateTimeIndex("time_json", Key);
        Assert.Equal(("time_observed_at", "INVERTED", PatternSchema.TemporalContext, "Finished"), (index.IndexName, index.IndexType, index.Field, index.State));
        Assert.Equal("""temporal_context["observed_at"]""", index.Parameters!["json_path"]);
        Assert.Equal("VARCHAR", index.Parameters["json_cast_type"]);
        Assert.Equal("time_observed_at", session.CreateTimeIndex("time_json", Key).IndexName);   // again: the same index, no call
        Assert.Equal(before + 1, CreateIndexCalls());
        explained.Clear();
        Assert.Equal(first, Read(session, Key));   // the index changes the speed, not the answer
        Assert.Contains(explained, line => line.EndsWith("The JSON path index 'time_observed_at' serves it.", StringComparison.Ordinal));

        // Someone else's index on a path, cast to numbers: it stays, reads filter every row, and another index is refused.
        static Rpc.KeyValuePair Kv(string key, string value) => new() { Key = key, Value = value };
        Assert.Equal(0, newer.Client().CreateIndex(new Rpc.CreateIndexRequest
        {
            CollectionName = "time_json", FieldName = PatternSchema.TemporalContext, IndexName = "mine",
            ExtraParams = { Kv("index_type", "INVERTED"), Kv("json_path", "temporal_context[ 'epoch' ]"), Kv("json_cast_type", "DOUBLE") },
        }).Code);
        explained.Clear();
        Assert.Empty(Read(session, "epoch"));
        Assert.Contains(explained, line => line.Contains("""'mine' on temporal_context["epoch"] casts to DOUBLE, not text""", StringComparison.Ordinal));
        var taken = Assert.Throws<MilvusOpsException>(() => session.CreateTimeIndex("time_json", "epoch"));
        Assert.Equal(("JsonPathIndexExists", ErrorKind.ResourceExists), (taken.ErrorId, taken.Kind));
        Assert.Contains("Drop it first with Remove-MilvusIndex", taken.Message, StringComparison.Ordinal);

        // Milvus 2.5: the same read, no index made, and New-MilvusIndex -TimeKey refused before any call.
        var older = Session("milvus", "time_json", timeline);
        int olderCalls = peer.Peer.Calls.Count(call => call.StartsWith("CALL CreateIndex", StringComparison.Ordinal));
        explained.Clear();
        Assert.Equal(first, Read(older, Key));
        Assert.Contains(explained, line => line.Contains("(MilvusOps builds them on Milvus 2.6 and later; this server is v2.5.27)", StringComparison.Ordinal));
        Assert.Equal("NotSupportedByServerVersion", Assert.Throws<MilvusOpsException>(() => older.CreateTimeIndex("time_json", Key)).ErrorId);
        Assert.Equal(olderCalls, peer.Peer.Calls.Count(call => call.StartsWith("CALL CreateIndex", StringComparison.Ordinal)));
        Assert.Equal("NotSupportedByBackend", Assert.Throws<MilvusOpsException>(() => Session("embedded", "time_json", timeline).CreateTimeIndex("time_json", Key)).ErrorId);
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void Correlation_finds_the_planted_chain_with_its_support_and_collapses_the_bursts(string backend)
    {
        var timeline = Timeline();
        var session = Session(backend, "time_correlation", timeline);
        var scope = new TimeScope("time_correlation", 0.95) { TimeKey = Key, Window = TimeSpan.FromMinutes(5) };
        var unparseable = new List<string>();
        var groups = CorrelationFinder.Find(session, scope, new CorrelationThresholds(MinLift: 0), unparseable: (p, _) => unparseable.Add(p.PatternId));

        // Noise occurs once. The two odd patterns with a time, an hour apart, recur too: the second shares its occurrence with
        // the first episode's noise, which does not hide it.
        Assert.Equal([["A", "B", "C"], ["odd"]], groups.Select(g => g.KindTypes.ToArray()));
        Assert.Equal(2, groups[1].Support);
        var chain = groups[0];
        Assert.Equal((Episodes, 1.0), (chain.Support, chain.Confidence));
        Assert.InRange(chain.Lift!.Value, 1.5, 3);   // half the occurrences are the chain's: chance would put A, B and C together in half
        Assert.Null(groups[1].Lift);                  // one kind
        Assert.Equal(["A", "B", "C"], chain.KindTypes);
        Assert.Equal(["abc-0000-A-0", "abc-0000-B", "abc-0000-C"], chain.Kinds);
        Assert.Equal(Episodes * 5, chain.Count);   // 3 near-duplicates of A, one B and one C each time
        Assert.All(chain.Occurrences, o => Assert.Equal((TimeSpan.FromMinutes(4), 5), (o.End - o.Start, o.Count)));
        Assert.Equal((PlantedChains.Start, PlantedChains.Start + TimeSpan.FromHours(Episodes - 1) + TimeSpan.FromMinutes(4)), (chain.FirstSeen, chain.LastSeen));
        Assert.Equal(["bad-hour", "epoch-number"], unparseable.Order(StringComparer.Ordinal));   // an open range reads every value of the key
        Assert.Contains("\"observed_at\":\"2026-11-01T00:00:00Z\"", chain.TemporalContext, StringComparison.Ordinal);

        // A window shorter than the chain splits it: A with B, and C alone.
        var split = CorrelationFinder.Find(session, scope with { Window = TimeSpan.FromMinutes(3) }, new CorrelationThresholds(MinLift: 0));
        Assert.Equal([["A", "B"], ["C"], ["odd"]], split.Select(g => g.KindTypes.ToArray()));
        // The same group found again has the same id.
        Assert.Equal(chain.PatternId, CorrelationFinder.Find(session, scope, new CorrelationThresholds(MinLift: 0))[0].PatternId);
        // A least lift above the chain's drops it; a group of one kind has no lift to fail.
        Assert.Equal([["odd"]], CorrelationFinder.Find(session, scope, new CorrelationThresholds(MinLift: 3)).Select(g => g.KindTypes.ToArray()));
        foreach (var (bad, id) in new[] { (new CorrelationThresholds(MinSupport: 0), "InvalidSupport"), (new CorrelationThresholds(MinConfidence: 1.5), "InvalidConfidence"),
            (new CorrelationThresholds(MinLift: double.NaN), "InvalidLift") })
            Assert.Equal(id, Assert.Throws<MilvusOpsException>(() => CorrelationFinder.Find(session, scope, bad)).ErrorId);
    }

    [Fact]
    public void Correlation_finds_a_chain_that_never_occurred_without_a_one_off_kind_beside_it()
    {
        var timeline = Timeline();
        var session = Session("embedded", "time_crowded", timeline);
        // A one-off kind a minute into every episode: the chain never occurs alone, and no set of kinds occurs twice. A kind
        // that occurs once can be in no group, so it is left out of the candidate sets.
        session.Upsert("time_crowded", [.. Enumerable.Range(0, Episodes).Select(e =>
            new Pattern($"crowd-{e}", timeline.KindVector($"crowd-{e}"), $"crowd-{e}", null,
                $$"""{"{{Key}}":"{{PatternTime.Format(PlantedChains.Start + TimeSpan.FromHours(e) + TimeSpan.FromMinutes(1))}}"}"""))]);
        var scope = new TimeScope("time_crowded", 0.95) { TimeKey = Key, Window = TimeSpan.FromMinutes(5) };

        var groups = CorrelationFinder.Find(session, scope, new CorrelationThresholds(MinLift: 0));
        Assert.Equal([["A", "B", "C"], ["odd"]], groups.Select(g => g.KindTypes.ToArray()));
        Assert.Equal((Episodes, 1.0), (groups[0].Support, groups[0].Confidence));
        Assert.Equal(Episodes * 5, groups[0].Count);   // the chance kinds are not members
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void Prediction_ranks_what_followed_alike_patterns_with_its_evidence(string backend)
    {
        var timeline = Timeline();
        var session = Session(backend, "time_prediction", timeline);
        var scope = new TimeScope("time_prediction", 0.95) { TimeKey = Key, Window = TimeSpan.FromMinutes(10) };

        var fromVector = FollowerPredictor.Predict(session, scope, new("vector", timeline.KindVector("A"), null), top: 5);
        Assert.Equal(["B", "C"], fromVector.Select(p => p.FollowerType));
        Assert.All(fromVector, p => Assert.Equal((Episodes, 1.0), (p.Support, p.Confidence)));
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(4)), (fromVector[0].TypicalDelay, fromVector[1].TypicalDelay));
        Assert.Equal(("abc-0003-A-0", "abc-0003-B"), (fromVector[0].Evidence[3].Past, fromVector[0].Evidence[3].Followed));

        // From a stored A of the sixth episode, only what came before it is its past.
        var stored = timeline.Events.Single(e => e.Id == "abc-0005-A-0");
        var fromStored = FollowerPredictor.Predict(session, scope, new(stored.Id, stored.Vector, stored.Time), top: 1);
        Assert.Equal((5, "B"), (Assert.Single(fromStored).Support, fromStored[0].FollowerType));
        // Nothing alike, nothing predicted.
        Assert.Empty(FollowerPredictor.Predict(session, scope, new("vector", timeline.KindVector("never-seen"), null), top: 5));
    }

    [SkippableTheory]
    [MemberData(nameof(Backends))]
    public void Prediction_on_Milvus_searches_further_when_all_of_the_first_1000_nearest_are_alike(string backend)
    {
        // 1,100 floods, 20 minutes apart, each followed by a drain 3 minutes later.
        var timeline = new PlantedChains(Dimension, seed: 9).Plant("flood", 1_100, TimeSpan.FromMinutes(20), burst: 1,
            new PlantedChains.Link("F", TimeSpan.Zero), new PlantedChains.Link("D", TimeSpan.FromMinutes(3)));
        var session = Session(backend, "time_flood", timeline);
        var scope = new TimeScope("time_flood", 0.95) { TimeKey = Key, Window = TimeSpan.FromMinutes(5) };
        var explained = new List<string>();
        var warnings = new List<string>();

        var prediction = FollowerPredictor.Predict(session, scope, new("vector", timeline.KindVector("F"), null), top: 1, explain: explained.Add, warn: warnings.Add);
        Assert.Equal(("D", 1_100, 1.0), (prediction[0].FollowerType, prediction[0].Support, prediction[0].Confidence));
        Assert.Empty(warnings);
        Assert.Equal(backend == "milvus", explained.Any(line => line.Contains("All 1,000 nearest patterns are alike to vector: searching for the nearest 16,384", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_time_series_check_reports_missing_times_long_gaps_and_ids_out_of_time_order()
    {
        var timeline = Timeline();
        var session = Session("embedded", "time_series", timeline);
        session.Upsert("time_series", [new Pattern("aaa-late", timeline.KindVector("C"), "C", null, """{"observed_at":"2026-11-05T04:00:00Z"}""")]);
        var thresholds = new Dictionary<string, double>();
        CoherenceCheckResult Check(TimeSeriesRules rules) =>
            CoherenceVerifier.CheckPatterns(session, "time_series", thresholds, DateTimeOffset.UtcNow, series: rules).Single(r => r.Check == "TimeSeries");

        var times = Check(new TimeSeriesRules(Key, MaxGap: TimeSpan.FromHours(2)));
        Assert.Equal(["aaa-late", "bad-hour", "epoch-number", "no-time"], times.Violations.Select(v => v.PatternId).Order(StringComparer.Ordinal));   // aaa-late: 3 days after C's last
        Assert.Contains("not an ISO-8601 time: 1793491200", times.Violations.Single(v => v.PatternId == "epoch-number").Detail, StringComparison.Ordinal);

        // Hourly series break a 30-minute rule after every episode (A, B and C; "odd" has one gap of an hour), and aaa-late
        // is 3 days after C's last.
        var gaps = Check(new TimeSeriesRules(Key, MaxGap: TimeSpan.FromMinutes(30)));
        Assert.Equal(3 + 3 * (Episodes - 1) + 1 + 1, gaps.Failed);
        Assert.Contains(gaps.Violations, v => v.PatternId == "abc-0001-A-0" && v.Detail.Contains("series 'A'", StringComparison.Ordinal));

        var order = Check(new TimeSeriesRules(Key, IdOrder: true));
        var late = Assert.Single(order.Violations, v => v.PatternId.StartsWith("abc", StringComparison.Ordinal));
        Assert.Equal("abc-0000-C", late.PatternId);
        Assert.Contains("'aaa-late'", late.Detail, StringComparison.Ordinal);
    }
}
