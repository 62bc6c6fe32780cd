namespace MilvusOps.Model;

/// <summary>An index on one field of a collection, with how far its build has got.</summary>
public sealed class CollectionIndex : StoreObject
{
    public required string Collection { get; init; }
    public required string IndexName { get; init; }
    public required string Field { get; init; }
    public required string IndexType { get; init; }

    /// <summary>The metric of a vector index; null for a scalar index.</summary>
    public MetricType? Metric { get; init; }
    public MetadataDictionary? Parameters { get; init; }

    /// <summary>Milvus's build state: Finished, InProgress, Unissued, Retry, Failed (or None).</summary>
    public required string State { get; init; }

    /// <summary>Rows the index covers, rows in sealed segments, and rows still waiting for the index.</summary>
    public long IndexedRows { get; init; }
    public long TotalRows { get; init; }
    public long PendingRows { get; init; }
    public string? FailReason { get; init; }

    public override string ToString() => $"{Collection}.{IndexName}";
}

/// <summary>An index an operator asks for; <c>PatternSession.Check</c> applies New-PatternCollection's rules to it.</summary>
public sealed record IndexSpec(string Field, string IndexType, MetricType Metric, string? ParametersJson, string? IndexName = null)
{
    /// <summary>The index name Milvus gets: the one asked for, else the field's name (as Milvus names it).</summary>
    public string Name => string.IsNullOrEmpty(IndexName) ? Field : IndexName;
}
