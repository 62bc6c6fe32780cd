namespace MilvusOps.Model;

/// <summary>A segment of a collection: where its rows are stored (persistent) or served from (loaded).</summary>
public sealed class CollectionSegment : StoreObject
{
    public required string Collection { get; init; }
    public required long SegmentId { get; init; }
    public long PartitionId { get; init; }

    /// <summary>Rows in the segment, deleted ones included until a compaction purges them.</summary>
    public long Rows { get; init; }

    /// <summary>Growing, Sealed, Flushing, Flushed, Dropped, Importing.</summary>
    public required string State { get; init; }

    /// <summary>L0 (deletes only), L1, L2, or Legacy.</summary>
    public required string Level { get; init; }
    public bool IsSorted { get; init; }

    /// <summary>True for a segment a query node holds in memory (Get-MilvusSegment -Loaded).</summary>
    public bool Loaded { get; init; }

    /// <summary>Memory a loaded segment takes on its query node, in bytes; null where the server does not say (Milvus 2.5).</summary>
    public long? MemoryBytes { get; init; }
    public string? IndexName { get; init; }
    public IReadOnlyList<long> QueryNodes { get; init; } = [];

    public override string ToString() => $"{Collection} segment {SegmentId}: {State}, {Rows} rows";
}
