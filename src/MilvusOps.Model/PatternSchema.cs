namespace MilvusOps.Model;

/// <summary>
/// The pattern schema every collection has: the field names filters use, and the limits a
/// pattern is checked against before it is written.
/// </summary>
public static class PatternSchema
{
    public const string PatternId = "pattern_id";
    public const string Vector = "vector";
    public const string PatternType = "pattern_type";
    public const string CoherenceMetrics = "coherence_metrics";
    public const string TemporalContext = "temporal_context";

    /// <summary>A partitioned collection's Hilbert cell of each row (<see cref="CellPartitioning"/>): on Milvus, its
    /// partition key.</summary>
    public const string Cell = "cell";

    public const int DefaultDimension = 512;
    public const int DefaultMaxIdLength = 100;
    public const int DefaultMaxPatternTypeLength = 100;
    public const int MaxDimension = 32768;
    public const int MaxVarCharLength = 65535;

    /// <summary>The metric a collection uses to flag which quality counts as coherent.</summary>
    public const string QuantumCoherence = "quantum_coherence";

    public static IReadOnlyList<FieldSchema> Fields(CollectionSpec spec) =>
    [
        new(PatternId, "VarChar", IsPrimaryKey: true, MaxLength: spec.MaxIdLength),
        new(Vector, "FloatVector", Dimension: spec.Dimension),
        new(PatternType, "VarChar", MaxLength: spec.MaxPatternTypeLength, Nullable: true),
        new(CoherenceMetrics, "JSON", Nullable: true),
        new(TemporalContext, "JSON", Nullable: true),
        .. spec.Partitioning == CollectionPartitioning.Hilbert ? [new FieldSchema(Cell, "Int64", IsPartitionKey: true)] : Array.Empty<FieldSchema>(),
    ];
}
