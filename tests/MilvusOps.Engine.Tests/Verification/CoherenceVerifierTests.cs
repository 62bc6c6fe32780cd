using System.Reflection;
using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Tests.Verification;

public sealed class CoherenceVerifierTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-verify-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Counts the reads of a real store; a proxy, so it follows the interface as it grows.</summary>
    public class CountingStore : DispatchProxy
    {
        public IPatternStore Inner { get; set; } = null!;
        public int Queries { get; private set; }
        public bool? IncludedVectors { get; private set; }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method!.Name == nameof(IPatternStore.Query))
            {
                Queries++;
                IncludedVectors = (bool)args![4]!;
            }
            return method.Invoke(Inner, args);
        }
    }

    /// <summary>A session over a store whose reads are counted.</summary>
    private (PatternSession Session, CountingStore Counting) CountedSession()
    {
        var store = new EmbeddedStore(Path.Combine(_folder, "store.db"), TimeSpan.FromSeconds(2));
        var counting = DispatchProxy.Create<IPatternStore, CountingStore>();
        ((CountingStore)(object)counting).Inner = store;
        return (new PatternSession(new MilvusConnection(counting, counting), CancellationToken.None), (CountingStore)(object)counting);
    }

    [Fact]
    public void Threshold_and_TemporalContext_read_each_pattern_in_one_scan()
    {
        var (session, counting) = CountedSession();
        session.Create(new CollectionSpec { Name = "p", Dimension = 2 }, ifNotExists: false);
        session.Upsert("p", [new Pattern("a", [1, 2], "t", """{"quantum_coherence":0.95}""", """{"at":"2999-01-01"}""")]);

        var results = CoherenceVerifier.CheckPatterns(session, "p", new Dictionary<string, double> { ["quantum_coherence"] = 0.9 }, DateTimeOffset.UtcNow);

        Assert.Equal(1, counting.Queries);
        Assert.False(counting.IncludedVectors);   // the JSON checks read no vectors
        Assert.Equal(["Threshold", "TemporalContext"], results.Select(r => r.Check));
        Assert.True(results[0].Passed);
        Assert.False(results[1].Passed);   // the future timestamp
        Assert.All(results, r => Assert.Equal(1, r.Checked));
    }

    [Fact]
    public void A_non_finite_threshold_is_refused_before_the_collection_is_read()
    {
        var (session, counting) = CountedSession();
        var error = Assert.Throws<MilvusOpsException>(() =>
            CoherenceVerifier.CheckPatterns(session, "p", new Dictionary<string, double> { ["quantum_coherence"] = double.NaN }, DateTimeOffset.UtcNow));
        Assert.Equal("InvalidThreshold", error.ErrorId);
        Assert.Equal(0, counting.Queries);
    }
}
