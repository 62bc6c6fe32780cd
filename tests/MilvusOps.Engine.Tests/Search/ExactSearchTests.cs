using System.Runtime.Intrinsics;
using MilvusOps.Engine.Search;

namespace MilvusOps.Engine.Tests.Search;

public class ExactSearchTests
{
    private static readonly MetricType[] Metrics = [MetricType.L2, MetricType.IP, MetricType.COSINE];

    private static float[][] RandomRows(int count, int dim, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var rows = new float[count][];
        for (int i = 0; i < count; i++)
        {
            rows[i] = new float[dim];
            for (int d = 0; d < dim; d++)
            {
                rows[i][d] = (float)((rng.NextDouble() * 2) - 1) * scale;
            }
        }
        return rows;
    }

    private static VectorMatrix Build(float[][] rows, int dim)
    {
        var m = new VectorMatrix(dim, rows.Length);
        foreach (float[] r in rows)
        {
            m.Append(r);
        }
        return m;
    }

    private static float[] Flatten(float[][] queries) => queries.SelectMany(q => q).ToArray();

    /// <summary>
    /// Checks one result against the double-precision oracle: the right number of hits, distinct
    /// positions from the searched set, each reported distance equal (within float rounding) to the
    /// oracle's distance for that position and to the oracle's distance at that rank, and the hits
    /// in Milvus order with ties by lower position.
    /// </summary>
    private static void AssertMatchesOracle(MetricType metric, float[][] rows, float[] query, int[]? candidates, int topK, SearchResult got)
    {
        var oracle = NaiveSearch.Rank(metric, rows, query, candidates);
        var byPosition = oracle.ToDictionary(o => o.Position, o => o.Distance);
        Assert.Equal(Math.Min(topK, oracle.Length), got.Count);
        double scale = 0;
        foreach (float v in query)
        {
            scale += Math.Abs(v);
        }
        double tol = metric == MetricType.COSINE ? 1e-5 : 1e-5 * Math.Max(1, scale * 2) + 1e-6;
        var seen = new HashSet<int>();
        for (int i = 0; i < got.Count; i++)
        {
            ScoredRow hit = got[i];
            Assert.True(seen.Add(hit.Position), $"position {hit.Position} returned twice");
            Assert.True(byPosition.ContainsKey(hit.Position), $"position {hit.Position} was not searched");
            Assert.True(Math.Abs(hit.Distance - byPosition[hit.Position]) <= tol,
                $"rank {i}: distance {hit.Distance} for position {hit.Position}, oracle {byPosition[hit.Position]}");
            Assert.True(Math.Abs(hit.Distance - oracle[i].Distance) <= 2 * tol,
                $"rank {i}: distance {hit.Distance}, oracle's rank-{i} distance {oracle[i].Distance}");
            if (i > 0)
            {
                ScoredRow prev = got[i - 1];
                bool ordered = metric.IsSimilarity() ? prev.Distance > hit.Distance : prev.Distance < hit.Distance;
                Assert.True(ordered || (prev.Distance == hit.Distance && prev.Position < hit.Position),
                    $"ranks {i - 1},{i} out of order: {prev} then {hit}");
            }
        }
    }

    public static IEnumerable<object[]> OracleCases()
    {
        foreach (MetricType metric in Metrics)
        {
            foreach (int dim in new[] { 1, 3, 17, 512, 768, 1000 })
            {
                foreach (int nq in new[] { 1, 3, 8, 9, 33 })
                {
                    yield return [metric, dim, nq];
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(OracleCases))]
    public void MatchesDoublePrecisionBruteForce(MetricType metric, int dim, int nq)
    {
        float[][] rows = RandomRows(203, dim, seed: dim * 31 + nq);
        float[][] queries = RandomRows(nq, dim, seed: dim * 17 + nq + 1);
        using VectorMatrix m = Build(rows, dim);
        const int topK = 10;

        SearchResult[] single = ExactSearch.Search(m, Flatten(queries), nq, topK, metric, ReadOnlySpan<int>.Empty, 1);
        SearchResult[] parallel = ExactSearch.Search(m, Flatten(queries), nq, topK, metric, ReadOnlySpan<int>.Empty, 2);

        Assert.Equal(nq, single.Length);
        for (int q = 0; q < nq; q++)
        {
            AssertMatchesOracle(metric, rows, queries[q], null, topK, single[q]);
            Assert.Equal(single[q].Hits, parallel[q].Hits);
        }
    }

    [Theory]
    [InlineData(MetricType.L2, 17)]
    [InlineData(MetricType.IP, 512)]
    [InlineData(MetricType.COSINE, 768)]
    public void CandidateSubsetsSearchOnlyThoseRows(MetricType metric, int dim)
    {
        float[][] rows = RandomRows(500, dim, seed: 7);
        float[][] queries = RandomRows(9, dim, seed: 8);
        using VectorMatrix m = Build(rows, dim);
        var rng = new Random(9);
        int[] candidates = Enumerable.Range(0, rows.Length).Where(_ => rng.Next(3) == 0).ToArray();

        foreach (int topK in new[] { 1, 5, 1000 })
        {
            SearchResult[] got = ExactSearch.Search(m, Flatten(queries), queries.Length, topK, metric, candidates, 2);
            for (int q = 0; q < queries.Length; q++)
            {
                AssertMatchesOracle(metric, rows, queries[q], candidates, topK, got[q]);
            }
        }

        // A single candidate, the first and the last row.
        foreach (int only in new[] { 0, rows.Length - 1 })
        {
            SearchResult[] got = ExactSearch.Search(m, queries[0], 1, 10, metric, [only], 1);
            Assert.Equal(only, Assert.Single(got[0].Hits).Position);
        }
    }

    [Theory]
    [InlineData(MetricType.L2)]
    [InlineData(MetricType.IP)]
    [InlineData(MetricType.COSINE)]
    public void TopKLargerThanCountReturnsEveryRowInOrder(MetricType metric)
    {
        float[][] rows = RandomRows(7, 5, seed: 3);
        float[][] queries = RandomRows(5, 5, seed: 4);
        using VectorMatrix m = Build(rows, 5);
        SearchResult[] got = ExactSearch.Search(m, Flatten(queries), 5, 100, metric, ReadOnlySpan<int>.Empty, 2);
        for (int q = 0; q < 5; q++)
        {
            Assert.Equal(7, got[q].Count);
            AssertMatchesOracle(metric, rows, queries[q], null, 100, got[q]);
        }
    }

    [Fact]
    public void EmptyMatrixAndZeroQueries()
    {
        using var m = new VectorMatrix(4);
        SearchResult[] got = ExactSearch.Search(m, new float[8], 2, 3, MetricType.L2, ReadOnlySpan<int>.Empty, 1);
        Assert.Equal(2, got.Length);
        Assert.All(got, r => Assert.Equal(0, r.Count));

        m.Append([1f, 2f, 3f, 4f]);
        Assert.Empty(ExactSearch.Search(m, ReadOnlySpan<float>.Empty, 0, 3, MetricType.L2, ReadOnlySpan<int>.Empty, 1));
    }

    /// <summary>
    /// Small integer components make every float sum exact, so results must equal the oracle
    /// exactly, and with only 3^3 distinct vectors among 300 rows nearly every distance is tied:
    /// ties must come back by lower position.
    /// </summary>
    [Theory]
    [InlineData(MetricType.L2, 1)]
    [InlineData(MetricType.L2, 9)]
    [InlineData(MetricType.IP, 1)]
    [InlineData(MetricType.IP, 9)]
    [InlineData(MetricType.COSINE, 9)]
    public void TiesAreBrokenByLowerPosition(MetricType metric, int nq)
    {
        const int dim = 3;
        var rng = new Random(11);
        float[][] rows = Enumerable.Range(0, 300).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)rng.Next(-1, 2)).ToArray()).ToArray();
        float[][] queries = Enumerable.Range(0, nq).Select(_ => Enumerable.Range(0, dim).Select(_ => (float)rng.Next(-2, 3)).ToArray()).ToArray();
        using VectorMatrix m = Build(rows, dim);
        const int topK = 25;
        foreach (int dop in new[] { 1, 2 })
        {
            SearchResult[] got = ExactSearch.Search(m, Flatten(queries), nq, topK, metric, ReadOnlySpan<int>.Empty, dop);
            for (int q = 0; q < nq; q++)
            {
                var oracle = NaiveSearch.Rank(metric, rows, queries[q], null);
                if (metric == MetricType.COSINE)
                {
                    // Cosine is not exact in float: equal vectors tie exactly, so the positions of
                    // each distinct value still come back in ascending order.
                    AssertMatchesOracle(metric, rows, queries[q], null, topK, got[q]);
                    continue;
                }
                Assert.Equal(oracle.Take(topK).Select(o => o.Position), got[q].Hits.Select(h => h.Position));
                Assert.Equal(oracle.Take(topK).Select(o => (float)o.Distance), got[q].Hits.Select(h => h.Distance));
            }
        }
    }

    [Fact]
    public void IdenticalRowsTieByPositionUnderEveryMetric()
    {
        float[][] rows = RandomRows(1, 33, seed: 5);
        float[][] all = Enumerable.Repeat(rows[0], 40).ToArray();
        using VectorMatrix m = Build(all, 33);
        float[] q = RandomRows(1, 33, seed: 6)[0];
        foreach (MetricType metric in Metrics)
        {
            SearchResult[] got = ExactSearch.Search(m, q, 1, 10, metric, ReadOnlySpan<int>.Empty, 2);
            Assert.Equal(Enumerable.Range(0, 10), got[0].Hits.Select(h => h.Position));
            Assert.Single(got[0].Hits.Select(h => h.Distance).Distinct());
        }
    }

    [Fact]
    public void CosineWithZeroVectorsIsZeroSimilarity()
    {
        const int dim = 9;
        float[][] rows = RandomRows(20, dim, seed: 12);
        rows[3] = new float[dim];
        rows[11] = new float[dim];
        using VectorMatrix m = Build(rows, dim);

        // A zero query: every similarity is 0, so the first positions win.
        SearchResult[] zero = ExactSearch.Search(m, new float[dim], 1, 5, MetricType.COSINE, ReadOnlySpan<int>.Empty, 1);
        Assert.Equal([0, 1, 2, 3, 4], zero[0].Hits.Select(h => h.Position));
        Assert.All(zero[0].Hits, h => Assert.Equal(0f, h.Distance));

        // A query opposite to every row except the zero rows: the zero rows (similarity 0) lead.
        float[] q = RandomRows(1, dim, seed: 13)[0];
        SearchResult[] got = ExactSearch.Search(m, q, 1, 20, MetricType.COSINE, ReadOnlySpan<int>.Empty, 1);
        AssertMatchesOracle(MetricType.COSINE, rows, q, null, 20, got[0]);
        Assert.Equal(0f, got[0].Hits.Single(h => h.Position == 3).Distance);
        Assert.Equal(0f, got[0].Hits.Single(h => h.Position == 11).Distance);
        Assert.All(got[0].Hits, h => Assert.InRange(h.Distance, -1.00001f, 1.00001f));

        // L2 and IP with a zero stored vector are just the plain formulas.
        SearchResult[] l2 = ExactSearch.Search(m, q, 1, 20, MetricType.L2, [3, 11], 1);
        double qq = q.Sum(v => (double)v * v);
        Assert.All(l2[0].Hits, h => Assert.Equal(qq, h.Distance, 4));
    }

    [Fact]
    public void ParallelResultsAreIdenticalToSingleThreaded()
    {
        const int dim = 100;
        float[][] rows = RandomRows(6001, dim, seed: 21);
        using VectorMatrix m = Build(rows, dim);
        int[] candidates = Enumerable.Range(0, rows.Length).Where(i => i % 7 != 3).ToArray();
        foreach (int nq in new[] { 1, 3, 9, 33 })
        {
            float[] queries = Flatten(RandomRows(nq, dim, seed: 22 + nq));
            foreach (MetricType metric in Metrics)
            {
                foreach (int[] cand in new[] { Array.Empty<int>(), candidates })
                {
                    SearchResult[] baseline = ExactSearch.Search(m, queries, nq, 17, metric, cand, 1);
                    foreach (int dop in new[] { 2, 3, 8, -1 })
                    {
                        SearchResult[] got = ExactSearch.Search(m, queries, nq, 17, metric, cand, dop);
                        for (int q = 0; q < nq; q++)
                        {
                            Assert.Equal(baseline[q].Hits, got[q].Hits);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void ScalarFallbackIsBitIdenticalToVectorKernels()
    {
        foreach (int dim in new[] { 1, 17, 40, 512 })
        {
            float[][] rows = RandomRows(301, dim, seed: dim);
            using VectorMatrix m = Build(rows, dim);
            int[] candidates = Enumerable.Range(0, rows.Length).Where(i => i % 3 != 0).ToArray();
            foreach (int nq in new[] { 1, 6 })
            {
                float[][] queries = RandomRows(nq, dim, seed: dim + nq);
                foreach (MetricType metric in Metrics)
                {
                    SearchResult[] scalar = ExactSearch.Search(m, Flatten(queries), nq, 12, metric, candidates, 2, KernelMode.Scalar);
                    for (int q = 0; q < nq; q++)
                    {
                        AssertMatchesOracle(metric, rows, queries[q], candidates, 12, scalar[q]);
                    }
                    if (Vector256.IsHardwareAccelerated)
                    {
                        SearchResult[] vector = ExactSearch.Search(m, Flatten(queries), nq, 12, metric, candidates, 2, KernelMode.Auto);
                        for (int q = 0; q < nq; q++)
                        {
                            Assert.Equal(vector[q].Hits, scalar[q].Hits);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void LargeMagnitudesStayAccurate()
    {
        // L2 is summed from differences, not from norms, so close vectors far from the origin keep
        // their small distances.
        const int dim = 64;
        float[][] rows = RandomRows(50, dim, seed: 31, scale: 0.01f);
        foreach (float[] r in rows)
        {
            for (int d = 0; d < dim; d++)
            {
                r[d] += 1000f;
            }
        }
        using VectorMatrix m = Build(rows, dim);
        float[] q = rows[17];
        SearchResult[] got = ExactSearch.Search(m, q, 1, 3, MetricType.L2, ReadOnlySpan<int>.Empty, 1);
        Assert.Equal(17, got[0][0].Position);
        Assert.Equal(0f, got[0][0].Distance);
        var oracle = NaiveSearch.Rank(MetricType.L2, rows, q, null);
        Assert.Equal(oracle[1].Position, got[0][1].Position);
        Assert.Equal(oracle[1].Distance, got[0][1].Distance, 1e-3);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        using VectorMatrix m = Build(RandomRows(10, 4, seed: 1), 4);
        var q = new float[4];

        var e = Assert.Throws<MilvusOpsException>(() => ExactSearch.Search(m, new float[5], 1, 3, MetricType.L2, ReadOnlySpan<int>.Empty, 1));
        Assert.Equal("VectorDimensionMismatch", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
        e = Assert.Throws<MilvusOpsException>(() => ExactSearch.Search(m, new float[8], 1, 3, MetricType.L2, ReadOnlySpan<int>.Empty, 1));
        Assert.Equal("VectorDimensionMismatch", e.ErrorId);

        e = Assert.Throws<MilvusOpsException>(() => ExactSearch.Search(m, q, 1, 0, MetricType.L2, ReadOnlySpan<int>.Empty, 1));
        Assert.Equal("InvalidTopK", e.ErrorId);
        e = Assert.Throws<MilvusOpsException>(() => ExactSearch.Search(m, q, -1, 3, MetricType.L2, ReadOnlySpan<int>.Empty, 1));
        Assert.Equal("InvalidQueryCount", e.ErrorId);
        e = Assert.Throws<MilvusOpsException>(() => ExactSearch.Search(m, q, 1, 3, (MetricType)42, ReadOnlySpan<int>.Empty, 1));
        Assert.Equal("InvalidMetricType", e.ErrorId);

        foreach (int[] bad in new[] { new[] { 3, 2 }, [1, 1], [-1], [10], [0, 5, 10] })
        {
            e = Assert.Throws<MilvusOpsException>(() => ExactSearch.Search(m, q, 1, 3, MetricType.L2, bad, 1));
            Assert.Equal("InvalidCandidates", e.ErrorId);
        }

        Assert.Throws<ArgumentNullException>(() => ExactSearch.Search(null!, q, 1, 3, MetricType.L2, ReadOnlySpan<int>.Empty, 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void A_cancelled_search_stops_with_OperationCanceledException_on_one_thread_or_many(int dop)
    {
        using var m = Build(RandomRows(2000, 64, 3), 64);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ExactSearch.Search(m, Flatten(RandomRows(64, 64, 4)), 64, 10, MetricType.L2, ReadOnlySpan<int>.Empty, dop, cancelled.Token));
    }

    [Fact]
    public void Ctrl_C_in_the_middle_of_a_large_batch_of_queries_stops_it_within_a_second()
    {
        // 40,000 rows x 6,000 queries x 256-d, stopped 20 ms in. The stop comes from a thread of its own, as Ctrl+C does: a
        // timer's callback needs a pool thread, and under a loaded test run the search's own workers can hold them all
        // until it has finished.
        using var m = Build(RandomRows(40_000, 256, 5), 256);
        var queries = Flatten(RandomRows(6_000, 256, 6));
        using var stop = new CancellationTokenSource();
        var stopper = new Thread(() => { Thread.Sleep(20); stop.Cancel(); }) { IsBackground = true };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        stopper.Start();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            ExactSearch.Search(m, queries, 6_000, 10, MetricType.L2, ReadOnlySpan<int>.Empty, 2, stop.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"stopped after {clock.Elapsed.TotalSeconds:F2} s");
    }
}
