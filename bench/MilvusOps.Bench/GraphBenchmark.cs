using System.Diagnostics;
using Cloud.Unum.USearch;
using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Bench;

/// <summary>
/// HNSW on the embedded store against its baselines, every figure measured in one run over the same structured vectors
/// (low rank plus noise, planted clusters): import, graph build against bare USearch building the same vectors from memory
/// (on all cores through the same native library; on one thread also through its own managed package), graph memory against the vectors, recall@k and queries per second against exact search over a sweep of ef,
/// filtered search (graph walk against exact over the passing rows) across selectivities, and reopening a saved graph.
/// </summary>
internal static class GraphBenchmark
{
    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 100_000), ("dim", 512), ("queries", 200), ("m", 16), ("efc", 128), ("topk", 10), ("seed", 42), ("one-thread", -1));
        if (options is null) return 2;
        // The one-thread comparison costs two builds of minutes each at 1M rows: by default only up to 200,000 rows.
        bool oneThreadBuilds = options["one-thread"] switch { -1 => options["rows"] <= 200_000, var value => value != 0 };
        int rows = options["rows"], dim = options["dim"], nq = options["queries"], m = options["m"], efc = options["efc"], top = options["topk"];
        var data = new StructuredVectors(dim, options["seed"]);
        int cores = Environment.ProcessorCount;
        Console.WriteLine($"hnsw benchmark: {rows:N0} x {dim} structured float32 ({data.Clusters} clusters), M = {m}, efConstruction = {efc}, " +
            $"top-{top}, {nq} queries, {cores} cores, USearch {Engine.Search.Graph.HnswGraph.LibraryVersion}");
        double vectorMb = (double)rows * dim * sizeof(float) / 1048576;

        string folder = Directory.CreateTempSubdirectory("milvusops-hnsw-bench-").FullName;
        try
        {
            // ---- import: the same rows into an HNSW collection (which keeps a change log) and a FLAT one (none).
            string path = Path.Combine(folder, "store.db");
            var spec = new CollectionSpec { Name = "h", Dimension = dim, Metric = MetricType.L2, IndexType = "HNSW", IndexParametersJson = $$"""{"M":{{m}},"efConstruction":{{efc}}}""" };
            var vectors = new float[rows][];
            for (int i = 0; i < rows; i++) vectors[i] = data.Row(i);
            // Each into a file of its own (a shared one would hand each side the other's WAL checkpoints), batch by batch,
            // alternating, so the machine's drift weighs on both sides alike. Then both into the file the rest searches.
            double importHnsw = 0, importFlat = 0;
            long importPeak;
            List<Pattern> Batch(int start) =>
                Enumerable.Range(start, Math.Min(2000, rows - start)).Select(i => new Pattern($"p{i:D8}", vectors[i], "b0", null, null)).ToList();
            using (var flatFile = new EmbeddedStore(Path.Combine(folder, "flat.db"), TimeSpan.FromSeconds(30)))
            using (var hnswFile = new EmbeddedStore(Path.Combine(folder, "hnsw.db"), TimeSpan.FromSeconds(30)))
            {
                flatFile.CreateCollection(spec with { IndexType = "FLAT", IndexParametersJson = null }, false);
                hnswFile.CreateCollection(spec, false);
                (_, importPeak) = Measure.TimeWithPeakMemory(() =>
                {
                    for (int start = 0; start < rows; start += 2000)
                    {
                        var batch = Batch(start);
                        importFlat += Measure.Time(() => flatFile.Upsert("h", batch));
                        importHnsw += Measure.Time(() => hnswFile.Upsert("h", batch));
                    }
                });
            }
            using (var store = new EmbeddedStore(path, TimeSpan.FromSeconds(30)))
            {
                store.CreateCollection(spec, false);
                store.CreateCollection(spec with { Name = "f", IndexType = "FLAT", IndexParametersJson = null }, false);
                for (int start = 0; start < rows; start += 2000)
                {
                    store.Upsert("h", Batch(start));
                    store.Upsert("f", Batch(start));
                }
            }
            Console.WriteLine($"import: HNSW collection {rows / importHnsw:N0} rows/s, FLAT {rows / importFlat:N0} rows/s " +
                $"(change log cost: {importFlat / importHnsw:0.000} of FLAT's rate); peak +{importPeak / 1048576} MB");

            // ---- build: bare USearch from the vectors in memory against the store (read from SQLite, then build).
            var queries = Enumerable.Range(0, nq).Select(q => data.Row(2_000_000_000L + q)).ToArray();
            double oneThread = 0;
            if (oneThreadBuilds)
            {
                var keys = Enumerable.Range(1, rows).Select(i => (ulong)i).ToArray();
                var (bare, barePeak) = Measure.TimeWithPeakMemory(() =>
                {
                    using var index = new USearchIndex(MetricKind.L2sq, ScalarKind.Float32, (ulong)dim, (ulong)m, (ulong)efc);
                    index.Add(keys, vectors);
                });
                (oneThread, _) = Measure.TimeWithPeakMemory(() =>
                {
                    using var store = new EmbeddedStore(path, TimeSpan.FromSeconds(30), maxDegreeOfParallelism: 1) { ExactSearchBelowRows = 0 };
                    Search(store, "h", queries[..1], top, null);
                });
                foreach (string file in Directory.GetFiles(path + "-hnsw")) File.Delete(file);
                Console.WriteLine($"build, one thread: bare USearch (its managed package) {rows / bare:N0} rows/s (peak +{barePeak / 1048576} MB); " +
                    $"store {rows / oneThread:N0} rows/s = {bare / oneThread:0.000} of bare");
            }
            var (bareAll, bareAllPeak) = Measure.TimeWithPeakMemory(() =>
            {
                using var graph = Engine.Search.Graph.HnswGraph.Create(dim, MetricType.L2, m, efc, cores);
                graph.Reserve(rows);
                Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = cores }, i => graph.Add((ulong)i + 1, vectors[i]));
            });
            using var graphStore = new EmbeddedStore(path, TimeSpan.FromSeconds(30)) { ExactSearchBelowRows = 0 };
            var (build, buildPeak) = Measure.TimeWithPeakMemory(() => Search(graphStore, "h", queries[..1], top, null));
            long graphBytes = GraphMemory(graphStore, "h");
            Console.WriteLine($"build, {cores} threads: bare USearch {rows / bareAll:N0} rows/s ({bareAll:0.0} s, peak +{bareAllPeak / 1048576} MB); " +
                $"store {rows / build:N0} rows/s ({build:0.0} s) = {bareAll / build:0.000} of bare" + (oneThreadBuilds ? $", {oneThread / build:0.00}x one thread" : "") + "; " +
                $"graph {graphBytes / 1048576.0:N0} MB = {graphBytes / 1048576.0 / vectorMb:0.000} of the vectors ({vectorMb:N0} MB); peak +{buildPeak / 1048576} MB");
            graphStore.WaitForGraphSaves();

            // ---- truth and the exact rate: the FLAT collection, one query per call, as Find-SimilarPattern sends a lone query.
            using var flatStore = new EmbeddedStore(path, TimeSpan.FromSeconds(30));
            Search(flatStore, "f", queries[..1], top, null);   // load the vectors
            var clock = Stopwatch.StartNew();
            var truth = queries.Select(q => Search(flatStore, "f", [q], top, null)[0]).ToArray();
            double exactQps = nq / clock.Elapsed.TotalSeconds;
            Console.WriteLine($"exact (FLAT): {exactQps:N1} queries/s, one query per call");

            Console.WriteLine("ef      recall@" + top + "   queries/s   x exact");
            foreach (int ef in new[] { top, 16, 32, 48, 64, 128, 256 }.Where(e => e >= top).Distinct())
            {
                var parameters = new Dictionary<string, object?> { ["ef"] = ef };
                Search(graphStore, "h", queries[..4], top, parameters);
                clock.Restart();
                var got = queries.Select(q => Search(graphStore, "h", [q], top, parameters)[0]).ToArray();
                double qps = nq / clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{ef,-7} {Recall(got, truth):0.0000}     {qps,9:N0}   {qps / exactQps,7:N1}");
            }

            // ---- filters: the graph walk that skips refused rows against exact search over the passing rows.
            Console.WriteLine("filter passes   exact over them (q/s)   graph walk (q/s)   walk recall@" + top);
            foreach (double share in new[] { 0.001, 0.01, 0.05, 0.2, 0.5 })
            {
                int modulus = (int)Math.Round(1 / share);
                string filter = $"pattern_type == \"b{0}\"";
                SetBuckets(path, modulus);
                var request = new SearchRequest(["q"], [queries[0]], top, filter);
                long passing = flatStore.Count("h", filter);
                var exactTruth = queries.Take(50).Select(q => Search(flatStore, "f", [q], top, null, filter)[0]).ToArray();
                graphStore.ExactFilterMaximumRows = long.MaxValue;
                Search(graphStore, "h", queries[..1], top, null, filter);
                clock.Restart();
                foreach (var q in queries.Take(50)) Search(graphStore, "h", [q], top, null, filter);
                double exactRate = 50 / clock.Elapsed.TotalSeconds;
                graphStore.ExactFilterMaximumRows = 0;
                Search(graphStore, "h", queries[..1], top, null, filter);
                clock.Restart();
                var walked = queries.Take(50).Select(q => Search(graphStore, "h", [q], top, null, filter)[0]).ToArray();
                double walkRate = 50 / clock.Elapsed.TotalSeconds;
                Console.WriteLine($"{passing,12:N0}   {exactRate,21:N1}   {walkRate,16:N1}   {Recall(walked, exactTruth),8:0.0000}");
            }

            // ---- reopen: another process reads the saved graph instead of building it.
            SetBuckets(path, 1);
            graphStore.WaitForGraphSaves();
            using var reopened = new EmbeddedStore(path, TimeSpan.FromSeconds(30)) { ExactSearchBelowRows = 0 };
            var (open, openPeak) = Measure.TimeWithPeakMemory(() => Search(reopened, "h", queries[..1], top, null));
            Console.WriteLine($"reopen: saved graph read and checked (and caught up) in {open:0.00} s against {build:0.0} s to build " +
                $"(loaded {reopened.GraphsLoaded}, built {reopened.GraphsBuilt}); peak +{openPeak / 1048576} MB");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Gives every modulus-th row the type b0 (the others b1), in both collections, bypassing the version so the
    /// graph stays (the vectors do not change, so the change log records nothing).</summary>
    private static void SetBuckets(string path, int modulus)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"UPDATE c_1 SET pattern_type = CASE WHEN rowid % {modulus} = 0 THEN 'b0' ELSE 'b1' END; " +
            $"UPDATE c_2 SET pattern_type = CASE WHEN rowid % {modulus} = 0 THEN 'b0' ELSE 'b1' END;";
        command.ExecuteNonQuery();
    }

    private static IReadOnlyList<IReadOnlyList<SearchHit>> Search(EmbeddedStore store, string collection, float[][] queries, int top,
        IReadOnlyDictionary<string, object?>? parameters, string? filter = null) =>
        store.Search(collection, new SearchRequest(queries.Select((_, i) => $"q{i}").ToList(), queries, top, filter, parameters));

    private static double Recall(IReadOnlyList<SearchHit>[] got, IReadOnlyList<SearchHit>[] truth)
    {
        int found = 0, wanted = 0;
        for (int q = 0; q < got.Length; q++)
        {
            var ids = truth[q].Select(h => h.PatternId).ToHashSet();
            found += got[q].Count(h => ids.Contains(h.PatternId));
            wanted += ids.Count;
        }
        return (double)found / wanted;
    }

    private static long GraphMemory(EmbeddedStore store, string collection) => store.GraphMemoryBytes(collection);
}
