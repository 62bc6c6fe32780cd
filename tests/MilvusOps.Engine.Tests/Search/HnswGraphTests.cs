using MilvusOps.Engine.Search.Graph;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Engine.Tests.Search;

public class HnswGraphTests
{
    private const int Dimension = 48;
    private static readonly StructuredVectors Data = new(Dimension, seed: 7);

    // Queries come from the same distribution as the rows, but are none of them.
    private const long QueryBase = 1_000_000;

    private static HnswGraph Build(int rows, MetricType metric, int threads = 2)
    {
        var graph = HnswGraph.Create(Dimension, metric, connectivity: 16, expansionAdd: 100, threads);
        graph.Reserve(rows);
        Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => graph.Add((ulong)i + 1, Data.Row(i)));
        return graph;
    }

    private static double Recall(HnswGraph graph, MetricType metric, int rows, int queries, int top, int ef, Func<int, bool>? keep = null)
    {
        var all = Enumerable.Range(0, rows).Select(i => Data.Row(i)).ToArray();
        KeyFilter? filter = keep is null ? null : new KeyFilter(Enumerable.Range(0, rows).Where(keep).Select(i => (long)i + 1), rows + 1);
        int found = 0, wanted = 0;
        var keys = new ulong[top];
        for (int q = 0; q < queries; q++)
        {
            var query = Data.Row(QueryBase + q);
            var truth = NaiveSearch.Rank(metric, all, query, keep is null ? null : Enumerable.Range(0, rows).Where(keep).ToArray())
                .Take(top).Select(t => (ulong)t.Position + 1).ToHashSet();
            int n = graph.Search(query, ef, keys, filter, CancellationToken.None);
            Assert.All(keys[..n], k => Assert.True(keep is null || keep((int)k - 1), $"key {k} is not allowed"));
            found += keys[..n].Count(truth.Contains);
            wanted += truth.Count;
        }
        return (double)found / wanted;
    }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.COSINE)]
    public void FindsTheTrueNeighboursOfStructuredVectors(MetricType metric)
    {
        using var graph = Build(4000, metric);
        Assert.Equal(4000, graph.Count);
        double recall = Recall(graph, metric, 4000, 50, 10, ef: 64);
        Assert.True(recall >= 0.95, $"recall@10 {recall}");
        // A wider candidate list finds at least as much.
        Assert.True(Recall(graph, metric, 4000, 50, 10, ef: 256) >= 0.99);
    }

    [Fact]
    public void AFilteredSearchReturnsOnlyAllowedKeysAndStillFindsTheirNeighbours()
    {
        using var graph = Build(4000, MetricType.L2);
        Assert.True(Recall(graph, MetricType.L2, 4000, 40, 10, ef: 64, keep: i => i % 5 == 0) >= 0.9);
        Assert.True(Recall(graph, MetricType.L2, 4000, 40, 10, ef: 64, keep: i => i % 2 == 1) >= 0.9);
    }

    [Fact]
    public void VectorsReadBackBitForBitAndRemovedKeysAreGoneUntilAddedAgain()
    {
        using var graph = Build(500, MetricType.COSINE);
        var vector = new float[Dimension];
        Assert.True(graph.TryGet(42, vector));
        Assert.Equal(Data.Row(41), vector);

        Assert.True(graph.Remove(42));
        Assert.False(graph.Remove(42));
        Assert.False(graph.TryGet(42, vector));
        Assert.Equal(499, graph.Count);
        var keys = new ulong[10];
        int n = graph.Search(Data.Row(41), 64, keys, null, CancellationToken.None);
        Assert.DoesNotContain(42UL, keys[..n]);

        var replacement = Data.Row(9999);
        graph.Add(42, replacement);
        Assert.Equal(500, graph.Count);
        Assert.True(graph.TryGet(42, vector));
        Assert.Equal(replacement, vector);
        n = graph.Search(replacement, 64, keys, null, CancellationToken.None);
        Assert.Equal(42UL, keys[0]);
    }

    [Fact]
    public void ASavedGraphLoadsOnlyAsTheSameKindOfGraph()
    {
        string folder = Directory.CreateTempSubdirectory("hnsw-").FullName;
        try
        {
            string path = Path.Combine(folder, "g.usearch");
            var keys = new ulong[10];
            ulong[] before;
            using (var graph = Build(1000, MetricType.IP))
            {
                graph.Search(Data.Row(5), 64, keys, null, CancellationToken.None);
                before = [.. keys];
                graph.Save(path);
            }
            using (var loaded = HnswGraph.TryLoad(path, Dimension, MetricType.IP, threads: 2))
            {
                Assert.NotNull(loaded);
                Assert.Equal(1000, loaded!.Count);
                loaded.Search(Data.Row(5), 64, keys, null, CancellationToken.None);
                Assert.Equal(before, keys);
            }
            Assert.Null(HnswGraph.TryLoad(path, Dimension + 1, MetricType.IP, 2));
            Assert.Null(HnswGraph.TryLoad(path, Dimension, MetricType.L2, 2));
            File.WriteAllBytes(path, new byte[100]);
            Assert.Null(HnswGraph.TryLoad(path, Dimension, MetricType.IP, 2));
            Assert.Null(HnswGraph.TryLoad(Path.Combine(folder, "missing"), Dimension, MetricType.IP, 2));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ConcurrentSearchesWithDifferentEfGetTheAnswersTheyWouldAlone()
    {
        using var graph = Build(2000, MetricType.L2, threads: 2);
        var queries = Enumerable.Range(0, 64).Select(q => Data.Row(QueryBase + q)).ToArray();
        ulong[] Alone(int q, int ef)
        {
            var keys = new ulong[10];
            graph.Search(queries[q], ef, keys, null, CancellationToken.None);
            return keys;
        }
        var expected = Enumerable.Range(0, 64).Select(q => Alone(q, q % 2 == 0 ? 16 : 200)).ToArray();
        var got = new ulong[64][];
        Parallel.For(0, 64 * 4, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => got[i % 64] = Alone(i % 64, i % 64 % 2 == 0 ? 16 : 200));
        for (int q = 0; q < 64; q++) Assert.Equal(expected[q], got[q]);
    }
}
