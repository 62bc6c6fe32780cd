using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using MilvusOps.Engine.Filtering;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>One search hit as the wire carries it: the primary key (a <see cref="long"/> or a <see cref="string"/>),
/// the score, and the output fields of that hit by field name.</summary>
internal sealed record WireHit(object Id, float Score, IReadOnlyDictionary<string, object?> Fields);

/// <summary>The insert/upsert columns for a batch of patterns, and the row count the request must carry.</summary>
internal sealed record PatternColumns(IReadOnlyList<Rpc.FieldData> Fields, uint NumRows);

/// <summary>
/// Pure encoders and decoders for the Milvus payloads that are not plain field copies: search vectors
/// (PlaceholderGroup), column-major pattern batches (FieldData), flattened search results, query results,
/// the pattern collection schema, and the status success rule.
/// </summary>
/// <remarks>
/// pattern_type, coherence_metrics and temporal_context are nullable fields (Milvus 2.5), so a null stays null
/// through Milvus exactly as it does in the embedded store.
/// </remarks>
internal static class WireFormat
{
    /// <summary>The placeholder tag Milvus binds the search vectors of a request to.</summary>
    public const string PlaceholderTag = "$0";

    // ---------------------------------------------------------------- search vectors

    /// <summary>The PlaceholderGroup for float32 query vectors: tag "$0", type FloatVector, one value per query
    /// holding dim x 4 bytes, little-endian IEEE-754.</summary>
    public static Rpc.PlaceholderGroup PlaceholderGroup(IReadOnlyList<float[]> queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Count == 0)
            throw Invalid("NoQueryVectors", "A search needs at least one query vector.");
        var dim = queries[0]?.Length ?? 0;
        var value = new Rpc.PlaceholderValue { Tag = PlaceholderTag, Type = Rpc.PlaceholderType.FloatVector };
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            if (query is null || query.Length == 0)
                throw Invalid("EmptyQueryVector", $"Query vector {i} is empty.");
            if (query.Length != dim)
                throw Invalid("DimensionMismatch", $"Query vector {i} has {query.Length} dimensions; query vector 0 has {dim}.");
            value.Values.Add(ByteString.CopyFrom(FloatBytes(query)));
        }
        var group = new Rpc.PlaceholderGroup();
        group.Placeholders.Add(value);
        return group;
    }

    /// <summary>The serialized PlaceholderGroup, as SearchRequest.placeholder_group carries it.</summary>
    public static byte[] PlaceholderGroupBytes(IReadOnlyList<float[]> queries) => PlaceholderGroup(queries).ToByteArray();

    /// <summary>
    /// The values of a filter's {name} placeholders, as the request's expr_template_values. The checked values are
    /// bool, long, double, string or lists of them (<see cref="ParsedFilter.TemplateValues"/>); a list takes the
    /// narrowest array Milvus reads: all bool, all int64, all double, all strings, all lists, else JSON that keeps each
    /// element's kind (so [1, 2.5] reaches Milvus as the integer and the float the check saw).
    /// </summary>
    public static void AddTemplateValues(Google.Protobuf.Collections.MapField<string, Rpc.TemplateValue> target, ParsedFilter? filter)
    {
        if (filter is null) return;
        foreach (var (name, value) in filter.TemplateValues) target.Add(name, TemplateValue(value));
    }

    private static Rpc.TemplateValue TemplateValue(object? value) => value switch
    {
        bool b => new Rpc.TemplateValue { BoolVal = b },
        long l => new Rpc.TemplateValue { Int64Val = l },
        double d => new Rpc.TemplateValue { FloatVal = d },
        string text => new Rpc.TemplateValue { StringVal = text },
        IReadOnlyList<object?> list => new Rpc.TemplateValue { ArrayVal = TemplateArray(list) },
        _ => throw new ArgumentException($"A checked template value cannot be {value?.GetType().Name ?? "null"}.", nameof(value)),
    };

    private static Rpc.TemplateArrayValue TemplateArray(IReadOnlyList<object?> list)
    {
        var array = new Rpc.TemplateArrayValue();
        if (list.Count > 0 && list.All(v => v is bool)) array.BoolData = new Rpc.BoolArray { Data = { list.Cast<bool>() } };
        else if (list.Count > 0 && list.All(v => v is long)) array.LongData = new Rpc.LongArray { Data = { list.Cast<long>() } };
        else if (list.Count > 0 && list.All(v => v is double)) array.DoubleData = new Rpc.DoubleArray { Data = { list.Cast<double>() } };
        else if (list.All(v => v is string)) array.StringData = new Rpc.StringArray { Data = { list.Cast<string>() } };
        else if (list.All(v => v is IReadOnlyList<object?>)) array.ArrayData = new Rpc.TemplateArrayValueArray { Data = { list.Select(v => TemplateArray((IReadOnlyList<object?>)v!)) } };
        else array.JsonData = new Rpc.JSONArray { Data = { list.Select(v => ByteString.CopyFromUtf8(TemplateJson(v))) } };
        return array;
    }

    // A mixed list's element as JSON text that keeps its kind: an integer stays 1, a float is written 1.0, as checked.
    private static string TemplateJson(object? value) => value switch
    {
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => FilterExpression.FormatDouble(d),
        string text => System.Text.Json.JsonSerializer.Serialize(text),
        IReadOnlyList<object?> list => "[" + string.Join(",", list.Select(TemplateJson)) + "]",
        _ => throw new ArgumentException($"A checked template value cannot be {value?.GetType().Name ?? "null"}.", nameof(value)),
    };

    /// <summary>The floats as little-endian IEEE-754 float32, bit-exact (signed zeros, subnormals, NaN payloads).</summary>
    public static byte[] FloatBytes(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * sizeof(float)), BitConverter.SingleToInt32Bits(values[i]));
        return bytes;
    }

    /// <summary>The inverse of <see cref="FloatBytes"/>.</summary>
    public static float[] FloatsFromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % sizeof(float) != 0)
            throw Malformed($"A float32 vector payload of {bytes.Length} bytes is not a multiple of 4.");
        var values = new float[bytes.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
            values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * sizeof(float))..]));
        return values;
    }

    // ---------------------------------------------------------------- pattern columns

    /// <summary>The five pattern columns for an insert or upsert, with the row count (a fresh
    /// <see cref="PatternColumnWriter"/>; a writer that sends batch after batch keeps one).</summary>
    public static PatternColumns Columns(IReadOnlyList<Pattern> patterns) => new PatternColumnWriter().Write(patterns);

    public static Rpc.InsertRequest InsertRequest(string collection, IReadOnlyList<Pattern> patterns)
    {
        var columns = Columns(patterns);
        var request = new Rpc.InsertRequest { CollectionName = collection, NumRows = columns.NumRows };
        request.FieldsData.Add(columns.Fields);
        return request;
    }

    public static Rpc.UpsertRequest UpsertRequest(string collection, IReadOnlyList<Pattern> patterns)
    {
        var columns = Columns(patterns);
        var request = new Rpc.UpsertRequest { CollectionName = collection, NumRows = columns.NumRows };
        request.FieldsData.Add(columns.Fields);
        return request;
    }

    // ---------------------------------------------------------------- columns back to rows

    /// <summary>How many rows a column holds: one per validity flag when it has them, else one per data entry.</summary>
    public static int RowCount(Rpc.FieldData field) => field.ValidData.Count > 0 ? field.ValidData.Count : DataCount(field);

    /// <summary>How many values a column's data holds (vector rows count once each).</summary>
    private static int DataCount(Rpc.FieldData field)
    {
        switch (field.FieldCase)
        {
            case Rpc.FieldData.FieldOneofCase.Vectors:
                var vectors = field.Vectors;
                if (vectors.DataCase != Rpc.VectorField.DataOneofCase.FloatVector)
                    throw Malformed($"Field '{field.FieldName}': vector data {vectors.DataCase} is not supported.");
                if (vectors.Dim <= 0)
                    throw Malformed($"Field '{field.FieldName}': the vector dimension is {vectors.Dim}.");
                var count = vectors.FloatVector.Data.Count;
                if (count % vectors.Dim != 0)
                    throw Malformed($"Field '{field.FieldName}': {count} floats are not whole rows of dimension {vectors.Dim}.");
                return (int)(count / vectors.Dim);
            case Rpc.FieldData.FieldOneofCase.Scalars:
                var s = field.Scalars;
                return s.DataCase switch
                {
                    Rpc.ScalarField.DataOneofCase.BoolData => s.BoolData.Data.Count,
                    Rpc.ScalarField.DataOneofCase.IntData => s.IntData.Data.Count,
                    Rpc.ScalarField.DataOneofCase.LongData => s.LongData.Data.Count,
                    Rpc.ScalarField.DataOneofCase.FloatData => s.FloatData.Data.Count,
                    Rpc.ScalarField.DataOneofCase.DoubleData => s.DoubleData.Data.Count,
                    Rpc.ScalarField.DataOneofCase.StringData => s.StringData.Data.Count,
                    Rpc.ScalarField.DataOneofCase.BytesData => s.BytesData.Data.Count,
                    Rpc.ScalarField.DataOneofCase.JsonData => s.JsonData.Data.Count,
                    _ => throw Malformed($"Field '{field.FieldName}': scalar data {s.DataCase} is not supported."),
                };
            default:
                throw Malformed($"Field '{field.FieldName}' carries no data.");
        }
    }

    /// <summary>The value of one row of a column: string (VarChar, and JSON as its UTF-8 text), long, int, bool,
    /// float, double, byte[], or float[] (a float vector row). Null where valid_data marks the row null.</summary>
    public static object? Value(Rpc.FieldData field, int row) => new ColumnReader(field).Value(row);

    /// <summary>Reads rows of one column, positional or compact (data for the valid rows only, as a client sends a
    /// nullable column; servers answer positionally with placeholders at null rows).</summary>
    private readonly struct ColumnReader
    {
        private readonly Rpc.FieldData _field;
        private readonly int[]? _dataIndex;

        public ColumnReader(Rpc.FieldData field)
        {
            _field = field;
            var flags = field.ValidData;
            if (flags.Count == 0 || field.FieldCase != Rpc.FieldData.FieldOneofCase.Scalars || DataCount(field) == flags.Count)
                return;
            _dataIndex = new int[flags.Count];
            for (int row = 0, next = 0; row < flags.Count; row++)
                _dataIndex[row] = flags[row] ? next++ : -1;
        }

        public object? Value(int row)
        {
            var field = _field;
            if (field.ValidData.Count > 0 && !field.ValidData[row])
                return null;
            if (field.FieldCase == Rpc.FieldData.FieldOneofCase.Vectors)
            {
                var dim = (int)field.Vectors.Dim;
                return Google.Protobuf.UnsafeCollectionOperations.AsSpan(field.Vectors.FloatVector.Data).Slice(row * dim, dim).ToArray();
            }
            var at = _dataIndex is null ? row : _dataIndex[row];
            var s = field.Scalars;
            return s.DataCase switch
            {
                Rpc.ScalarField.DataOneofCase.BoolData => s.BoolData.Data[at],
                Rpc.ScalarField.DataOneofCase.IntData => s.IntData.Data[at],
                Rpc.ScalarField.DataOneofCase.LongData => s.LongData.Data[at],
                Rpc.ScalarField.DataOneofCase.FloatData => s.FloatData.Data[at],
                Rpc.ScalarField.DataOneofCase.DoubleData => s.DoubleData.Data[at],
                Rpc.ScalarField.DataOneofCase.StringData => s.StringData.Data[at],
                Rpc.ScalarField.DataOneofCase.BytesData => s.BytesData.Data[at].ToByteArray(),
                Rpc.ScalarField.DataOneofCase.JsonData => s.JsonData.Data[at].ToStringUtf8(),
                _ => throw Malformed($"Field '{field.FieldName}': scalar data {s.DataCase} is not supported."),
            };
        }
    }

    /// <summary>Checks every column holds <paramref name="rows"/> rows, and returns a reader for each.</summary>
    private static ColumnReader[] Readers(IReadOnlyList<Rpc.FieldData> fields, int rows)
    {
        var readers = new ColumnReader[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var count = RowCount(field);
            if (count != rows)
                throw Malformed($"Field '{field.FieldName}' has {count} rows; expected {rows}.");
            if (field.ValidData.Count > 0)
            {
                var data = DataCount(field);
                var valid = field.ValidData.Count(v => v);
                if (data != rows && data != valid)
                    throw Malformed($"Field '{field.FieldName}' has {data} values for {rows} rows of which {valid} are valid.");
            }
            readers[i] = new ColumnReader(field);
        }
        return readers;
    }

    // ---------------------------------------------------------------- search results

    /// <summary>Splits flattened search results into one list of hits per query: query i takes the next topks[i]
    /// ids, scores and output-field rows.</summary>
    public static IReadOnlyList<IReadOnlyList<WireHit>> DecodeSearch(Rpc.SearchResultData? data)
    {
        if (data is null)
            return [];
        if (data.NumQueries != 0 && data.NumQueries != data.Topks.Count)
            throw Malformed($"The search result reports {data.NumQueries} queries but carries {data.Topks.Count} topks.");
        long total = 0;
        foreach (var k in data.Topks)
        {
            if (k < 0)
                throw Malformed($"The search result has a negative topk ({k}).");
            total += k;
        }
        var idCount = data.Ids?.IdFieldCase switch
        {
            Rpc.IDs.IdFieldOneofCase.IntId => data.Ids.IntId.Data.Count,
            Rpc.IDs.IdFieldOneofCase.StrId => data.Ids.StrId.Data.Count,
            _ => 0,
        };
        if (idCount != total)
            throw Malformed($"The search result has {idCount} ids for {total} hits.");
        if (data.Scores.Count != total)
            throw Malformed($"The search result has {data.Scores.Count} scores for {total} hits.");
        var fields = data.FieldsData;
        var readers = Readers(fields, (int)total);

        var queries = new List<IReadOnlyList<WireHit>>(data.Topks.Count);
        var offset = 0;
        foreach (var k in data.Topks)
        {
            var hits = new List<WireHit>((int)k);
            for (var j = 0; j < k; j++, offset++)
            {
                object id = data.Ids!.IdFieldCase == Rpc.IDs.IdFieldOneofCase.IntId
                    ? data.Ids.IntId.Data[offset]
                    : data.Ids.StrId.Data[offset];
                var values = new Dictionary<string, object?>(fields.Count, StringComparer.Ordinal);
                for (var f = 0; f < fields.Count; f++)
                    values[fields[f].FieldName] = readers[f].Value(offset);
                hits.Add(new WireHit(id, data.Scores[offset], values));
            }
            queries.Add(hits);
        }
        return queries;
    }

    // ---------------------------------------------------------------- query results

    /// <summary>The patterns a query returned: one per row of the columns, read through <paramref name="mapping"/> (the
    /// pattern schema's by default). The primary key is required; a missing vector column gives empty vectors and
    /// missing metadata columns give nulls.</summary>
    public static IReadOnlyList<Pattern> DecodePatterns(IReadOnlyList<Rpc.FieldData> fields, string? collection = null, PatternMapping? mapping = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        if (fields.Count == 0)
            return [];
        mapping ??= PatternMapping.Pattern;
        var idColumn = fields.FirstOrDefault(f => f.FieldName == mapping.IdField)
            ?? throw Malformed($"The query result has no '{mapping.IdField}' column.");
        var rows = RowCount(idColumn);
        var readers = Readers(fields, rows);
        int Column(string name)
        {
            for (var i = fields.Count - 1; i >= 0; i--)
                if (fields[i].FieldName == name)
                    return i;
            return -1;
        }
        int id = Column(mapping.IdField), vector = mapping.Vector is { } v ? Column(v.Name) : -1, type = Column(PatternSchema.PatternType),
            metrics = Column(PatternSchema.CoherenceMetrics), temporal = Column(PatternSchema.TemporalContext);
        object? Cell(int column, int row) => column < 0 ? null : readers[column].Value(row);

        var patterns = new Pattern[rows];
        for (var row = 0; row < rows; row++)
        {
            var patternId = Cell(id, row) switch
            {
                string text => text,
                long number when mapping.IntegerIds => PatternMapping.IdText(number),
                _ => throw Malformed($"Row {row}: '{mapping.IdField}' is not a {(mapping.IntegerIds ? "64-bit integer" : "string")}."),
            };
            var values = vector < 0 ? [] : Cell(vector, row) as float[]
                ?? throw Malformed($"Row {row}: '{mapping.Vector!.Name}' is not a float vector.");
            patterns[row] = new Pattern(patternId, values, Cell(type, row) as string,
                Cell(metrics, row) as string, Cell(temporal, row) as string, collection);
        }
        return patterns;
    }

    public static IReadOnlyList<Pattern> DecodePatterns(Rpc.QueryResults results, string? collection = null) =>
        DecodePatterns(results.FieldsData, collection);

    // ---------------------------------------------------------------- status

    /// <summary>
    /// The success rule: a call succeeded only when <c>code == 0</c> and <c>error_code == 0</c> (2.2 servers send only
    /// the legacy error_code). <c>Code</c> is the status code, or the legacy error_code where the server sent no code;
    /// <c>Retriable</c> is the server's flag, or for a legacy-only failure whether it is a rate limit or not-ready.
    /// An absent status reads as success: every field of an unset status is its default.
    /// </summary>
    public static (bool Ok, int Code, string Reason, bool Retriable) Check(Rpc.Status? status)
    {
        if (status is null)
            return (true, 0, string.Empty, false);
        var legacy = status.ErrorCode;
        var ok = status.Code == 0 && legacy == Rpc.ErrorCode.Success;
        if (ok)
            return (true, 0, status.Reason, false);
        if (status.Code != 0)
            return (false, status.Code, status.Reason, status.Retriable);
        var retriable = status.Retriable || legacy is Rpc.ErrorCode.RateLimit or Rpc.ErrorCode.NotReadyServe
            or Rpc.ErrorCode.NotReadyCoordActivating;
        return (false, (int)legacy, status.Reason, retriable);
    }

    // ---------------------------------------------------------------- schema

    /// <summary>The pattern collection schema: pattern_id VarChar primary key (max_length), vector FloatVector (dim),
    /// pattern_type VarChar (max_length), coherence_metrics and temporal_context JSON, and for a partitioned collection
    /// cell Int64, its partition key. No auto id, no dynamic field.</summary>
    public static Rpc.CollectionSchema Schema(CollectionSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var schema = new Rpc.CollectionSchema { Name = spec.Name, Description = spec.Description ?? string.Empty };
        foreach (var field in PatternSchema.Fields(spec))
        {
            var wire = new Rpc.FieldSchema
            {
                Name = field.Name,
                DataType = ToWire(field.DataType),
                IsPrimaryKey = field.IsPrimaryKey,
                Nullable = field.Nullable,
                IsPartitionKey = field.IsPartitionKey,
            };
            if (field.Dimension is int dim)
                wire.TypeParams.Add(new Rpc.KeyValuePair { Key = "dim", Value = dim.ToString(CultureInfo.InvariantCulture) });
            if (field.MaxLength is int max)
                wire.TypeParams.Add(new Rpc.KeyValuePair { Key = "max_length", Value = max.ToString(CultureInfo.InvariantCulture) });
            schema.Fields.Add(wire);
        }
        return schema;
    }

    /// <summary>The serialized schema, as CreateCollectionRequest.schema carries it.</summary>
    public static byte[] SchemaBytes(CollectionSpec spec) => Schema(spec).ToByteArray();

    /// <summary>The model's view of a wire schema (the inverse of <see cref="Schema"/> for its fields).</summary>
    public static IReadOnlyList<FieldSchema> ModelFields(Rpc.CollectionSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var fields = new List<FieldSchema>(schema.Fields.Count);
        foreach (var field in schema.Fields)
        {
            int? Param(string key)
            {
                foreach (var kv in field.TypeParams)
                    if (kv.Key == key)
                        return int.TryParse(kv.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n
                            : throw Malformed($"Field '{field.Name}': type parameter {key}='{kv.Value}' is not an integer.");
                return null;
            }
            fields.Add(new FieldSchema(field.Name, FromWire(field.DataType), field.IsPrimaryKey,
                MaxLength: Param("max_length"), Dimension: Param("dim"), Nullable: field.Nullable, IsPartitionKey: field.IsPartitionKey));
        }
        return fields;
    }

    private static Rpc.DataType ToWire(string dataType) => dataType switch
    {
        "VarChar" => Rpc.DataType.VarChar,
        "FloatVector" => Rpc.DataType.FloatVector,
        "JSON" => Rpc.DataType.Json,
        "Int64" => Rpc.DataType.Int64,
        "Bool" => Rpc.DataType.Bool,
        _ => throw Invalid("UnsupportedDataType", $"Data type '{dataType}' has no wire mapping."),
    };

    private static string FromWire(Rpc.DataType dataType) => dataType switch
    {
        Rpc.DataType.VarChar => "VarChar",
        Rpc.DataType.FloatVector => "FloatVector",
        Rpc.DataType.Json => "JSON",
        Rpc.DataType.Int64 => "Int64",
        Rpc.DataType.Bool => "Bool",
        _ => dataType.ToString(),
    };

    internal static MilvusOpsException Invalid(string errorId, string message) =>
        new(errorId, ErrorKind.InvalidArgument, message);

    private static MilvusOpsException Malformed(string message) =>
        new("MilvusResponseMalformed", ErrorKind.InvalidData, message);
}
