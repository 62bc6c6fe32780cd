using System.Buffers;
using Parquet;
using Parquet.Schema;

namespace MilvusOps.Engine.Sources.ExportSets;

/// <summary>
/// A Parquet shard in the layout Milvus's bulk import reads (Parquet.Net, fully managed): one column per field, named
/// as the field; pattern_id and pattern_type are strings, the vector a list of float32 (vector.list.element: the list
/// optional, as Parquet.Net writes lists, its elements required), each JSON document its text, null where the store
/// holds none. One row group per batch, Snappy-compressed.
/// </summary>
internal sealed class ParquetShardWriter : ShardWriter
{
    /// <summary>The columns every shard has, in order; the reader finds them by these fields.</summary>
    internal static class Columns
    {
        public static readonly DataField<string> Id = new(PatternSchema.PatternId, nullable: false);
        public static readonly DataField<string> Type = new(PatternSchema.PatternType, nullable: true);
        public static readonly DataField<float> Element = new("element", nullable: false);
        public static readonly ListField Vector = new(PatternSchema.Vector, Element);
        public static readonly DataField<string> Metrics = new(PatternSchema.CoherenceMetrics, nullable: true);
        public static readonly DataField<string> Context = new(PatternSchema.TemporalContext, nullable: true);
    }

    /// <summary>The schema every shard has.</summary>
    internal static readonly ParquetSchema Schema = new(Columns.Id, Columns.Type, Columns.Vector, Columns.Metrics, Columns.Context);

    private readonly ParquetWriter _writer;
    private readonly int _dimension;
    private bool _completed;

    public ParquetShardWriter(Stream file, PatternCollection collection)
    {
        _dimension = collection.Dimension;
        _writer = ParquetWriter.CreateAsync(Schema, file, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy })
            .GetAwaiter().GetResult();
        _writer.CustomMetadata = new Dictionary<string, string>
        {
            ["milvusops.collection"] = collection.Name,
            ["milvusops.dimension"] = collection.Dimension.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    public override void Write(IReadOnlyList<Pattern> batch)
    {
        using var group = _writer.CreateRowGroup();
        Wait(group.WriteAsync(Columns.Id, batch.Select(p => p.PatternId).ToArray(), null));
        Wait(group.WriteAsync(Columns.Type, batch.Select(p => p.PatternType).ToArray()!, null));
        // A list column is its elements, flattened, with a repetition level each (0 starts a row's list, 1 continues
        // it) and a definition level each (every element is present: the deepest level).
        // The three arrays are tens of MB a row group: pooled, so an export does not leave each one to the GC.
        int count = batch.Count * _dimension;
        float[] values = ArrayPool<float>.Shared.Rent(count);
        int[] levels = ArrayPool<int>.Shared.Rent(count), defined = ArrayPool<int>.Shared.Rent(count);
        try
        {
            defined.AsSpan(0, count).Fill(Columns.Element.MaxDefinitionLevel);
            for (int row = 0; row < batch.Count; row++)
            {
                var vector = batch[row].Vector.AsSpan();
                if (vector.Length != _dimension)
                    throw new InvalidOperationException($"Pattern '{batch[row].PatternId}' has {vector.Length} dimensions in a {_dimension}-d collection.");
                vector.CopyTo(values.AsSpan(row * _dimension));
                levels[row * _dimension] = 0;
                levels.AsSpan(row * _dimension + 1, _dimension - 1).Fill(1);
            }
            Wait(group.WriteAllPartsAsync<float>(Columns.Element, values.AsMemory(0, count), (ReadOnlyMemory<int>)defined.AsMemory(0, count),
                (ReadOnlyMemory<int>)levels.AsMemory(0, count), CancellationToken.None));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(values);
            ArrayPool<int>.Shared.Return(levels);
            ArrayPool<int>.Shared.Return(defined);
        }
        Wait(group.WriteAsync(Columns.Metrics, batch.Select(p => p.CoherenceMetricsJson).ToArray()!, null));
        Wait(group.WriteAsync(Columns.Context, batch.Select(p => p.TemporalContextJson).ToArray()!, null));
        group.CompleteValidate();
    }

    // The file is a local FileStream and the engine runs no synchronization context: waiting here cannot deadlock.
    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    /// <summary>Disposing Parquet.Net's writer is what writes the footer.</summary>
    public override void Complete()
    {
        _completed = true;
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>An unfinished shard is removed by the export; its footer is written only to release the writer.</summary>
    public override void Dispose()
    {
        if (_completed) return;
        _completed = true;
        try
        {
            _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
