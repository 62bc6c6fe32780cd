namespace MilvusOps.Model;

/// <summary>One result of a similarity search. <see cref="Rank"/> starts at 1 for each query.</summary>
public sealed class SearchHit : StoreObject
{
    private readonly MetadataField _coherenceMetrics;
    private readonly MetadataField _temporalContext;

    public SearchHit(string queryId, int rank, string patternId, float distance, string? patternType,
        string? coherenceMetricsJson, string? temporalContextJson, string collection)
    {
        QueryId = queryId;
        Rank = rank;
        PatternId = patternId;
        Distance = distance;
        PatternType = patternType;
        _coherenceMetrics = new MetadataField(coherenceMetricsJson);
        _temporalContext = new MetadataField(temporalContextJson);
        Collection = collection;
    }

    /// <summary>The query pattern's id, or the query's 0-based index in the input stream.</summary>
    public string QueryId { get; }
    public int Rank { get; }
    public string PatternId { get; }

    /// <summary>Milvus semantics: squared L2 (ascending), or IP / COSINE similarity (descending).</summary>
    public float Distance { get; }
    public string? PatternType { get; }
    public MetadataDictionary? CoherenceMetrics => _coherenceMetrics.Value;
    public MetadataDictionary? TemporalContext => _temporalContext.Value;
    public string Collection { get; }

    public override string ToString() => $"{QueryId} #{Rank}: {PatternId} ({Distance})";
}
