using System.Reflection;
using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Pipelines.Measurement;
using MilvusOps.Engine.Session;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Engine.Tests.Measurement;

/// <summary>Search quality measured on the embedded store: recall against an exact pass of our own, latency, queries/s.</summary>
public sealed class SearchQualityTests : IDisposable
{
    private const int Dimension = 32;
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-quality-").FullName;
    private static readonly SearchQualityOptions Quick = new() { Queries = 25, ThroughputTime = TimeSpan.Zero };

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Hands every search's hits to <see cref="Rewrite"/> before the caller sees them, and counts the scans.</summary>
    public class RewritingStore : DispatchProxy
    {
        public IPatternStore Inner { get; set; } = null!;
        public Func<IReadOnlyList<SearchHit>, IReadOnlyList<SearchHit>> Rewrite { get; set; } = hits => hits;
        public int Scans { get; private set; }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(IPatternStore.Query)) Scans++;
            object? result;
            try { result = method.Invoke(Inner, args); }
            catch (TargetInvocationException wrapped) when (wrapped.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(wrapped.InnerException); // callers see the store's own exception
                throw;
            }
            return method.Name == nameof(IPatternStore.Search)
                ? ((IReadOnlyList<IReadOnlyList<SearchHit>>)result!).Select(Rewrite).ToList()
                : result;
        }
    }

    private (PatternSession Session, RewritingStore Store) Open()
    {
        var store = new EmbeddedStore(Path.Combine(_folder, "store.db"), TimeSpan.FromSeconds(2)) { ExactSearchBelowRows = 0 };
        var proxy = DispatchProxy.Create<IPatternStore, RewritingStore>();
        ((RewritingStore)(object)proxy).Inner = store;
        return (new PatternSession(new MilvusConnection(proxy, proxy), CancellationToken.None), (RewritingStore)(object)proxy);
    }

    private static void Fill(PatternSession session, string name, MetricType metric, string index, int rows, Func<int, float[]>? vector = null)
    {
        session.Create(new CollectionSpec
        {
            Name = name, Dimension = Dimension, Metric = metric, IndexType = index,
            IndexParametersJson = index == "HNSW" ? """{"M":4,"efConstruction":8}""" : null,
        }, ifNotExists: false);
        var data = new StructuredVectors(Dimension, seed: 5);
        // Ids count down while rowids count up, so the store's tie order (rowid) is not the truth's (id).
        session.Upsert(name, Enumerable.Range(0, rows).Select(i => new Pattern($"p{rows - i:D5}", vector?.Invoke(i) ?? data.Row(i), "t", null, null)).ToList());
    }

    private static void Nothing(string status, int percent) { }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.COSINE)]
    public void Exact_search_has_recall_one_and_ordered_latencies(MetricType metric)
    {
        var (session, _) = Open();
        Fill(session, "f", metric, "FLAT", 700);
        var result = Assert.Single(SearchQuality.Measure(session, "f", Quick with { Concurrency = 2 }, Nothing));
        Assert.Equal((1.0, 1.0), (result.Recall, result.MinRecall));
        Assert.Equal((25, 10, 2, "FLAT", metric), (result.Queries, result.Top, result.Concurrency, result.IndexType, result.Metric));
        Assert.Equal(25, result.LatenciesMs.Count);
        Assert.True(0 < result.LatencyP50Ms && result.LatencyP50Ms <= result.LatencyP95Ms && result.LatencyP95Ms <= result.LatencyP99Ms);
        Assert.Equal(result.LatenciesMs.Max(), result.LatencyP99Ms);   // nearest rank: the 25th of 25
        Assert.True(result.QueriesPerSecond > 0);
    }

    [Fact]
    public void Recall_is_the_share_of_the_exact_neighbours_returned()
    {
        var (session, store) = Open();
        Fill(session, "f", MetricType.L2, "FLAT", 700);
        store.Rewrite = hits => [.. hits.Take(3)];
        Assert.Equal(0.3, Assert.Single(SearchQuality.Measure(session, "f", Quick, Nothing)).Recall, 12);
        // Hits far beyond the k-th neighbour are not ties: they count for nothing.
        var far = Enumerable.Range(0, 5).Select(i => new SearchHit("q", 6 + i, $"far{i}", 1e9f, null, null, null, "f")).ToList();
        store.Rewrite = hits => [.. hits.Take(5), .. far];
        Assert.Equal(0.5, Assert.Single(SearchQuality.Measure(session, "f", Quick, Nothing)).Recall, 12);
    }

    [Fact]
    public void A_hit_tied_with_the_kth_neighbour_counts_as_found()
    {
        var (session, _) = Open();
        // Every vector is the same: any ten rows are a right answer, whatever order a backend breaks ties in.
        Fill(session, "same", MetricType.L2, "FLAT", 300, _ => Enumerable.Repeat(0.5f, Dimension).ToArray());
        Assert.Equal(1.0, Assert.Single(SearchQuality.Measure(session, "same", Quick, Nothing)).Recall);
    }

    [Fact]
    public void A_sweep_gives_one_result_per_value_and_a_wider_search_finds_more()
    {
        var (session, _) = Open();
        Fill(session, "h", MetricType.L2, "HNSW", 3000);
        var results = SearchQuality.Measure(session, "h", Quick with { Queries = 60, SweepParameter = "ef", SweepValues = [10, 3000] }, Nothing);
        Assert.Equal(new object?[] { 10, 3000 }, results.Select(r => r.Value));
        Assert.All(results, r => Assert.Equal("ef", r.Parameter));
        Assert.Contains("\"ef\":10", results[0].SearchParameters);
        Assert.Equal(1.0, results[1].Recall);    // ef at least the rows: exact
        Assert.True(results[0].Recall < 1.0, $"M = 4, efConstruction = 8, ef = 10 found every neighbour ({results[0].Recall})");
    }

    [Fact]
    public void Every_setting_is_checked_before_the_collection_is_read()
    {
        var (session, store) = Open();
        Fill(session, "h", MetricType.L2, "HNSW", 100);
        var error = Assert.Throws<MilvusOpsException>(() =>
            SearchQuality.Measure(session, "h", Quick with { SweepParameter = "ef", SweepValues = [64, 5] }, Nothing));
        Assert.Equal(("InvalidSearchParameter", 0), (error.ErrorId, store.Scans));
        Assert.Equal("CollectionEmpty", Assert.Throws<MilvusOpsException>(() =>
        {
            session.Create(new CollectionSpec { Name = "empty", Dimension = Dimension }, ifNotExists: false);
            SearchQuality.Measure(session, "empty", Quick, Nothing);
        }).ErrorId);
    }

    [Fact]
    public void Ctrl_C_stops_a_measurement_between_searches()
    {
        var (session, _) = Open();
        Fill(session, "f", MetricType.L2, "FLAT", 700);
        using var stop = new CancellationTokenSource();
        var cancellable = new PatternSession(session.Connection, stop.Token);
        var started = new List<string>();
        Assert.ThrowsAny<OperationCanceledException>(() => SearchQuality.Measure(cancellable, "f", Quick with { ThroughputTime = TimeSpan.FromHours(1) },
            (status, _) =>
            {
                started.Add(status);
                if (status.StartsWith("Searching", StringComparison.Ordinal)) stop.Cancel();
            }));
        Assert.Contains(started, status => status.StartsWith("Searching", StringComparison.Ordinal));
    }

    [Fact]
    public void The_plots_are_PNG_files_that_never_replace_a_file()
    {
        var (session, _) = Open();
        Fill(session, "h", MetricType.L2, "HNSW", 500);
        var results = SearchQuality.Measure(session, "h", Quick with { SweepParameter = "ef", SweepValues = [10, 40] }, Nothing);
        string folder = Path.Combine(_folder, "plots");
        var plots = SearchQualityPlots.Reserve(folder, "h");
        plots.Write(results);
        foreach (string path in new[] { plots.RecallPath, plots.LatencyPath })
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(path)[..4]);
        Assert.Equal(2, Directory.GetFiles(folder).Length);   // no temporary file left behind

        Assert.Equal("PlotFileExists", Assert.Throws<MilvusOpsException>(() => SearchQualityPlots.Reserve(folder, "h")).ErrorId);
        File.WriteAllText(Path.Combine(folder, "g-latency.png"), "mine");
        Assert.Equal("PlotFileExists", Assert.Throws<MilvusOpsException>(() => SearchQualityPlots.Reserve(folder, "g")).ErrorId);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(folder, "g-latency.png")));
    }
}
