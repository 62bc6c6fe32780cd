namespace MilvusOps.Model;

/// <summary>One field of a collection's schema, in Milvus terms.</summary>
public sealed record FieldSchema(string Name, string DataType, bool IsPrimaryKey = false, int? MaxLength = null, int? Dimension = null,
    bool Nullable = false)
{
    public override string ToString() => (Dimension is int dim ? $"{Name} {DataType}({dim})"
        : MaxLength is int max ? $"{Name} {DataType}({max})" : $"{Name} {DataType}") + (Nullable ? " NULL" : "");
}

/// <summary>A collection as a store describes it.</summary>
public sealed class PatternCollection : StoreObject
{
    public required string Name { get; init; }
    public required int Dimension { get; init; }
    public required MetricType Metric { get; init; }
    public required string IndexType { get; init; }
    public MetadataDictionary? IndexParameters { get; init; }
    public string? Description { get; init; }

    /// <summary>The exact number of patterns (never a lagging statistic) where the command counted them, as
    /// Get-PatternCollection does; null where it did not, since counting can cost a scan.</summary>
    public long? EntityCount { get; internal set; }
    public required IReadOnlyList<FieldSchema> Fields { get; init; }

    /// <summary>Where the collection lives: the store file or the server URI.</summary>
    public string? Uri { get; init; }

    public override string ToString() => Name;
}
