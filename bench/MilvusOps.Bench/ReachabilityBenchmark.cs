using MilvusOps.Engine.Search.Graph;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Bench;

/// <summary>
/// How many rows an HNSW graph cannot find by searching for their own vectors, built on one thread and on all cores:
/// USearch's concurrent add can leave a node stored but unreachable (unum-cloud/USearch issue 735), and HNSW's pruning
/// leaves a few on one thread too. Each row is searched for at a few ef; the time is stated against the build's, so the
/// cost of a repair pass (search every row, re-add the missed) can be judged.
/// </summary>
internal static class ReachabilityBenchmark
{
    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 100_000), ("dim", 512), ("m", 16), ("efc", 128), ("seed", 42));
        if (options is null) return 2;
        int rows = options["rows"], dim = options["dim"];
        var data = new StructuredVectors(dim, options["seed"]);
        var vectors = new float[rows][];
        Parallel.For(0, rows, i => vectors[i] = data.Row(i));
        Console.WriteLine($"reach benchmark: {rows:N0} x {dim} structured float32, M = {options["m"]}, efConstruction = {options["efc"]}, USearch {HnswGraph.LibraryVersion}");
        foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
        {
            using var graph = HnswGraph.Create(dim, MetricType.L2, options["m"], options["efc"], threads);
            graph.Reserve(rows);
            double build = Measure.Time(() =>
                Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => graph.Add((ulong)i + 1, vectors[i])));
            Console.WriteLine($"built on {threads} thread(s) in {build:0.0} s");
            foreach (int ef in new[] { 16, 64 })
            {
                long missed = 0;
                double check = Measure.Time(() => Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new ulong[1],
                    (i, _, keys) =>
                    {
                        int found = graph.Search(vectors[i], ef, keys, null, CancellationToken.None);
                        if (found == 0 || keys[0] != (ulong)i + 1) Interlocked.Increment(ref missed);
                        return keys;
                    }, _ => { }));
                Console.WriteLine($"  ef {ef,3}: {missed:N0} rows ({(double)missed / rows:P3}) not their own nearest; the check took {check:0.0} s = {check / build:0.00} of the build");
            }
        }
        return 0;
    }
}
