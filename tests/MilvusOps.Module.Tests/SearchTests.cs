namespace MilvusOps.Module.Tests;

public sealed class SearchTests : IDisposable
{
    private const int Count = 400;
    private readonly ModuleSession _session = new();

    public SearchTests() => _session.Run("Connect-Milvus ./search.db -Create | Out-Null");

    public void Dispose() => _session.Dispose();

    private void Load(string metric, int dimension = 64)
    {
        // FLAT: these tests hold the exact search to an independent brute force (HNSW is held to a recall bound in the contract suite).
        _session.Run("New-PatternCollection p -Dimension $args[0] -Metric $args[1] -IndexType FLAT | Out-Null", dimension, metric);
        var patterns = Enumerable.Range(0, Count)
            .Select(i => Vectors.Pattern($"p{i:D3}", Vectors.Random(i, dimension), type: i % 3 == 0 ? "triad" : "other", coherence: (i % 10) / 10.0))
            .ToArray();
        _session.Run("$args[0] | ForEach-Object { [pscustomobject]$_ } | Add-Pattern p", [patterns]);
    }

    private static List<(string Id, double Distance)> BruteForce(string metric, float[] query, int top, Func<int, bool>? keep = null, int dimension = 64)
    {
        var scored = Enumerable.Range(0, Count).Where(i => keep?.Invoke(i) ?? true)
            .Select(i => (Id: $"p{i:D3}", Distance: Vectors.Distance(metric, query, Vectors.Random(i, dimension))));
        scored = metric == "L2" ? scored.OrderBy(s => s.Distance) : scored.OrderByDescending(s => s.Distance);
        return scored.Take(top).ToList();
    }

    [Theory]
    [InlineData("L2")]
    [InlineData("IP")]
    [InlineData("COSINE")]
    public void Search_matches_an_independent_brute_force(string metric)
    {
        Load(metric);
        var query = Vectors.Random(9999, 64);
        var hits = _session.Run("Find-SimilarPattern p -Vector $args[0] -Top 15", query);
        var expected = BruteForce(metric, query, 15);
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Properties["PatternId"].Value));
        for (int i = 0; i < hits.Count; i++)
        {
            Assert.Equal(i + 1, hits[i].Properties["Rank"].Value);
            Assert.Equal("0", hits[i].Properties["QueryId"].Value);
            Assert.Equal(expected[i].Distance, (float)hits[i].Properties["Distance"].Value, 1e-3 * Math.Max(1, Math.Abs(expected[i].Distance)));
        }
    }

    [Fact]
    public void A_stored_pattern_finds_itself_first_at_distance_zero()
    {
        Load("L2");
        var hit = _session.Run("Find-SimilarPattern p -Id p123 -Top 3")[0];
        Assert.Equal("p123", hit.Properties["PatternId"].Value);
        Assert.Equal("p123", hit.Properties["QueryId"].Value);
        Assert.Equal(0f, hit.Properties["Distance"].Value);
    }

    [Fact]
    public void Piped_patterns_are_queries_named_by_their_ids_and_batched()
    {
        Load("IP");
        var hits = _session.Run("Get-Pattern p -Limit 100 | Find-SimilarPattern p -Top 2");
        Assert.Equal(200, hits.Count);
        var byQuery = hits.GroupBy(h => (string)h.Properties["QueryId"].Value).ToList();
        Assert.Equal(100, byQuery.Count);
        foreach (var group in byQuery)
        {
            int i = int.Parse(group.Key[1..]);
            var expected = BruteForce("IP", Vectors.Random(i, 64), 2);
            Assert.Equal(expected.Select(e => e.Id), group.Select(h => h.Properties["PatternId"].Value));
        }
    }

    [Fact]
    public void Piped_vectors_are_numbered_queries()
    {
        Load("L2");
        var hits = _session.Run("[pscustomobject]@{ Vector = $args[0] }, [pscustomobject]@{ Embedding = $args[1] } | Find-SimilarPattern p -Top 1",
            Vectors.Random(5, 64), Vectors.Random(6, 64));
        Assert.Equal(["0", "1"], hits.Select(h => h.Properties["QueryId"].Value));
        Assert.Equal(["p005", "p006"], hits.Select(h => h.Properties["PatternId"].Value));
    }

    [Fact]
    public void MinCoherence_composes_with_Filter()
    {
        Load("L2");
        var query = Vectors.Random(42, 64);
        var hits = _session.Run("Find-SimilarPattern p -Vector $args[0] -Top 10 -MinCoherence 0.7 -Filter 'pattern_type == \"triad\"'", query);
        var expected = BruteForce("L2", query, 10, i => i % 3 == 0 && (i % 10) / 10.0 >= 0.7);
        Assert.Equal(expected.Select(e => e.Id), hits.Select(h => h.Properties["PatternId"].Value));
        Assert.All(hits, h => Assert.True((double)((System.Collections.IDictionary)h.Properties["CoherenceMetrics"].Value)["quantum_coherence"]! >= 0.7));
    }

    [Fact]
    public void Search_sees_writes_made_after_the_vectors_were_cached()
    {
        Load("L2");
        var query = Vectors.Random(5000, 64);   // not one of the stored vectors
        Assert.NotEqual("fresh", _session.Run("(Find-SimilarPattern p -Vector $args[0] -Top 1).PatternId", query)[0].ToString());
        _session.Run("[pscustomobject]@{ PatternId = 'fresh'; Vector = $args[0] } | Add-Pattern p", query);
        Assert.Equal("fresh", _session.Run("(Find-SimilarPattern p -Vector $args[0] -Top 1).PatternId", query)[0].ToString());
        _session.Run("Remove-Pattern p fresh");
        Assert.NotEqual("fresh", _session.Run("(Find-SimilarPattern p -Vector $args[0] -Top 1).PatternId", query)[0].ToString());
    }

    [Fact]
    public void A_bad_query_vector_is_reported_alone_and_the_others_still_run()
    {
        Load("L2");
        var result = _session.Invoke("[pscustomobject]@{ Vector = 1,2,3 }, [pscustomobject]@{ Vector = $args[0] } | Find-SimilarPattern p -Top 1", Vectors.Random(3, 64));
        Assert.Equal("VectorDimensionMismatch", Assert.Single(result.Errors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("p003", Assert.Single(result.Output).Properties["PatternId"].Value);
        Assert.Equal("1", result.Output[0].Properties["QueryId"].Value);
    }
}
