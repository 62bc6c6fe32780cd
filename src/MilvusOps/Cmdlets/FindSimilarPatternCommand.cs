using System.Collections;
using System.Globalization;
using System.Management.Automation;
using MilvusOps.Engine.Filtering;
using MilvusOps.Engine.Session;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Finds the patterns nearest to each query: a vector, a stored pattern's id, or piped patterns
/// (anything with a Vector property; a PatternId names the query).
/// Piped queries go to the store in batches, so each stored vector is read once per batch.
/// </summary>
/// <example>
/// <code>
/// Find-SimilarPattern correlation_patterns -Id test_pattern_001 -Top 5
/// </code>
/// <para>Searches with the stored vector of test_pattern_001; it comes back first, at distance 0.</para>
/// </example>
/// <example>
/// <code>
/// Find-SimilarPattern correlation_patterns -Id test_pattern_001 -Top 5 -MinCoherence 0.95 -Filter 'pattern_type != "temporal_drift"'
/// </code>
/// <para>The same search, keeping coherent patterns that are not temporal drift.</para>
/// </example>
/// <example>
/// <code>
/// Find-SimilarPattern correlation_patterns -Id test_pattern_001 -Top 20 -SearchParameter @{ ef = 128 }
/// </code>
/// <para>On an HNSW collection, searches with ef = 128 (ef must be at least -Top; left out, it is max(-Top, 64)), on Milvus and on the embedded store alike.</para>
/// </example>
[Cmdlet(VerbsCommon.Find, "SimilarPattern", DefaultParameterSetName = VectorSet)]
[OutputType(typeof(SearchHit))]
public sealed class FindSimilarPatternCommand : MilvusOpsCmdlet
{
    private const string VectorSet = "Vector";
    private const string MinCoherenceParameter = "milvusops_min_coherence";
    private const string IdSet = "Id";
    private const int QueriesPerBatch = 64;

    private readonly List<string> _queryIds = [];
    private readonly List<float[]> _queries = [];
    private long _queryIndex;
    private PatternFilter? _filter;
    private SearchPlan? _plan;
    private Dictionary<string, object?>? _parameters;

    /// <summary>The collection to search.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    /// <summary>The query vector; piped patterns bind their Vector property.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = VectorSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Embedding")]
    [VectorInput]
    public float[] Vector { get; set; } = [];

    /// <summary>Search with the vector of the stored pattern that has this id.</summary>
    [Parameter(Mandatory = true, ParameterSetName = IdSet)]
    public string[] Id { get; set; } = [];

    /// <summary>Names the query in its hits; piped patterns bind their PatternId. Defaults to the query's index.</summary>
    [Parameter(ParameterSetName = VectorSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PatternId")]
    public string? QueryId { get; set; }

    /// <summary>How many hits each query returns, nearest first.</summary>
    [Parameter]
    [ValidateRange(1, SearchRequest.MaxTop)]
    [Alias("Limit")]
    public int Top { get; set; } = 10;

    /// <summary>A Milvus boolean expression the hits must satisfy.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(FilterFieldCompleter))]
    public string? Filter { get; set; }

    /// <summary>
    /// Values for the {name} placeholders of -Filter: -Filter 'pattern_type == {type}' -FilterParameter @{ type = $t }.
    /// A value is a string, a number, a bool or a list of them; it is never pasted into the text, so it needs no quoting
    /// and cannot change the expression. Milvus receives it as the request's template value; the embedded store binds it.
    /// Names are case-sensitive, as in Milvus: @{ Type = 'x' } does not fill {type}.
    /// </summary>
    [Parameter]
    public Hashtable? FilterParameter { get; set; }

    /// <summary>Keep hits whose coherence_metrics.quantum_coherence is at least this value.</summary>
    [Parameter]
    public double? MinCoherence { get; set; }

    /// <summary>
    /// <para>Index search parameters for Milvus, checked against the collection's index type before anything runs.</para>
    /// <para>Each index takes its own keys (names are case-sensitive): HNSW ef (at least -Top); IVF_FLAT, IVF_SQ8,
    /// IVF_PQ, GPU_IVF_FLAT and GPU_IVF_PQ nprobe (1 to the index's nlist); SCANN nprobe and reorder_k (at least -Top);
    /// DISKANN search_list (at least -Top); GPU_CAGRA itopk_size (at least -Top), search_width, min_iterations,
    /// max_iterations and team_size (0, 2, 4, 8, 16 or 32), or ef when it was built with adapt_for_cpu;
    /// AUTOINDEX level (1 to 5); FLAT and GPU_BRUTE_FORCE none. An unknown key (a typo, or radius and range_filter:
    /// range search is not supported) fails with UnknownSearchParameter, a bad value with InvalidSearchParameter.</para>
    /// <para>Keys left out get defaults: ef and search_list max(-Top, 64), itopk_size the next power of two at or
    /// above max(-Top, 64), nprobe min(8, nlist). -Top is limited to 1024 on GPU_CAGRA and GPU_IVF_PQ and to 2048 on
    /// GPU_IVF_FLAT (InvalidTop). Values may be numbers or numeric strings.</para>
    /// <para>The embedded store validates them the same way. It searches HNSW collections through an HNSW graph with
    /// ef, and every other index type exactly (the other parameters then do not change its results); -Verbose says which.</para>
    /// <para>On a collection made with -Partitioning Hilbert, cells (1 to 4096) limits each query to the rows of its
    /// nearest cells (searched exactly on the embedded store, through the index on Milvus); it combines with -Filter.</para>
    /// </summary>
    [Parameter]
    public Hashtable? SearchParameter { get; set; }

    protected override void BeginProcessing()
    {
        // -MinCoherence is one more condition with its value as a parameter, never text pasted into the filter.
        _filter = Call(() =>
        {
            var filter = FilterInput.From(Filter, FilterParameter);
            return MinCoherence is double minimum
                ? FilterExpression.And(filter, $"{PatternSchema.CoherenceMetrics}[\"{PatternSchema.QuantumCoherence}\"] >= {{{MinCoherenceParameter}}}", MinCoherenceParameter, minimum)
                : filter;
        });
        _parameters = SearchParameterInput.From(SearchParameter);
        // Fail before the first query is read.
        _plan = Call(() => Session.PlanSearch(Collection, Top, _parameters));
        WriteVerbose($"Search parameters for the {_plan.Collection.IndexType} index: {_plan.ParametersJson}" +
            (_plan.Cells is int cells ? $"; the {cells:N0} cells nearest each query." : "."));
        if (_plan.Parameters is { Count: > 0 } && Target.Backend == StoreBackend.Embedded && _plan.Collection.IndexType != "HNSW")
            WriteVerbose($"The embedded store validated -SearchParameter as Milvus would, but it searches {_plan.Collection.IndexType} collections exactly: the index's parameters do not change its results.");
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case IdSet:
                var stored = Call(() => Session.Get(Collection, Id)).ToDictionary(p => p.PatternId, StringComparer.Ordinal);
                foreach (string id in Id)
                {
                    if (stored.TryGetValue(id, out var pattern)) Enqueue(id, pattern.Vector.Values);
                    else WriteEngineError(new MilvusOpsException("PatternNotFound", ErrorKind.ObjectNotFound,
                        $"Pattern '{id}' is not in collection '{Collection}', so it cannot be a query.", id));
                }
                break;
            default:
                Enqueue(QueryId ?? _queryIndex.ToString(CultureInfo.InvariantCulture), Vector);
                break;
        }
        _queryIndex++;
        if (_queries.Count >= QueriesPerBatch) Flush();
    }

    protected override void EndProcessing() => Flush();

    private void Enqueue(string queryId, float[] vector)
    {
        // A bad query is reported on its own, so it never sinks the batch it would have joined.
        try
        {
            PatternSession.CheckQuery(_plan!, vector, queryId);
        }
        catch (MilvusOpsException ex)
        {
            WriteEngineError(ex, queryId);
            return;
        }
        _queryIds.Add(queryId);
        _queries.Add(vector);
    }

    private void Flush()
    {
        if (_queries.Count == 0) return;
        string[] queryIds = [.. _queryIds];
        float[][] queries = [.. _queries];
        _queryIds.Clear();
        _queries.Clear();
        // A search that first builds an embedded HNSW graph reports how far the build has come.
        var results = Call(() => WithProgress($"Searching '{Collection}'", progress => Session.Search(_plan!, queryIds, queries, _filter, WriteVerbose, progress)));
        foreach (var hit in results.SelectMany(hits => hits)) WriteStoreObject(hit);
    }
}
