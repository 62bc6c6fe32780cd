using Google.Protobuf;
using Google.Protobuf.Collections;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>
/// Writes a batch of patterns as the five insert/upsert columns, and a partitioned collection's cell column. pattern_type
/// and the two JSON documents are nullable: each carries one valid_data flag per row and data for the non-null rows only,
/// the compact layout the Milvus 2.5 proxy expects (it expands it by valid_data).
/// </summary>
/// <remarks>
/// One writer refills the same columns for every batch, so after the first ~8 MB batch no column array is
/// allocated again: a fresh float array per request would leave the heap growing by the size of the import until
/// a full collection (docs/benchmarks.md). The columns <see cref="Write"/> returns are valid until its next call.
/// </remarks>
internal sealed class PatternColumnWriter
{
    private readonly Rpc.StringArray _ids = new(), _types = new();
    private readonly Rpc.JSONArray _metrics = new(), _temporal = new();
    private readonly Rpc.FloatArray _floats = new();
    private readonly Rpc.LongArray _cells = new();
    private readonly Rpc.VectorField _vectors;
    private readonly Rpc.FieldData _typeField, _metricsField, _temporalField;
    private readonly Rpc.FieldData[] _fields, _fieldsWithCells;

    public PatternColumnWriter()
    {
        _vectors = new Rpc.VectorField { FloatVector = _floats };
        _typeField = new Rpc.FieldData { FieldName = PatternSchema.PatternType, Type = Rpc.DataType.VarChar, Scalars = new() { StringData = _types } };
        _metricsField = new Rpc.FieldData { FieldName = PatternSchema.CoherenceMetrics, Type = Rpc.DataType.Json, Scalars = new() { JsonData = _metrics } };
        _temporalField = new Rpc.FieldData { FieldName = PatternSchema.TemporalContext, Type = Rpc.DataType.Json, Scalars = new() { JsonData = _temporal } };
        _fields =
        [
            new Rpc.FieldData { FieldName = PatternSchema.PatternId, Type = Rpc.DataType.VarChar, Scalars = new() { StringData = _ids } },
            new Rpc.FieldData { FieldName = PatternSchema.Vector, Type = Rpc.DataType.FloatVector, Vectors = _vectors },
            _typeField,
            _metricsField,
            _temporalField,
        ];
        _fieldsWithCells = [.. _fields, new Rpc.FieldData { FieldName = PatternSchema.Cell, Type = Rpc.DataType.Int64, Scalars = new() { LongData = _cells } }];
    }

    /// <summary>The batch's columns; with <paramref name="cellOf"/>, also the cell column, each row's cell from its vector.</summary>
    public PatternColumns Write(IReadOnlyList<Pattern> patterns, Func<FloatVector, long>? cellOf = null)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Count == 0)
            throw WireFormat.Invalid("EmptyBatch", "A write needs at least one pattern.");
        var dim = patterns[0].Vector?.Length ?? 0;
        if (dim == 0)
            throw WireFormat.Invalid("EmptyVector", $"Pattern '{patterns[0].PatternId}' has an empty vector.");

        // Clear keeps each array's capacity. The float column is sized, not cleared: every value is overwritten.
        _ids.Data.Clear();
        _types.Data.Clear();
        _metrics.Data.Clear();
        _temporal.Data.Clear();
        _cells.Data.Clear();
        _typeField.ValidData.Clear();
        _metricsField.ValidData.Clear();
        _temporalField.ValidData.Clear();
        int rows = patterns.Count, floats = checked(rows * dim);
        if (_floats.Data.Capacity < floats)
            _floats.Data.Capacity = floats;
        UnsafeCollectionOperations.SetCount(_floats.Data, floats);
        var target = UnsafeCollectionOperations.AsSpan(_floats.Data);
        for (var row = 0; row < rows; row++)
        {
            var pattern = patterns[row];
            if (pattern.Vector is null || pattern.Vector.Length != dim)
                throw WireFormat.Invalid("DimensionMismatch",
                    $"Pattern '{pattern.PatternId}' has {pattern.Vector?.Length ?? 0} dimensions; the batch has {dim}.");
            _ids.Data.Add(pattern.PatternId);
            AddNullable(_typeField, _types.Data, pattern.PatternType);
            AddNullable(_metricsField, _metrics.Data, pattern.CoherenceMetricsJson is { } m ? ByteString.CopyFromUtf8(m) : null);
            AddNullable(_temporalField, _temporal.Data, pattern.TemporalContextJson is { } t ? ByteString.CopyFromUtf8(t) : null);
            pattern.Vector.AsSpan().CopyTo(target.Slice(row * dim, dim));
            if (cellOf is not null) _cells.Data.Add(cellOf(pattern.Vector));
        }
        _vectors.Dim = dim;
        return new PatternColumns(cellOf is null ? _fields : _fieldsWithCells, (uint)rows);
    }

    /// <summary>One row of a nullable column: its valid_data flag, and its value only when it is not null.</summary>
    private static void AddNullable<T>(Rpc.FieldData field, RepeatedField<T> data, T? value) where T : class
    {
        field.ValidData.Add(value is not null);
        if (value is not null)
            data.Add(value);
    }
}
