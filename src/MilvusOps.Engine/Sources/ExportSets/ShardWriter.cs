namespace MilvusOps.Engine.Sources.ExportSets;

/// <summary>Writes one shard of an export set: patterns in, batch by batch, then <see cref="Complete"/>.</summary>
internal abstract class ShardWriter : IDisposable
{
    /// <summary>The file name extension of a format's shards.</summary>
    public static string ExtensionOf(ExportFormat format) => format == ExportFormat.Parquet ? ".parquet" : ".jsonl";

    /// <summary>A writer of <paramref name="format"/> into a new file; the caller owns the file.</summary>
    public static ShardWriter Create(ExportFormat format, Stream file, PatternCollection collection) => format switch
    {
        ExportFormat.Parquet => new ParquetShardWriter(file, collection),
        _ => new JsonLinesShardWriter(file),
    };

    /// <summary>Writes a batch (for Parquet, one row group).</summary>
    public abstract void Write(IReadOnlyList<Pattern> batch);

    /// <summary>Writes what the format keeps until the end (Parquet's footer) and flushes; the file is whole after it.</summary>
    public abstract void Complete();

    public abstract void Dispose();
}
