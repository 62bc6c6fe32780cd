using System.Diagnostics;
using System.Globalization;
using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Pipelines.Measurement;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Session;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Bench;

/// <summary>
/// The scale harness: an HNSW collection of 1M to 10M generated patterns taken through what an operator does with one,
/// on the product's own paths (the session layer the cmdlets call), stage by stage: import, the graph's first build,
/// search quality over a sweep of ef (Measure-SearchQuality's engine, with exact search as the reference setting),
/// verification (the coherence checks, and every vector read back and compared bit for bit with the one generated),
/// and reopening. Each stage reports its time, rows per second and peak memory. Rows are generated batch by batch and
/// never held together, so the harness itself needs little memory at any size. With <c>--cells 1</c> the collection is FLAT
/// and partitioned into Hilbert cells instead, and the sweep is over <c>cells</c> (all of them is exact search).
/// </summary>
internal static class ScaleBenchmark
{
    private const string Collection = "scale";

    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 1_000_000), ("dim", 512), ("m", 16), ("efc", 128), ("queries", 200), ("topk", 10),
            ("batch", 5000), ("seed", 42), ("cells", 0));
        if (options is null) return 2;
        bool partitioned = options["cells"] != 0;
        int rows = options["rows"], dim = options["dim"], batch = options["batch"], top = options["topk"];
        var data = new StructuredVectors(dim, options["seed"]);
        Console.WriteLine($"scale benchmark: {rows:N0} patterns x {dim} structured float32 ({data.Clusters} clusters), " +
            (partitioned ? $"FLAT in {CellPartitioning.CellCount:N0} Hilbert cells" : $"HNSW M = {options["m"]}, efConstruction = {options["efc"]}") +
            $", {options["queries"]} queries, top-{top}, {Environment.ProcessorCount} cores");
        Console.WriteLine("stage                                   time (s)       rows/s   peak +MB");
        void Report(string stage, double seconds, long count, long peakBytes) =>
            Console.WriteLine($"{stage,-38} {seconds,9:N1} {count / seconds,12:N0} {peakBytes / 1048576,10:N0}");

        string folder = Directory.CreateTempSubdirectory("milvusops-scale-bench-").FullName;
        string path = Path.Combine(folder, "scale.db");
        try
        {
            using (var store = new EmbeddedStore(path, TimeSpan.FromSeconds(30)) { ExactSearchBelowRows = 0 })
            {
                var session = new PatternSession(new MilvusConnection(store, store), CancellationToken.None);
                session.Create(new CollectionSpec
                {
                    Name = Collection, Dimension = dim, Metric = MetricType.L2, IndexType = partitioned ? "FLAT" : "HNSW",
                    IndexParametersJson = partitioned ? null : $$"""{"M":{{options["m"]}},"efConstruction":{{options["efc"]}}}""",
                    Partitioning = partitioned ? CollectionPartitioning.Hilbert : CollectionPartitioning.None,
                }, ifNotExists: false);

                double generating = 0;
                var (import, importPeak) = Measure.TimeWithPeakMemory(() =>
                {
                    for (int start = 0; start < rows; start += batch)
                    {
                        var clock = Stopwatch.StartNew();
                        var patterns = Generate(data, start, Math.Min(batch, rows - start));
                        generating += clock.Elapsed.TotalSeconds;
                        session.Upsert(Collection, patterns);
                    }
                });
                Report("generate (all cores)", generating, rows, 0);
                Report("import (Add-Pattern's upsert)", import - generating, rows, importPeak);
                Console.WriteLine($"  store file {new FileInfo(path).Length / 1048576.0:N0} MB, vectors {(double)rows * dim * sizeof(float) / 1048576:N0} MB");

                var plan = session.PlanSearch(Collection, top, null);
                var (build, buildPeak) = Measure.TimeWithPeakMemory(() => session.Search(plan, ["q"], [data.Row(-1)], null));
                Report(partitioned ? "first search: vectors read" : "first search: HNSW graph build", build, rows, buildPeak);
                if (!partitioned) Console.WriteLine($"  graph {store.GraphMemoryBytes(Collection) / 1048576.0:N0} MB");

                IReadOnlyList<SearchQualityResult> quality = [];
                var (searching, searchPeak) = Measure.TimeWithPeakMemory(() => quality = SearchQuality.Measure(session, Collection, new SearchQualityOptions
                {
                    Queries = options["queries"],
                    Top = top,
                    Concurrency = Environment.ProcessorCount,
                    SweepParameter = partitioned ? CellPartitioning.CellsParameter : "ef",
                    // ef at or above the rows, or every cell, searches exactly: the reference, through the same path.
                    SweepValues = partitioned ? [41, 82, 205, 410, CellPartitioning.CellCount] : [16, 32, 48, 64, 128, rows],
                    ThroughputTime = TimeSpan.FromSeconds(2),
                }, (_, _) => { }));
                Report("search quality (truth pass + sweep)", searching, rows, searchPeak);
                double exactRate = 1000 / quality[^1].LatencyP50Ms;
                Console.WriteLine($"  {(partitioned ? "cells" : "ef"),-11} recall@{top}  min      p50 ms   p95 ms   p99 ms   q/s ({Environment.ProcessorCount} in flight)   x exact (p50)");
                foreach (var result in quality)
                {
                    int value = Convert.ToInt32(result.Value, CultureInfo.InvariantCulture);
                    string setting = value >= (partitioned ? CellPartitioning.CellCount : rows) ? "exact" : value.ToString(CultureInfo.InvariantCulture);
                    Console.WriteLine($"  {setting,-10} {result.Recall,8:0.0000} {result.MinRecall,6:0.00} {result.LatencyP50Ms,9:0.00} {result.LatencyP95Ms,8:0.00} " +
                        $"{result.LatencyP99Ms,8:0.00} {result.QueriesPerSecond,12:N0} {1000 / result.LatencyP50Ms / exactRate,18:N1}");
                }

                IReadOnlyList<CoherenceCheckResult> checks = [];
                long mismatched = 0, read = 0;
                var (verify, verifyPeak) = Measure.TimeWithPeakMemory(() =>
                {
                    checks = CoherenceVerifier.CheckPatterns(session, Collection, CoherenceVerifier.DefaultMetrics.ToDictionary(m => m, _ => CoherenceVerifier.DefaultThreshold),
                        DateTimeOffset.UtcNow);
                    var expected = new float[dim];
                    foreach (var pattern in session.Query(Collection, null))
                    {
                        read++;
                        data.Row(long.Parse(pattern.PatternId.AsSpan(1), CultureInfo.InvariantCulture), expected);
                        if (!pattern.Vector.AsSpan().SequenceEqual(expected)) mismatched++;
                    }
                });
                Report("verify: coherence + bit-exact read-back", verify, rows, verifyPeak);
                Console.WriteLine($"  {string.Join("; ", checks.Select(c => $"{c.Check} {(c.Passed ? "passed" : "FAILED")} ({c.Checked:N0} checked)"))}; " +
                    $"vectors read back {read:N0}, differing {mismatched:N0}");
                store.WaitForGraphSaves();
            }

            using (var reopened = new EmbeddedStore(path, TimeSpan.FromSeconds(30)) { ExactSearchBelowRows = 0 })
            {
                var session = new PatternSession(new MilvusConnection(reopened, reopened), CancellationToken.None);
                var (reopen, reopenPeak) = Measure.TimeWithPeakMemory(() => session.Search(session.PlanSearch(Collection, top, null), ["q"], [data.Row(-1)], null));
                Report($"reopen: first search ({(partitioned ? "vectors read" : reopened.GraphsLoaded == 1 ? "saved graph read" : "graph rebuilt")})", reopen, rows, reopenPeak);
            }
            using var self = Process.GetCurrentProcess();
            Console.WriteLine($"process peak working set {self.PeakWorkingSet64 / 1048576:N0} MB");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Patterns as the user's collection holds them: a vector, a type, coherence metrics at or above 0.90, and a
    /// temporal context with an ISO-8601 timestamp; row i is always the same pattern.</summary>
    private static List<Pattern> Generate(StructuredVectors data, int start, int count)
    {
        var patterns = new Pattern[count];
        var origin = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Parallel.For(0, count, i =>
        {
            long row = start + i;
            double coherence = 0.90 + (row % 97 / 1000.0);
            patterns[i] = new Pattern($"p{row:D9}", data.Row(row), $"cluster_{data.ClusterOf(row)}",
                string.Create(CultureInfo.InvariantCulture, $$"""{"quantum_coherence":{{coherence:0.000}},"quantum_stability":{{coherence + 0.002:0.000}},"pattern_coherence":0.95}"""),
                string.Create(CultureInfo.InvariantCulture, $$"""{"timestamp":"{{origin.AddSeconds(row):yyyy-MM-ddTHH:mm:ssZ}}","sequence":{{row}}}"""));
        });
        return [.. patterns];
    }
}
