namespace MilvusOps.Model;

/// <summary>The file format of an export set's shards.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum ExportFormat
{
    /// <summary>Parquet in the layout Milvus's bulk import reads: one column per field, the vector a list of float32, JSON as text.</summary>
    Parquet,

    /// <summary>JSON Lines: one object per pattern, the vector an array of numbers that read back to the same float32 bits.</summary>
    JsonLines,
}

/// <summary>One file of an export set, as its manifest records it.</summary>
/// <param name="File">The file name, relative to the set's folder.</param>
/// <param name="Rows">The patterns it holds.</param>
/// <param name="Bytes">Its size on disk.</param>
/// <param name="Sha256">The SHA-256 of its bytes, lower-case hex: a reader refuses a shard that no longer matches.</param>
public sealed record ExportShard(string File, long Rows, long Bytes, string Sha256);

/// <summary>
/// A collection, or the part of it a filter chose, written to a folder of shards and a manifest (manifest.json) that
/// records the collection's schema and index, the rows and checksum of each shard, and where the rows came from.
/// Export-PatternCollection writes one; the manifest is written last, so a folder without one is no export set.
/// </summary>
public sealed class ExportSet : StoreObject
{
    /// <summary>The name of the manifest in an export set's folder.</summary>
    public const string ManifestName = "manifest.json";

    /// <summary>The set's folder.</summary>
    public required string Path { get; init; }

    public required ExportFormat Format { get; init; }

    /// <summary>The collection the rows came from.</summary>
    public required string Collection { get; init; }

    /// <summary>The source store: its file path or server URI.</summary>
    public required string SourceUri { get; init; }

    public required string SourceDatabase { get; init; }

    /// <summary>The source server's version (or the embedded store's), at export time.</summary>
    public required string SourceVersion { get; init; }

    /// <summary>The filter that chose the rows; null for the whole collection.</summary>
    public string? Filter { get; init; }

    /// <summary>The values of the filter's {name} placeholders.</summary>
    public IReadOnlyDictionary<string, object?>? FilterParameters { get; init; }

    public required int Dimension { get; init; }
    public required MetricType? Metric { get; init; }
    public required string IndexType { get; init; }
    public MetadataDictionary? IndexParameters { get; init; }
    public string? Description { get; init; }
    public required int MaxIdLength { get; init; }
    public required int MaxPatternTypeLength { get; init; }

    /// <summary>How the source collection was partitioned; a collection made from the set is partitioned alike.</summary>
    public CollectionPartitioning Partitioning { get; init; } = CollectionPartitioning.None;

    /// <summary>The patterns in all shards.</summary>
    public required long Rows { get; init; }

    /// <summary>The bytes of all shards.</summary>
    public long Bytes => Shards.Sum(s => s.Bytes);

    public required IReadOnlyList<ExportShard> Shards { get; init; }

    /// <summary>When the export started (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    public TimeSpan Duration { get; init; }
    public double RowsPerSecond { get; init; }

    /// <summary>The collection spec that makes the source collection again (schema and index) under <paramref name="name"/>.</summary>
    public CollectionSpec ToSpec(string name) => new()
    {
        Name = name,
        Dimension = Dimension,
        Metric = Metric ?? MetricType.L2,
        IndexType = IndexType,
        IndexParametersJson = IndexParameters is null ? null : Metadata.Serialize(IndexParameters),
        Description = Description,
        MaxIdLength = MaxIdLength,
        MaxPatternTypeLength = MaxPatternTypeLength,
        Partitioning = Partitioning,
    };

    public override string ToString() => $"{Collection} -> {Path}: {Rows} patterns in {Shards.Count} {Format} shard(s)";
}
