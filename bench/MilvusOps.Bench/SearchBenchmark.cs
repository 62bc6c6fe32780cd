using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using MilvusOps.Engine.Search;

namespace MilvusOps.Bench;

/// <summary>
/// Exact-search benchmark: every figure is measured in the same run over the same matrix, and
/// every comparison alternates its two sides round by round and compares medians, so slow drift
/// (another process, thermal, page cache) hits both sides alike.
/// </summary>
internal static unsafe class SearchBenchmark
{
    private static volatile float s_sink;

    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 100_000), ("dim", 512), ("topk", 10), ("rounds", 15), ("seed", 42));
        if (options is null) return 2;
        int rows = options["rows"], dim = options["dim"], topK = options["topk"], rounds = options["rounds"], seed = options["seed"];

        int cores = Environment.ProcessorCount;
        var total = Stopwatch.StartNew();
        Console.WriteLine($"search benchmark: {rows:N0} x {dim} float32, top-{topK}, {rounds} rounds, {cores} cores, " +
            $"Vector256 accelerated: {Vector256.IsHardwareAccelerated}, {Environment.Version}");

        // ---- memory: build the matrix the way the store does (little-endian float32 BLOBs).
        long wsBefore = WorkingSet();
        var rng = new Random(seed);
        using var matrix = new VectorMatrix(dim, rows);
        var blob = new byte[dim * sizeof(float)];
        var row = new float[dim];
        for (int r = 0; r < rows; r++)
        {
            for (int d = 0; d < dim; d++)
            {
                row[d] = (float)((rng.NextDouble() * 2) - 1);
            }
            System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()).CopyTo(blob);
            matrix.Append(blob);
        }
        matrix.TrimExcess();
        long wsAfter = WorkingSet();
        long resident = matrix.ResidentBytes;
        double residentPerMillion = resident * (1_000_000.0 / rows);

        float[] MakeQueries(int nq)
        {
            var q = new float[nq * dim];
            for (int i = 0; i < q.Length; i++)
            {
                q[i] = (float)((rng.NextDouble() * 2) - 1);
            }
            return q;
        }

        long scanBytes = (long)rows * dim * sizeof(float);
        float[] q1 = MakeQueries(1);
        float[] q8 = MakeQueries(8);
        float[] q64 = MakeQueries(64);

        double Search(float[] q, int nq, int dop, MetricType metric = MetricType.L2)
        {
            long t0 = Stopwatch.GetTimestamp();
            SearchResult[] res = ExactSearch.Search(matrix, q, nq, topK, metric, ReadOnlySpan<int>.Empty, dop);
            double s = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            s_sink += res[0][0].Distance;
            return s;
        }

        double Raw()
        {
            long t0 = Stopwatch.GetTimestamp();
            s_sink += RawRead(matrix.Data, (long)rows * matrix.RowStride);
            return Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }

        float* qAligned = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(matrix.RowStride * 4), 64);
        new Span<float>(qAligned, matrix.RowStride).Clear();
        q1.CopyTo(new Span<float>(qAligned, dim));
        float* sumsAll = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(rows * 4), 64);
        double KernelOnly()
        {
            long t0 = Stopwatch.GetTimestamp();
            Kernels.StreamRows<DotAccumulate>(qAligned, matrix.Data, matrix.RowStride, null, 0, rows, matrix.RowStride / 8, sumsAll);
            s_sink += sumsAll[rows - 1];
            return Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }

        // Warm up (JIT to final tier, pages touched, norm cache built): at least a second of
        // mixed calls so tiered compilation has promoted everything before measuring.
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 3 || warm.Elapsed.TotalSeconds < 1.5; i++)
        {
            KernelOnly();
            Raw();
            Search(q1, 1, 1);
            Search(q1, 1, cores);
            Search(q8, 8, 1);
            Search(q1, 1, 1, MetricType.IP);
            Search(q1, 1, 1, MetricType.COSINE);
        }
        Search(q64, 64, cores);

        // ---- 1. one query, one thread vs a raw Vector256 read of the same memory, per metric.
        // Each round runs raw, search, search, raw (ABBA) so neither side always goes first.
        var metrics = new[] { MetricType.L2, MetricType.IP, MetricType.COSINE };
        var bw = new Dictionary<MetricType, (double SearchS, double RawS, double Ratio)>();
        foreach (MetricType metric in metrics)
        {
            var raw = new List<double>();
            var single = new List<double>();
            var ratios = new List<double>();
            for (int i = 0; i < rounds; i++)
            {
                double a = Raw();
                double b = Search(q1, 1, 1, metric);
                double b2 = Search(q1, 1, 1, metric);
                double a2 = Raw();
                raw.Add(a); raw.Add(a2);
                single.Add(b); single.Add(b2);
                ratios.Add((a + a2) / (b + b2));
            }
            bw[metric] = (Median(single), Median(raw), Median(ratios));
        }
        var kr = new List<double>();
        for (int i = 0; i < rounds; i++)
        {
            double a = Raw();
            double b = KernelOnly();
            double b2 = KernelOnly();
            double a2 = Raw();
            kr.Add((a + a2) / (b + b2));
        }
        {
            float* qs = (float*)System.Runtime.InteropServices.NativeMemory.AlignedAlloc((nuint)(4 * matrix.RowStride * 4), 64);
            for (int i = 0; i < 4 * matrix.RowStride; i++) qs[i] = 0.5f;
            float* s8 = stackalloc float[8];
            int calls = 200_000;
            for (int rep = 0; rep < 3; rep++)
            {
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                {
                    Kernels.Q4R2<L2Accumulate>(qs, matrix.RowStride, matrix.Data, matrix.Data + matrix.RowStride, matrix.RowStride / 8, s8);
                }
                double sec = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                long tq = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++)
                {
                    Kernels.Q4R2<DotAccumulate>(qs, matrix.RowStride, matrix.Data, matrix.Data + matrix.RowStride, matrix.RowStride / 8, s8);
                }
                double sec2 = Stopwatch.GetElapsedTime(tq).TotalSeconds;
                s_sink += s8[3];
                Console.WriteLine($"diagnostic: Q4R2 in L1: L2 {sec / calls * 1e9:F1} ns/call, dot {sec2 / calls * 1e9:F1} ns/call ({matrix.RowStride / 8} chunks)");
            }
        }
        Console.WriteLine($"diagnostic: streaming kernel alone (no heap, one call) / raw read = {Median(kr):F3}");
        double rawS = Median(bw.Values.Select(v => v.RawS).ToList());
        double singleS = bw[MetricType.L2].SearchS;
        double bwRatio = bw[MetricType.L2].Ratio;

        // ---- 2. batches, one thread: queries/s vs single-query rate (alternated).
        int batchRounds = Math.Max(3, rounds / 3);
        var b8 = new List<double>();
        var b64 = new List<double>();
        var s1 = new List<double>();
        for (int i = 0; i < batchRounds; i++)
        {
            s1.Add(Search(q1, 1, 1));
            b8.Add(Search(q8, 8, 1));
            s1.Add(Search(q1, 1, 1));
            b64.Add(Search(q64, 64, 1));
        }
        double singleQps = 1 / Median(s1);
        double b8Qps = 8 / Median(b8);
        double b64Qps1 = 64 / Median(b64);

        // ---- 3. all cores vs one thread (alternated).
        var p64 = new List<double>();
        var t64 = new List<double>();
        var p1 = new List<double>();
        var t1 = new List<double>();
        for (int i = 0; i < batchRounds; i++)
        {
            t64.Add(Search(q64, 64, 1));
            p64.Add(Search(q64, 64, cores));
            t1.Add(Search(q1, 1, 1));
            p1.Add(Search(q1, 1, cores));
            t1.Add(Search(q1, 1, 1));
            p1.Add(Search(q1, 1, cores));
        }
        double par64Ratio = Median(t64) / Median(p64);
        double par1Ratio = Median(t1) / Median(p1);
        double p64Qps = 64 / Median(p64);

        long wsEnd = WorkingSet();

        // ---- report
        const double GB = 1e9;
        Console.WriteLine();
        Console.WriteLine($"{"measurement",-48} {"value",16} {"target",10} {"ok",4}");
        Console.WriteLine(new string('-', 81));
        void Line(string name, string value, string target = "", bool? ok = null) =>
            Console.WriteLine($"{name,-48} {value,16} {target,10} {(ok is null ? "" : ok.Value ? "yes" : "NO"),4}");
        Line("raw Vector256 read, 1 thread", $"{scanBytes / rawS / GB:F2} GB/s");
        foreach (MetricType metric in metrics)
        {
            var (searchS, _, ratio) = bw[metric];
            Line($"1 query {metric}, 1 thread", $"{scanBytes / searchS / GB:F2} GB/s");
            Line($"  {metric} single-query / raw read (median ratio)", $"{ratio:F3}", ">= 0.85", ratio >= 0.85);
        }
        Line("1 query, 1 thread", $"{singleQps:F1} q/s");
        Line("8 queries per pass, 1 thread", $"{b8Qps:F1} q/s");
        Line("  batch-8 / single (per thread)", $"{b8Qps / singleQps:F2}x", ">= 2.5x", b8Qps / singleQps >= 2.5);
        Line("64 queries per pass, 1 thread", $"{b64Qps1:F1} q/s");
        Line("  batch-64 / single (per thread)", $"{b64Qps1 / singleQps:F2}x", ">= 2.5x", b64Qps1 / singleQps >= 2.5);
        Line($"64 queries, {cores} threads", $"{p64Qps:F1} q/s");
        Line($"  {cores} threads / 1 thread (64 queries)", $"{par64Ratio:F2}x", ">= 1.3x", par64Ratio >= 1.3);
        Line($"  {cores} threads / 1 thread (1 query, row split)", $"{par1Ratio:F2}x");
        Line("matrix resident bytes", $"{resident / 1e6:F1} MB");
        Line("  per million vectors", $"{residentPerMillion / GB:F3} GB", "~2.048 GB");
        Line("working set before build / after / at end", $"{wsBefore / 1e6:F0}/{wsAfter / 1e6:F0}/{wsEnd / 1e6:F0} MB");
        Console.WriteLine($"total benchmark time {total.Elapsed.TotalSeconds:F1} s");

        var json = new Dictionary<string, object>
        {
            ["benchmark"] = "search",
            ["rows"] = rows,
            ["dim"] = dim,
            ["topK"] = topK,
            ["cores"] = cores,
            ["rawReadGBps"] = Math.Round(scanBytes / rawS / GB, 3),
            ["singleQueryGBps"] = Math.Round(scanBytes / singleS / GB, 3),
            ["singleQueryToRawRatio"] = Math.Round(bwRatio, 4),
            ["singleQueryToRawRatioIP"] = Math.Round(bw[MetricType.IP].Ratio, 4),
            ["singleQueryToRawRatioCOSINE"] = Math.Round(bw[MetricType.COSINE].Ratio, 4),
            ["singleQps"] = Math.Round(singleQps, 2),
            ["batch8Qps"] = Math.Round(b8Qps, 2),
            ["batch8ToSingleRatio"] = Math.Round(b8Qps / singleQps, 3),
            ["batch64Qps1Thread"] = Math.Round(b64Qps1, 2),
            ["batch64ToSingleRatio"] = Math.Round(b64Qps1 / singleQps, 3),
            ["batch64QpsAllCores"] = Math.Round(p64Qps, 2),
            ["allCoresToOneThreadRatio64"] = Math.Round(par64Ratio, 3),
            ["allCoresToOneThreadRatio1"] = Math.Round(par1Ratio, 3),
            ["residentBytes"] = resident,
            ["residentBytesPerMillion"] = (long)residentPerMillion,
            ["workingSetBefore"] = wsBefore,
            ["workingSetAfter"] = wsAfter,
            ["workingSetEnd"] = wsEnd,
        };
        Console.WriteLine(JsonSerializer.Serialize(json));
        return 0;
    }

    /// <summary>The reference: sum every float of the block with four independent Vector256 accumulators.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float RawRead(float* p, long count)
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* end = p + count;
        for (; p + 32 <= end; p += 32)
        {
            a0 += Vector256.Load(p);
            a1 += Vector256.Load(p + 8);
            a2 += Vector256.Load(p + 16);
            a3 += Vector256.Load(p + 24);
        }
        float s = Vector256.Sum((a0 + a1) + (a2 + a3));
        for (; p < end; p++)
        {
            s += *p;
        }
        return s;
    }

    private static double MedianOf(int n, Func<double> f)
    {
        var xs = new List<double>(n);
        for (int i = 0; i < n; i++)
        {
            xs.Add(f());
        }
        return Median(xs);
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }

    private static long WorkingSet()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64;
    }
}
