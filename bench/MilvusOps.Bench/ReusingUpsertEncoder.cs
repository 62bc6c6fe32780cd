using Google.Protobuf;
using WireFormat = MilvusOps.Engine.Milvus.WireFormat;
using Rpc = MilvusOps.Engine.Milvus.Grpc;

namespace MilvusOps.Bench;

/// <summary>
/// A measured proposal for <see cref="WireFormat.UpsertRequest"/>, kept here because the engine is not ours to
/// edit: one request per writer, refilled for each batch, so that after the first batch no column array is
/// allocated again. Each 8 MB request otherwise costs a fresh large-object float array, and with it page faults
/// and zeroing. It must write WireFormat's bytes, nullable columns included (the benchmark checks it does before
/// timing it). It needs an API beside <see cref="WireFormat.UpsertRequest"/>, and the caller must not hold a
/// request past its next call: a writer that encodes the next batch while the current one is on the wire needs
/// two of these, used in turn.
/// </summary>
internal sealed class ReusingUpsertEncoder
{
    private readonly Rpc.UpsertRequest _request = new();
    private readonly Rpc.StringArray _ids = new(), _types = new();
    private readonly Rpc.JSONArray _metrics = new(), _temporal = new();
    private readonly Rpc.FloatArray _vector = new();
    private readonly Rpc.VectorField _vectors;
    private readonly Rpc.FieldData _typeField, _metricsField, _temporalField;

    public ReusingUpsertEncoder()
    {
        _vectors = new Rpc.VectorField { FloatVector = _vector };
        _typeField = new Rpc.FieldData { FieldName = PatternSchema.PatternType, Type = Rpc.DataType.VarChar, Scalars = new() { StringData = _types } };
        _metricsField = new Rpc.FieldData { FieldName = PatternSchema.CoherenceMetrics, Type = Rpc.DataType.Json, Scalars = new() { JsonData = _metrics } };
        _temporalField = new Rpc.FieldData { FieldName = PatternSchema.TemporalContext, Type = Rpc.DataType.Json, Scalars = new() { JsonData = _temporal } };
        _request.FieldsData.Add(new Rpc.FieldData { FieldName = PatternSchema.PatternId, Type = Rpc.DataType.VarChar, Scalars = new() { StringData = _ids } });
        _request.FieldsData.Add(new Rpc.FieldData { FieldName = PatternSchema.Vector, Type = Rpc.DataType.FloatVector, Vectors = _vectors });
        _request.FieldsData.Add(_typeField);
        _request.FieldsData.Add(_metricsField);
        _request.FieldsData.Add(_temporalField);
    }

    public Rpc.UpsertRequest UpsertRequest(string collection, IReadOnlyList<Pattern> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        if (patterns.Count == 0) throw new ArgumentException("A write needs at least one pattern.", nameof(patterns));
        int rows = patterns.Count, dim = patterns[0].Vector?.Length ?? 0;
        if (dim == 0) throw new ArgumentException($"Pattern '{patterns[0].PatternId}' has an empty vector.", nameof(patterns));

        // Clear keeps each array's capacity. The float column is not cleared at all: every value is overwritten.
        _ids.Data.Clear();
        _types.Data.Clear();
        _metrics.Data.Clear();
        _temporal.Data.Clear();
        _typeField.ValidData.Clear();
        _metricsField.ValidData.Clear();
        _temporalField.ValidData.Clear();
        int floats = checked(rows * dim);
        if (_vector.Data.Capacity < floats) _vector.Data.Capacity = floats;
        UnsafeCollectionOperations.SetCount(_vector.Data, floats);
        var target = UnsafeCollectionOperations.AsSpan(_vector.Data);
        for (int row = 0; row < rows; row++)
        {
            var pattern = patterns[row];
            if (pattern.Vector is null || pattern.Vector.Length != dim)
                throw new ArgumentException($"Pattern '{pattern.PatternId}' has {pattern.Vector?.Length ?? 0} dimensions; the batch has {dim}.", nameof(patterns));
            _ids.Data.Add(pattern.PatternId);
            AddNullable(_typeField, _types.Data, pattern.PatternType);
            AddNullable(_metricsField, _metrics.Data, pattern.CoherenceMetricsJson is { } m ? ByteString.CopyFromUtf8(m) : null);
            AddNullable(_temporalField, _temporal.Data, pattern.TemporalContextJson is { } t ? ByteString.CopyFromUtf8(t) : null);
            pattern.Vector.CopyTo(target.Slice(row * dim, dim));
        }
        _vectors.Dim = dim;
        _request.CollectionName = collection;
        _request.NumRows = (uint)rows;
        return _request;
    }

    /// <summary>A nullable column as WireFormat writes it: a valid_data flag for every row, data for the non-null rows only.</summary>
    private static void AddNullable<T>(Rpc.FieldData field, Google.Protobuf.Collections.RepeatedField<T> data, T? value) where T : class
    {
        field.ValidData.Add(value is not null);
        if (value is not null) data.Add(value);
    }
}
