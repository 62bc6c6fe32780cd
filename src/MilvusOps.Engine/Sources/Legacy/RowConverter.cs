using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MilvusOps.Engine.Sources.Legacy;

public sealed partial class LegacySource
{
    /// <summary>
    /// Turns the current row of a reader into a <see cref="SourceRecord"/>. One per enumeration: it
    /// reuses a blob buffer, a text-parsing buffer and a JSON writer across rows, so a valid row
    /// allocates little beyond its pattern (the float[] and the strings it keeps).
    /// </summary>
    private sealed class RowConverter(ReadPlan plan)
    {
        private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

        private byte[] _blob = new byte[Math.Max(64, 8 * (plan.Dimension ?? 0))];
        private float[] _scratch = new float[Math.Max(64, plan.Dimension ?? 0)];
        private readonly ArrayBufferWriter<byte> _json = new(256);
        private Utf8JsonWriter? _writer;

        public SourceRecord Convert(SqliteDataReader reader, long sourceRow)
        {
            string? id = null;
            try
            {
                id = ReadId(reader, plan.Id);
                float[] vector = ReadVector(reader, plan.Vector);
                string? type = plan.Type is { } typeColumn ? ReadType(reader, typeColumn) : null;
                string? coherence = ReadJson(reader, plan.Coherence, id);
                string? temporal = ReadJson(reader, plan.Temporal, id);
                return new SourceRecord(sourceRow, new Pattern(id, vector, type, coherence, temporal) { SourceRow = sourceRow });
            }
            catch (RowRejected reject)
            {
                var decoded = Salvage(reader, id, out var undecoded);
                return new SourceRecord(sourceRow, id, reject.ErrorId, reject.Message, OriginalValues(reader), decoded, undecoded);
            }
        }

        /// <summary>
        /// The fields of a rejected row that do decode, under the names Add-Pattern binds (the ones that do
        /// not are null; their raw values are in the original values), so a fixed reject line imports as is.
        /// <paramref name="undecoded"/> names the fields that failed, which a null alone cannot tell from a NULL column.
        /// </summary>
        private Dictionary<string, object?> Salvage(SqliteDataReader reader, string? id, out List<string> undecoded)
        {
            var failed = new List<string>();
            if (id is null) failed.Add(nameof(Pattern.PatternId));
            object? OrNull(string field, Func<object?> read)
            {
                try
                {
                    return read();
                }
                catch (RowRejected)
                {
                    failed.Add(field);
                    return null;
                }
            }
            var fields = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                [nameof(Pattern.PatternId)] = id,
                [nameof(Pattern.Vector)] = OrNull(nameof(Pattern.Vector), () => ReadVector(reader, plan.Vector)),
                [nameof(Pattern.PatternType)] = plan.Type is { } type ? OrNull(nameof(Pattern.PatternType), () => ReadType(reader, type)) : null,
                [nameof(Pattern.CoherenceMetrics)] = OrNull(nameof(Pattern.CoherenceMetrics), () => ReadJson(reader, plan.Coherence, id ?? "")),
                [nameof(Pattern.TemporalContext)] = OrNull(nameof(Pattern.TemporalContext), () => ReadJson(reader, plan.Temporal, id ?? "")),
            };
            undecoded = failed;
            return fields;
        }

        private enum Storage { Null, Integer, Real, Text, Blob }

        private static Storage StorageOf(SqliteDataReader reader, int ordinal)
        {
            if (reader.IsDBNull(ordinal)) return Storage.Null;
            var type = reader.GetFieldType(ordinal);
            return type == typeof(long) ? Storage.Integer
                : type == typeof(double) ? Storage.Real
                : type == typeof(byte[]) ? Storage.Blob
                : Storage.Text;
        }

        private static string Inv(long value) => value.ToString(CultureInfo.InvariantCulture);
        private static string Inv(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>The row's id as the pattern would carry it, or null when the row would be rejected for its id.</summary>
        public static string? TryReadId(SqliteDataReader reader, SourceColumn column)
        {
            try
            {
                return ReadId(reader, column);
            }
            catch (RowRejected)
            {
                return null;
            }
        }

        private static string ReadId(SqliteDataReader reader, SourceColumn column)
        {
            int o = column.Ordinal;
            string where = $"Column '{column.Name}' ({PatternSchema.PatternId})";
            switch (StorageOf(reader, o))
            {
                case Storage.Null:
                    throw new RowRejected("MissingPatternId", $"{where} is NULL.");
                case Storage.Integer:
                    return Inv(reader.GetInt64(o));
                case Storage.Real:
                    double real = reader.GetDouble(o);
                    if (double.IsFinite(real) && Math.Floor(real) == real && Math.Abs(real) < 9.2e18)
                        return Inv((long)real);
                    throw new RowRejected("InvalidPatternId", $"{where} holds the REAL {Inv(real)}, which is not an integral number; an id must be text or an integer.");
                case Storage.Blob:
                    long length = reader.GetBytes(o, 0, null, 0, 0);
                    throw new RowRejected("InvalidPatternId", $"{where} holds a {length}-byte BLOB; an id must be text or an integer.");
                default:
                    string text = reader.GetString(o);
                    if (string.IsNullOrWhiteSpace(text))
                        throw new RowRejected("MissingPatternId", $"{where} is empty{(text.Length > 0 ? " (whitespace only)" : "")}.");
                    return text;
            }
        }

        private float[] ReadVector(SqliteDataReader reader, SourceColumn column)
        {
            int o = column.Ordinal;
            string where = $"Column '{column.Name}' ({PatternSchema.Vector})";
            int? dimension = plan.Dimension;
            switch (StorageOf(reader, o))
            {
                case Storage.Null:
                    throw new RowRejected("MissingVector", $"{where} is NULL.");
                case Storage.Blob:
                {
                    long length = reader.GetBytes(o, 0, null, 0, 0);
                    if (length == 0) throw new RowRejected("MissingVector", $"{where} is an empty BLOB.");
                    if (dimension is not { } d)
                        throw new RowRejected("VectorUndecodable", $"{where} holds a {length}-byte BLOB, but the vector dimension is unknown; pass -Dimension.");
                    bool float32 = length == 4L * d, float64 = length == 8L * d;
                    if (!float32 && !float64)
                    {
                        if (length % 4 != 0)
                            throw new RowRejected("VectorUndecodable",
                                $"{where} holds a {length}-byte BLOB, which is not a whole number of float32 or float64 values; a {d}-d vector is {4L * d} bytes (float32) or {8L * d} bytes (float64).");
                        string values = length % 8 == 0 ? $"{length / 4} float32 or {length / 8} float64 values" : $"{length / 4} float32 values";
                        throw new RowRejected("VectorDimensionMismatch",
                            $"{where} holds a {length}-byte BLOB ({values}); expected {d} values ({4L * d} bytes float32 or {8L * d} bytes float64).");
                    }
                    if (_blob.Length < length) _blob = new byte[length];
                    reader.GetBytes(o, 0, _blob, 0, (int)length);
                    var bytes = _blob.AsSpan(0, (int)length);
                    var vector = new float[d];
                    if (float32) VectorCodec.ReadFloat32(bytes, vector);
                    else VectorCodec.ReadFloat64(bytes, vector);
                    int bad = VectorCodec.FirstNonFinite(vector);
                    if (bad >= 0)
                    {
                        double original = float64 ? BitConverter.ToDouble(bytes.Slice(bad * 8, 8)) : vector[bad];
                        string note = float64 && double.IsFinite(original) ? ", which is outside the float32 range" : "";
                        throw new RowRejected("VectorNotFinite",
                            $"{where} has {Inv(original)} at element {bad} of a {(float64 ? "float64" : "float32")} BLOB{note}; vectors must be finite.");
                    }
                    return vector;
                }
                case Storage.Text:
                {
                    string text = reader.GetString(o);
                    int count = VectorCodec.ParseText(text, ref _scratch, out _, out string? problem);
                    if (count < 0)
                        throw new RowRejected("VectorUndecodable", $"{where} holds text that is not a vector ({problem}): '{VectorCodec.Abbreviate(text, 60)}'.");
                    if (count == 0) throw new RowRejected("MissingVector", $"{where} holds an empty vector: '{VectorCodec.Abbreviate(text, 20)}'.");
                    if (dimension is not { } d)
                        throw new RowRejected("VectorUndecodable", $"{where} holds a {count}-value text vector, but the vector dimension is unknown; pass -Dimension.");
                    if (count != d)
                        throw new RowRejected("VectorDimensionMismatch", $"{where} holds {count} values as text; expected {d}.");
                    var vector = _scratch.AsSpan(0, count).ToArray();
                    int bad = VectorCodec.FirstNonFinite(vector);
                    if (bad >= 0)
                        throw new RowRejected("VectorNotFinite", $"{where} has {Inv(vector[bad])} at element {bad}; vectors must be finite.");
                    return vector;
                }
                case Storage.Integer:
                    throw new RowRejected("VectorUndecodable", $"{where} holds the INTEGER {Inv(reader.GetInt64(o))}; expected a BLOB of floats or a text vector.");
                default:
                    throw new RowRejected("VectorUndecodable", $"{where} holds the REAL {Inv(reader.GetDouble(o))}; expected a BLOB of floats or a text vector.");
            }
        }

        private static string? ReadType(SqliteDataReader reader, SourceColumn column)
        {
            int o = column.Ordinal;
            return StorageOf(reader, o) switch
            {
                Storage.Null => null,
                Storage.Integer => Inv(reader.GetInt64(o)),
                Storage.Real => Inv(reader.GetDouble(o)),
                Storage.Blob => throw new RowRejected("InvalidPatternType",
                    $"Column '{column.Name}' ({PatternSchema.PatternType}) holds a BLOB; pattern_type must be text."),
                _ => reader.GetString(o),
            };
        }

        private string? ReadJson(SqliteDataReader reader, JsonPlan? json, string id)
        {
            if (json is null) return null;
            if (json.Column is { } column) return ReadJsonColumn(reader, json.Field, column, id);

            _json.ResetWrittenCount();
            if (_writer is null) _writer = new Utf8JsonWriter(_json, WriterOptions);
            else _writer.Reset(_json);
            var writer = _writer;
            bool any = false;
            writer.WriteStartObject();
            foreach (var (key, part) in json.Keys!)
            {
                int o = part.Ordinal;
                switch (StorageOf(reader, o))
                {
                    case Storage.Null:
                        continue;
                    case Storage.Integer:
                        writer.WriteNumber(key, reader.GetInt64(o));
                        break;
                    case Storage.Real:
                        double real = reader.GetDouble(o);
                        if (!double.IsFinite(real))
                            throw new RowRejected("InvalidJson", $"Column '{part.Name}' ({json.Field}.{key}) holds {Inv(real)}, which JSON cannot represent.");
                        writer.WritePropertyName(key);
                        writer.WriteRawValue(JsonNumber(real), skipInputValidation: true);
                        break;
                    case Storage.Text:
                        writer.WriteString(key, reader.GetString(o));
                        break;
                    case Storage.Blob:
                        throw new RowRejected("InvalidJson", $"Column '{part.Name}' ({json.Field}.{key}) holds a BLOB; a composite JSON field takes INTEGER, REAL or TEXT columns.");
                }
                any = true;
            }
            writer.WriteEndObject();
            writer.Flush();
            if (!any) return null;
            if (_json.WrittenCount > Metadata.MaxJsonBytes)
                throw new RowRejected("JsonTooLarge",
                    $"{json.Field} built from columns {string.Join(", ", json.Keys!.Select(k => k.Column.Name))} is {_json.WrittenCount:N0} bytes of JSON; the limit is {Metadata.MaxJsonBytes:N0}.");
            return Encoding.UTF8.GetString(_json.WrittenSpan);
        }

        // Shortest round-trip text; an integral value keeps a ".0" so it stays a JSON double.
        private static string JsonNumber(double value)
        {
            string text = Inv(value);
            return text.AsSpan().IndexOfAny('.', 'E', 'e') < 0 ? text + ".0" : text;
        }

        private static string? ReadJsonColumn(SqliteDataReader reader, string field, SourceColumn column, string id)
        {
            int o = column.Ordinal;
            string where = $"Column '{column.Name}' ({field})";
            switch (StorageOf(reader, o))
            {
                case Storage.Null:
                    return null;
                case Storage.Integer:
                    throw new RowRejected("InvalidJson", $"{where} holds the INTEGER {Inv(reader.GetInt64(o))}, not a JSON object.");
                case Storage.Real:
                    throw new RowRejected("InvalidJson", $"{where} holds the REAL {Inv(reader.GetDouble(o))}, not a JSON object.");
                case Storage.Blob:
                    throw new RowRejected("InvalidJson", $"{where} holds a BLOB, not JSON text.");
            }
            string text = reader.GetString(o);
            int bytes = Encoding.UTF8.GetByteCount(text);
            if (bytes > Metadata.MaxJsonBytes)
                throw new RowRejected("JsonTooLarge", $"{where} holds {bytes:N0} bytes of JSON; the limit is {Metadata.MaxJsonBytes:N0}.");
            try
            {
                return Metadata.Validate(text, field, id);
            }
            catch (MilvusOpsException ex)
            {
                string detail = ex.InnerException?.Message ?? ex.Message;
                throw new RowRejected(ex.ErrorId, $"{where} is not a valid JSON object ({detail}): '{VectorCodec.Abbreviate(text, 60)}'.");
            }
        }

        /// <summary>Every column of the current row, JSON-serializable: BLOBs as base64, non-finite REALs as text.</summary>
        public Dictionary<string, object?> OriginalValues(SqliteDataReader reader)
        {
            var values = new Dictionary<string, object?>(plan.Columns.Count, StringComparer.Ordinal);
            foreach (var column in plan.Columns)
            {
                string key = column.Name;
                for (int n = 2; values.ContainsKey(key); n++) key = $"{column.Name}_{n}";
                int o = column.Ordinal;
                values[key] = StorageOf(reader, o) switch
                {
                    Storage.Null => null,
                    Storage.Integer => reader.GetInt64(o),
                    Storage.Real => reader.GetDouble(o) is var real && double.IsFinite(real) ? real : Inv(real),
                    Storage.Blob => System.Convert.ToBase64String((byte[])reader.GetValue(o)),
                    _ => reader.GetString(o),
                };
            }
            return values;
        }
    }

    /// <summary>A row the reader rejects; caught per row and turned into a reject record.</summary>
    private sealed class RowRejected(string errorId, string message) : Exception(message)
    {
        public string ErrorId { get; } = errorId;
    }
}
