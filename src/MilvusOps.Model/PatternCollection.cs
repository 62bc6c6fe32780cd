namespace MilvusOps.Model;

/// <summary>One field of a collection's schema, in Milvus terms.</summary>
public sealed record FieldSchema(string Name, string DataType, bool IsPrimaryKey = false, int? MaxLength = null, int? Dimension = null,
    bool Nullable = false, bool IsPartitionKey = false)
{
    public override string ToString() => (Dimension is int dim ? $"{Name} {DataType}({dim})"
        : MaxLength is int max ? $"{Name} {DataType}({max})" : $"{Name} {DataType}") + (Nullable ? " NULL" : "") + (IsPartitionKey ? " PARTITION KEY" : "");
}

/// <summary>A collection as a store describes it.</summary>
public sealed class PatternCollection : StoreObject
{
    public required string Name { get; init; }
    public required int Dimension { get; init; }

    /// <summary>The metric of the vector field's index; null where there is no index (<see cref="IndexType"/> is
    /// <see cref="IndexRules.NoIndex"/>) or its metric is not one MilvusOps searches by (binary vectors).</summary>
    public required MetricType? Metric { get; init; }

    /// <summary>The vector field's index type, or <see cref="IndexRules.NoIndex"/>.</summary>
    public required string IndexType { get; init; }

    /// <summary>The vector field that <see cref="Dimension"/>, <see cref="Metric"/> and <see cref="IndexType"/> describe:
    /// <c>vector</c> in a pattern collection; in a collection made by another tool, its own (<see cref="Fields"/> lists all).</summary>
    public string? VectorField { get; init; }
    public MetadataDictionary? IndexParameters { get; init; }
    public string? Description { get; init; }

    /// <summary>How the rows are partitioned beside the index (<see cref="CellPartitioning"/>).</summary>
    public CollectionPartitioning Partitioning { get; init; } = CollectionPartitioning.None;

    /// <summary>The exact number of patterns (never a lagging statistic) where the command counted them, as
    /// Get-PatternCollection does; null where it did not, since counting can cost a scan.</summary>
    public long? EntityCount { get; internal set; }
    public required IReadOnlyList<FieldSchema> Fields { get; init; }

    /// <summary>The collection's aliases, in name order.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>Where the collection lives: the store file or the server URI.</summary>
    public string? Uri { get; init; }

    /// <summary>The spec that makes this collection again, schema and index, under <paramref name="name"/>: what a copy creates.</summary>
    public CollectionSpec ToSpec(string name) => new()
    {
        Name = name,
        Dimension = Dimension,
        Metric = Metric ?? MetricType.L2,
        IndexType = IndexType,
        IndexParametersJson = IndexParameters is null ? null : Metadata.Serialize(IndexParameters),
        Description = Description,
        MaxIdLength = MaxLengthOf(PatternSchema.PatternId) ?? PatternSchema.DefaultMaxIdLength,
        MaxPatternTypeLength = MaxLengthOf(PatternSchema.PatternType) ?? PatternSchema.DefaultMaxPatternTypeLength,
        Partitioning = Partitioning,
    };

    private int? MaxLengthOf(string field) => Fields.FirstOrDefault(f => f.Name == field)?.MaxLength;

    public override string ToString() => Name;
}
