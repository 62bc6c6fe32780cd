using System.Collections;
using System.Globalization;
using System.Management.Automation;
using MilvusOps.Engine;
using MilvusOps.Engine.Filtering;
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
[Cmdlet(VerbsCommon.Find, "SimilarPattern", DefaultParameterSetName = VectorSet)]
[OutputType(typeof(SearchHit))]
public sealed class FindSimilarPatternCommand : MilvusOpsCmdlet
{
    private const string VectorSet = "Vector";
    private const string IdSet = "Id";
    private const int QueriesPerBatch = 64;

    private readonly List<string> _queryIds = [];
    private readonly List<float[]> _queries = [];
    private long _queryIndex;
    private string? _filter;
    private int _dimension;

    /// <summary>The collection to search.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Collection { get; set; } = "";

    /// <summary>The query vector; piped patterns bind their Vector property.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = VectorSet, ValueFromPipelineByPropertyName = true)]
    [Alias("Embedding")]
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
    public string? Filter { get; set; }

    /// <summary>Keep hits whose coherence_metrics.quantum_coherence is at least this value.</summary>
    [Parameter]
    public double? MinCoherence { get; set; }

    /// <summary>Index search parameters (ef, nprobe, itopk_size) for Milvus; the embedded store searches exactly and ignores them.</summary>
    [Parameter]
    public Hashtable? SearchParameter { get; set; }

    protected override void BeginProcessing()
    {
        _dimension = Call(() => Store.DescribeCollection(Collection)).Dimension;
        _filter = MinCoherence is double minimum
            ? FilterExpression.And(Filter, $"{PatternSchema.CoherenceMetrics}[\"{PatternSchema.QuantumCoherence}\"] >= {FilterExpression.FormatDouble(minimum)}")
            : Filter;
        if (SearchParameter is not null && Store.Backend == StoreBackend.Embedded)
            WriteVerbose("The embedded store searches exactly; -SearchParameter is recorded for Milvus and has no effect here.");
    }

    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case IdSet:
                var stored = Call(() => Store.Get(Collection, Id)).ToDictionary(p => p.PatternId, StringComparer.Ordinal);
                foreach (string id in Id)
                {
                    if (stored.TryGetValue(id, out var pattern)) Enqueue(id, pattern.Vector);
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
            PatternValidator.CheckVector(vector, _dimension, queryId);
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
        var parameters = SearchParameter?.Cast<DictionaryEntry>()
            .ToDictionary(e => Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e => e.Value);
        var request = new SearchRequest(_queryIds.ToArray(), _queries.ToArray(), Top, _filter, parameters);
        _queryIds.Clear();
        _queries.Clear();
        var results = Call(() => Store.Search(Collection, request));
        foreach (var hits in results) WriteObject(hits, enumerateCollection: true);
    }
}
