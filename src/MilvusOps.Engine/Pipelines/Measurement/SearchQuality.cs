using System.Diagnostics;
using MilvusOps.Engine.Search;
using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Pipelines.Measurement;

/// <summary>What to measure: how many queries, how many hits each, at what concurrency, and which settings.</summary>
public sealed record SearchQualityOptions
{
    public int Queries { get; init; } = 100;
    public int Top { get; init; } = 10;
    public int Concurrency { get; init; } = 1;

    /// <summary>The search parameters every setting shares.</summary>
    public IReadOnlyDictionary<string, object?>? Parameters { get; init; }

    /// <summary>The parameter to sweep and its values, one result each; null measures the shared parameters once.</summary>
    public string? SweepParameter { get; init; }
    public IReadOnlyList<object?> SweepValues { get; init; } = [];

    /// <summary>Picks the queries: the same seed draws the same patterns from the same collection.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Each setting's queries/s is measured for at least this long (and at least once through the queries).</summary>
    public TimeSpan ThroughputTime { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Measures a collection's search as the operator's clients see it, on any backend: stored patterns drawn at random are
/// the queries; their exact top-k comes from one streamed pass over the collection with our own kernel (never from the
/// store's search, so an index cannot grade itself); then, for each setting, every query is searched alone, one call
/// at a time (latency and recall), and again with several calls in flight (queries per second).
/// </summary>
public static class SearchQuality
{
    private const int TruthBlockRows = 16_384;
    private const int WarmUpQueries = 5;

    /// <summary>One result per setting, in the order given. Every setting is checked before anything is read.</summary>
    /// <param name="progress">Told what is under way and how far it is, in percent.</param>
    public static IReadOnlyList<SearchQualityResult> Measure(PatternSession session, string collection, SearchQualityOptions options,
        Action<string, int> progress)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        var plans = Settings(options).Select(parameters => session.PlanSearch(collection, options.Top, parameters)).ToList();
        var target = plans[0].Collection;
        long rows = session.Count(collection);
        if (rows == 0)
            throw new MilvusOpsException("CollectionEmpty", ErrorKind.InvalidOperation,
                $"Collection '{target.Name}' holds no patterns: there is no search to measure.", target.Name);

        var queries = DrawQueries(session, target.Name, options, rows, progress);
        var truth = ExactNeighbours(session, target, plans[0].Metric, queries, options.Top, rows, progress);
        var results = new List<SearchQualityResult>(plans.Count);
        for (int i = 0; i < plans.Count; i++)
        {
            string setting = options.SweepParameter is null ? "" : $" with {options.SweepParameter} = {options.SweepValues[i]}";
            progress($"Searching {queries.Count:N0} queries{setting}", 100 * i / plans.Count);
            results.Add(MeasureSetting(session, plans[i], queries, truth, options, i, progress));
        }
        return results;
    }

    /// <summary>The shared parameters, or one copy per swept value with that value set.</summary>
    private static IEnumerable<IReadOnlyDictionary<string, object?>?> Settings(SearchQualityOptions options)
    {
        if (options.SweepParameter is null)
        {
            yield return options.Parameters;
            yield break;
        }
        if (options.SweepValues.Count == 0)
            throw new MilvusOpsException("InvalidSweep", ErrorKind.InvalidArgument, $"The sweep over {options.SweepParameter} names no values.", options.SweepParameter);
        foreach (object? value in options.SweepValues)
        {
            var parameters = new Dictionary<string, object?>(options.Parameters ?? new Dictionary<string, object?>(), StringComparer.Ordinal)
            {
                [options.SweepParameter] = value,
            };
            yield return parameters;
        }
    }

    /// <summary>The query patterns: a uniform sample of the collection's ids (reservoir sampling over an id-only scan),
    /// then their stored vectors.</summary>
    private static IReadOnlyList<Pattern> DrawQueries(PatternSession session, string collection, SearchQualityOptions options, long rows,
        Action<string, int> progress)
    {
        var random = new Random(options.Seed);
        var chosen = new List<string>(options.Queries);
        long seen = 0;
        foreach (var pattern in session.Query(collection, null, includeVectors: false))
        {
            seen++;
            if (chosen.Count < options.Queries) chosen.Add(pattern.PatternId);
            else if (random.NextInt64(seen) is var slot && slot < options.Queries) chosen[(int)slot] = pattern.PatternId;
            if ((seen & 0xFFFF) == 0) progress($"Drawing {options.Queries:N0} query patterns", Percent(seen, rows));
        }
        var byId = session.Get(collection, chosen).ToDictionary(p => p.PatternId, StringComparer.Ordinal);
        // A pattern deleted between the scan and the read is left out rather than measured as a query nobody stored.
        return [.. chosen.Where(byId.ContainsKey).Order(StringComparer.Ordinal).Select(id => byId[id])];
    }

    /// <summary>Each query's exact top-k (best first), from one streamed pass over the collection, block by block.</summary>
    private static Neighbour[][] ExactNeighbours(PatternSession session, PatternCollection target, MetricType metric, IReadOnlyList<Pattern> queries, int top, long rows,
        Action<string, int> progress)
    {
        int nq = queries.Count, dimension = target.Dimension;
        var flat = new float[nq * dimension];
        for (int q = 0; q < nq; q++) queries[q].Vector.AsSpan().CopyTo(flat.AsSpan(q * dimension, dimension));
        var best = Enumerable.Range(0, nq).Select(_ => new List<Neighbour>(top * 2)).ToArray();
        var ids = new List<string>(TruthBlockRows);
        long read = 0;
        var block = new VectorMatrix(dimension, TruthBlockRows);
        try
        {
            void Search()
            {
                if (ids.Count == 0) return;
                var found = ExactSearch.Search(block, flat, nq, top, metric, [], Environment.ProcessorCount, session.Cancellation);
                for (int q = 0; q < nq; q++)
                {
                    best[q].AddRange(found[q].Hits.Select(hit => new Neighbour(ids[hit.Position], hit.Distance)));
                    best[q] = [.. Ranked(best[q], metric).Take(top)];
                }
                ids.Clear();
                block.Dispose();
                block = new VectorMatrix(dimension, TruthBlockRows);
            }
            foreach (var pattern in session.Query(target.Name, null))
            {
                block.Append(pattern.Vector.AsSpan());
                ids.Add(pattern.PatternId);
                if (++read % TruthBlockRows == 0)
                {
                    progress($"Computing the exact neighbours of {nq:N0} queries", Percent(read, rows));
                    Search();
                }
            }
            Search();
        }
        finally
        {
            block.Dispose();
        }
        return Array.ConvertAll(best, list => list.ToArray());
    }

    private readonly record struct Neighbour(string PatternId, float Distance);

    /// <summary>Best first by the metric; ties by id, so the truth does not depend on the order rows were read.</summary>
    private static IEnumerable<Neighbour> Ranked(IEnumerable<Neighbour> neighbours, MetricType metric) =>
        metric.IsSimilarity()
            ? neighbours.OrderByDescending(n => n.Distance).ThenBy(n => n.PatternId, StringComparer.Ordinal)
            : neighbours.OrderBy(n => n.Distance).ThenBy(n => n.PatternId, StringComparer.Ordinal);

    private static SearchQualityResult MeasureSetting(PatternSession session, SearchPlan plan, IReadOnlyList<Pattern> queries, Neighbour[][] truth,
        SearchQualityOptions options, int setting, Action<string, int> progress)
    {
        var vectors = queries.Select(q => q.Vector.ToArray()).ToArray();
        IReadOnlyList<SearchHit> SearchOne(int q) => session.Search(plan, [queries[q].PatternId], [vectors[q]], null)[0];

        // Connections, caches, and an embedded HNSW graph's first build (with its progress) are paid here, unmeasured.
        for (int q = 0; q < Math.Min(WarmUpQueries, queries.Count); q++) session.Search(plan, [queries[q].PatternId], [vectors[q]], null, null, progress);
        var latencies = new double[queries.Count];
        var recalls = new double[queries.Count];
        var clock = new Stopwatch();
        for (int q = 0; q < queries.Count; q++)
        {
            clock.Restart();
            var hits = SearchOne(q);
            latencies[q] = clock.Elapsed.TotalMilliseconds;
            recalls[q] = Recall(hits, truth[q], plan.Metric);
        }
        double queriesPerSecond = Throughput(queries.Count, options, SearchOne, session.Cancellation);
        var sorted = latencies.Order().ToArray();
        return new SearchQualityResult
        {
            Collection = plan.Collection.Name,
            IndexType = plan.Collection.IndexType,
            Metric = plan.Metric,
            Parameter = options.SweepParameter,
            Value = options.SweepParameter is null ? null : options.SweepValues[setting],
            SearchParameters = plan.AllParametersJson,
            Queries = queries.Count,
            Top = plan.Top,
            Recall = recalls.Average(),
            MinRecall = recalls.Min(),
            LatencyP50Ms = Percentile(sorted, 0.50),
            LatencyP95Ms = Percentile(sorted, 0.95),
            LatencyP99Ms = Percentile(sorted, 0.99),
            QueriesPerSecond = queriesPerSecond,
            Concurrency = options.Concurrency,
            LatenciesMs = latencies,
        };
    }

    /// <summary>The share of the exact top-k among the hits. A hit outside it that is as near as its k-th (within float
    /// rounding) is a tie, and found: either row is a right answer.</summary>
    private static double Recall(IReadOnlyList<SearchHit> hits, Neighbour[] truth, MetricType metric)
    {
        if (truth.Length == 0) return 1;
        var exact = truth.Select(n => n.PatternId).ToHashSet(StringComparer.Ordinal);
        float kth = truth[^1].Distance;
        double tolerance = 1e-5 * (1 + Math.Abs(kth));
        int found = hits.Take(truth.Length).Count(hit =>
            exact.Contains(hit.PatternId) || (metric.IsSimilarity() ? hit.Distance >= kth - tolerance : hit.Distance <= kth + tolerance));
        return (double)found / truth.Length;
    }

    /// <summary>Queries answered per second with <see cref="SearchQualityOptions.Concurrency"/> callers, each sending one
    /// query per call, through the queries in turn, for at least <see cref="SearchQualityOptions.ThroughputTime"/>.</summary>
    private static double Throughput(int queries, SearchQualityOptions options, Func<int, IReadOnlyList<SearchHit>> searchOne, CancellationToken cancellation)
    {
        long next = -1, answered = 0;
        var clock = Stopwatch.StartNew();
        void Caller()
        {
            while (true)
            {
                cancellation.ThrowIfCancellationRequested();
                long turn = Interlocked.Increment(ref next);
                if (turn >= queries && clock.Elapsed >= options.ThroughputTime) return;
                searchOne((int)(turn % queries));
                Interlocked.Increment(ref answered);
            }
        }
        var callers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Factory.StartNew(Caller, cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        try
        {
            Task.WaitAll(callers, cancellation);
        }
        catch (AggregateException ex) when (ex.InnerExceptions.FirstOrDefault() is { } first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
        return answered / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double share) => sorted[Math.Clamp((int)Math.Ceiling(share * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static int Percent(long done, long total) => total <= 0 ? 0 : (int)Math.Min(100, 100 * done / total);
}
