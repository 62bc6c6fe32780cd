using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Measurement;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Measures how well a collection's search answers, on Milvus or on the embedded store: recall@k against the exact
/// neighbours of the same queries, latency percentiles, and queries per second at a concurrency, for one setting of the
/// search parameters or a sweep over one of them. The queries are stored patterns drawn at random; their exact
/// neighbours come from one streamed pass over the collection with MilvusOps's own kernel, never from the index being
/// measured. Each query's own pattern is among its neighbours, as it is for any search by a stored pattern.
/// </summary>
/// <example>
/// <code>
/// Measure-SearchQuality patterns -Sweep @{ ef = 16, 32, 64, 128 } -Concurrency 4 -PlotPath ./quality
/// </code>
/// <para>Recall@10, latency and queries/s of an HNSW collection at four values of ef, with the recall-against-throughput
/// and latency plots written to ./quality.</para>
/// </example>
/// <example>
/// <code>
/// Measure-SearchQuality gpu_patterns -Top 100 -Sweep @{ itopk_size = 128, 256, 512 } | Format-Table Value, Recall, LatencyP99Ms, QueriesPerSecond
/// </code>
/// <para>A GPU_CAGRA collection checked after an index change, at recall@100.</para>
/// </example>
/// <example>
/// <code>
/// (Measure-SearchQuality patterns).Recall | Should -BeGreaterOrEqual 0.95
/// </code>
/// <para>In a Pester verification run: the index still finds at least 95% of the true neighbours.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Measure, "SearchQuality")]
[OutputType(typeof(SearchQualityResult))]
public sealed class MeasureSearchQualityCommand : CollectionCmdlet
{
    /// <summary>How many stored patterns to draw as queries (all of them when the collection holds fewer).</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int QueryCount { get; set; } = 100;

    /// <summary>The k of recall@k: how many hits each query asks for.</summary>
    [Parameter]
    [ValidateRange(1, SearchRequest.MaxTop)]
    public int Top { get; set; } = 10;

    /// <summary>Calls in flight while queries/s is measured, each sending one query at a time.</summary>
    [Parameter]
    [ValidateRange(1, 256)]
    public int Concurrency { get; set; } = 1;

    /// <summary>Search parameters every setting uses, as for Find-SimilarPattern (checked against the index type).</summary>
    [Parameter]
    public Hashtable? SearchParameter { get; set; }

    /// <summary>One search parameter and the values to measure it at, e.g. @{ ef = 16, 32, 64 }, @{ nprobe = 8, 32 }, or
    /// @{ cells = 41, 82 } on a collection made with -Partitioning Hilbert: one result per value, in the order given. Every
    /// value is checked before anything is measured.</summary>
    [Parameter]
    public Hashtable? Sweep { get; set; }

    /// <summary>A folder for two PNG plots: &lt;collection&gt;-recall-qps.png (recall against queries/s, one point per
    /// setting) and &lt;collection&gt;-latency.png (a latency histogram per setting). The folder is created when missing;
    /// a plot file that already exists is never overwritten (PlotFileExists, before anything is measured).</summary>
    [Parameter]
    public string? PlotPath { get; set; }

    /// <summary>Draws the queries: the same seed draws the same patterns from an unchanged collection.</summary>
    [Parameter]
    public int Seed { get; set; } = 1;

    protected override void ProcessRecord()
    {
        var options = Call(() => new SearchQualityOptions
        {
            Queries = QueryCount,
            Top = Top,
            Concurrency = Concurrency,
            Parameters = SearchParameterInput.From(SearchParameter),
            SweepParameter = SweepName(),
            SweepValues = SweepValues(),
            Seed = Seed,
        });
        var plots = PlotPath is null ? null : Call(() => SearchQualityPlots.Reserve(GetUnresolvedProviderPathFromPSPath(PlotPath), Collection));
        var results = Call(() => WithProgress($"Measuring the search of '{Collection}'",
            progress => SearchQuality.Measure(Session, Collection, options, progress)));
        foreach (var result in results) WriteStoreObject(result);
        if (plots is null) return;
        Call(() => plots.Write(results));
        WriteVerbose($"Wrote {plots.RecallPath} and {plots.LatencyPath}.");
    }

    private string? SweepName() => Sweep switch
    {
        null => null,
        { Count: 1 } => Sweep.Keys.Cast<object>().Select(SearchParameterInput.Name).Single(),
        _ => throw new MilvusOpsException("InvalidSweep", ErrorKind.InvalidArgument,
            $"-Sweep takes one search parameter and its values, e.g. @{{ ef = 16, 32, 64 }}; it has {Sweep.Count}.", Sweep),
    };

    private object?[] SweepValues() =>
        Sweep is null ? [] : SearchParameterInput.Unwrap(Sweep.Values.Cast<object?>().Single()) switch
        {
            string single => [single],
            IEnumerable values => [.. values.Cast<object?>().Select(SearchParameterInput.Unwrap)],
            var single => [single],
        };
}
