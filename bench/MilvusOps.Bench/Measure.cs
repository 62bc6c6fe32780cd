using System.Diagnostics;

namespace MilvusOps.Bench;

/// <summary>Timing and memory sampling the benchmarks share.</summary>
internal static class Measure
{
    public static double Time(Action action)
    {
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Times an action while sampling the process's private memory every 20 ms; the peak is above the level before it.</summary>
    public static (double Seconds, long PeakBytes) TimeWithPeakMemory(Action action)
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        long baseline;
        using (var self = Process.GetCurrentProcess()) baseline = self.PrivateMemorySize64;
        long peak = baseline;
        using var done = new ManualResetEventSlim();
        var sampler = new Thread(() =>
        {
            using var process = Process.GetCurrentProcess();
            while (!done.Wait(20))
            {
                process.Refresh();
                peak = Math.Max(peak, process.PrivateMemorySize64);
            }
        }) { IsBackground = true };
        sampler.Start();
        double seconds = Time(action);
        done.Set();
        sampler.Join();
        return (seconds, peak - baseline);
    }

    public static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
