using System.Diagnostics;
using MilvusOps.Engine.Pipelines.Correlation;
using MilvusOps.Engine.Session;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Bench;

/// <summary>
/// Correlation and prediction against planted truth (PlantedChains): chains A_i (a burst of 1 to 3), then B_i 2 minutes
/// later with probability 0.9, then C_i 4 minutes later with probability 0.6, at random times over a year; kinds that
/// recur at random, following nothing; and noise of kinds that never repeat. Reports the precision and recall of the
/// groups Find-PatternCorrelation finds and of the followers Get-PatternPrediction ranks, and the time each takes, on
/// the embedded store. The baseline is reading the same patterns by time, which both pay first.
/// </summary>
internal static class CorrelationBenchmark
{
    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("events", 100_000), ("dim", 64), ("chains", 20), ("seed", 7));
        if (options is null) return 2;
        int events = options["events"], dim = options["dim"], chains = options["chains"];
        // Per chain episode about 2 + 0.9 + 0.6 = 3.5 events; 70 % of the events are chains, 15 % recurring kinds, 15 % noise.
        int episodes = (int)(events * 0.70 / 3.5 / chains), recurring = (int)(events * 0.15 / chains), noise = (int)(events * 0.15);
        var span = TimeSpan.FromDays(365);
        var timeline = new PlantedChains(dim, options["seed"]);
        for (int i = 0; i < chains; i++)
        {
            timeline.PlantAtRandom($"chain{i}", episodes, span, burst: 3,
                new PlantedChains.Link($"A{i}", TimeSpan.Zero), new PlantedChains.Link($"B{i}", TimeSpan.FromMinutes(2), 0.9),
                new PlantedChains.Link($"C{i}", TimeSpan.FromMinutes(4), 0.6));
            timeline.Recurring($"R{i}", recurring, span);
        }
        timeline.Noise("noise", noise, span);
        Console.WriteLine($"correlation benchmark: {timeline.Events.Count:N0} events x {dim}-d over {span.TotalDays:0} days: {chains} chains of {episodes:N0} episodes, " +
            $"{chains} recurring kinds of {recurring:N0}, {noise:N0} noise; COSINE, threshold 0.95, window 5 min");

        string folder = Directory.CreateTempSubdirectory("milvusops-correlation-bench-").FullName;
        try
        {
            using var connection = StoreFactory.Connect(Path.Combine(folder, "events.db"), TimeSpan.FromSeconds(10), create: true);
            var session = new PatternSession(connection, default);
            session.Create(new CollectionSpec { Name = "events", Dimension = dim, Metric = MetricType.COSINE, IndexType = "FLAT" }, false);
            double import = Measure.Time(() =>
            {
                foreach (var batch in timeline.Events.Chunk(5_000))
                    session.Upsert("events", [.. batch.Select(e => new Pattern(e.Id, e.Vector, e.Kind, null, e.Context(PatternTime.DefaultKey)))]);
            });
            Console.WriteLine($"import: {import:0.0} s ({timeline.Events.Count / import:N0} events/s)");

            var scope = new TimeScope("events", 0.95) { Window = TimeSpan.FromMinutes(5) };
            int read = 0;
            double readTime = Measure.Time(() => read = session.ReadByTime("events", PatternTime.DefaultKey, null, null, null).Count());
            Console.WriteLine($"baseline, read every pattern by time (the index built on the first read): {readTime:0.00} s for {read:N0}");

            IReadOnlyList<CorrelationGroup> groups = [];
            var (correlate, peak) = Measure.TimeWithPeakMemory(() => groups = CorrelationFinder.Find(session, scope, new CorrelationThresholds(MinSupport: 2, MinConfidence: 0, MinLift: 0)));
            ReportGroups(groups, chains, correlate, readTime, peak);

            var delays = new List<double>();
            int top1 = 0, found = 0;
            for (int i = 0; i < chains; i++)
            {
                var clock = Stopwatch.StartNew();
                var predictions = FollowerPredictor.Predict(session, scope, new FollowerPredictor.Query($"A{i}", timeline.KindVector($"A{i}"), null), top: 2);
                delays.Add(clock.Elapsed.TotalSeconds);
                if (predictions.Count > 0 && predictions[0].FollowerType == $"B{i}") top1++;
                found += predictions.Count(p => p.FollowerType == $"B{i}" || p.FollowerType == $"C{i}");
            }
            Console.WriteLine($"prediction from each chain's first kind: top follower is its B {top1} of {chains} (precision@1 {(double)top1 / chains:0.000}); " +
                $"B and C among the top 2 {found} of {2 * chains} (recall@2 {(double)found / (2 * chains):0.000}); " +
                $"median {Measure.Median(delays):0.00} s a query = {Measure.Median(delays) / readTime:0.00} x the read");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A group of several kinds is right when its kinds all belong to one planted chain; a chain is found when a
    /// group holds exactly its three kinds.</summary>
    private static void ReportGroups(IReadOnlyList<CorrelationGroup> groups, int chains, double seconds, double readTime, long peak)
    {
        static string ChainOf(string? kind) => kind is { Length: > 1 } && "ABC".Contains(kind[0]) ? kind[1..] : "-";
        var several = groups.Where(g => g.Kinds.Count > 1).ToList();
        int right = several.Count(g => g.KindTypes.Select(ChainOf).Distinct().Count() == 1 && ChainOf(g.KindTypes[0]) != "-");
        var whole = Enumerable.Range(0, chains).Count(i => several.Any(g => g.KindTypes.Order().SequenceEqual([$"A{i}", $"B{i}", $"C{i}"])));
        // Groups of exactly one chain's three kinds (a kind split in two by the threshold makes another such group).
        var support = several.Where(g => g.KindTypes.Count == 3 && g.KindTypes.Distinct().Count() == 3 && g.KindTypes.Select(ChainOf).Distinct().Count() == 1
            && ChainOf(g.KindTypes[0]) != "-").Sum(g => g.Support);
        Console.WriteLine($"correlation: {seconds:0.00} s = {seconds / readTime:0.00} x the read, peak {peak / 1048576.0:N0} MB above the start; {groups.Count:N0} groups, {several.Count:N0} of several kinds");
        Console.WriteLine($"  precision (groups of several kinds that are one chain's): {right} of {several.Count} = {(several.Count == 0 ? 0 : (double)right / several.Count):0.000}");
        Console.WriteLine($"  recall (chains found whole, A+B+C): {whole} of {chains} = {(double)whole / chains:0.000}; their support {support:N0} occurrences");
        foreach (var (confidence, lift) in new[] { (0.1, 0.0), (0.2, 0.0), (0.0, 2.0), (0.0, 5.0), (0.1, 2.0), (0.1, 5.0) })
        {
            var kept = several.Where(g => g.Confidence >= confidence && g.Lift >= lift).ToList();
            int keptRight = kept.Count(g => g.KindTypes.Select(ChainOf).Distinct().Count() == 1 && ChainOf(g.KindTypes[0]) != "-");
            int keptWhole = Enumerable.Range(0, chains).Count(i => kept.Any(g => g.KindTypes.Order().SequenceEqual([$"A{i}", $"B{i}", $"C{i}"])));
            Console.WriteLine($"  confidence >= {confidence:0.0}, lift >= {lift:0.0}: precision {keptRight} of {kept.Count} = {(kept.Count == 0 ? 0 : (double)keptRight / kept.Count):0.000}, recall {keptWhole} of {chains}");
        }
    }
}
