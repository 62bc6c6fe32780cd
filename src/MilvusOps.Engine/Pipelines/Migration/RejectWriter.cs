using System.Text;
using System.Text.Json;

namespace MilvusOps.Engine.Pipelines.Migration;

/// <summary>
/// The rejects file: one JSON object per line with the source row (the rowid to fix in the source), the
/// ErrorId, the reason, the pattern fields that decoded (PatternId, Vector, PatternType, CoherenceMetrics,
/// TemporalContext: Add-Pattern's parameter names, null where a field did not decode) and the row's
/// original column values; <see cref="RejectLine.UndecodedProperty"/> names the fields that are null because
/// they failed to decode, and <see cref="RejectLine.SourceProperty"/> the source, so the file is recognized as
/// this import's own (<see cref="RejectFile"/>). Either fix the rows in the source and import again (writes are
/// upserts, so nothing is duplicated), or fix the lines, remove their ErrorId and pipe them in: ConvertFrom-Json | Add-Pattern.
/// </summary>
internal sealed class RejectWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly Utf8JsonWriter _json;
    private readonly string _source;

    /// <summary>Opens the file, keeping its first <paramref name="keepBytes"/> bytes (what a checkpoint vouches for).</summary>
    public RejectWriter(string path, long keepBytes, string source)
    {
        Path = path;
        _source = source;
        _stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
        _stream.SetLength(Math.Min(keepBytes, _stream.Length));
        _stream.Seek(0, SeekOrigin.End);
        _json = new Utf8JsonWriter(_stream, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    public string Path { get; }
    public long Length => _stream.Length;

    public void Write(Rejection rejection)
    {
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteNumber(RejectLine.SourceRowProperty, rejection.SourceRow);
        _json.WriteString(nameof(Pattern.PatternId), rejection.PatternId);
        _json.WriteString(RejectLine.ErrorIdProperty, rejection.ErrorId);
        _json.WriteString(RejectLine.ReasonProperty, rejection.Reason);
        _json.WriteStartArray(RejectLine.UndecodedProperty);
        foreach (string field in rejection.Undecoded) _json.WriteStringValue(field);
        _json.WriteEndArray();
        foreach (var (field, value) in rejection.Fields)
        {
            if (field == nameof(Pattern.PatternId)) continue;
            _json.WritePropertyName(field);
            WriteValue(value);
        }
        _json.WritePropertyName("Values");
        _json.WriteStartObject();
        foreach (var (column, value) in rejection.Values)
        {
            _json.WritePropertyName(column);
            WriteValue(value);
        }
        _json.WriteEndObject();
        _json.WriteString(RejectLine.SourceProperty, _source);
        _json.WriteEndObject();
        _json.Flush();
        _stream.WriteByte((byte)'\n');
    }

    private long _durableLength = -1;

    /// <summary>Makes the lines written so far durable before a checkpoint names their length.</summary>
    public void Commit()
    {
        if (_stream.Length == _durableLength) return;   // nothing new: no fsync for a batch without rejects
        _stream.Flush(flushToDisk: true);
        _durableLength = _stream.Length;
    }

    private void WriteValue(object? value)
    {
        switch (value)
        {
            case null or DBNull: _json.WriteNullValue(); break;
            case long l: _json.WriteNumberValue(l); break;
            case double d when double.IsFinite(d): _json.WriteNumberValue(d); break;
            case double d: _json.WriteStringValue(d.ToString(System.Globalization.CultureInfo.InvariantCulture)); break;
            case byte[] bytes: _json.WriteStringValue(Convert.ToBase64String(bytes)); break;
            case float[] vector:
                _json.WriteStartArray();
                foreach (float f in vector) _json.WriteNumberValue(f);
                _json.WriteEndArray();
                break;
            default: _json.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
    }

    public void Dispose()
    {
        _json.Dispose();
        _stream.Dispose();
    }
}

/// <summary>A source row that was not written, why, its decoded pattern fields (and those that failed) and its original values.</summary>
internal sealed record Rejection(long SourceRow, string? PatternId, string ErrorId, string Reason,
    IReadOnlyDictionary<string, object?> Fields, IReadOnlyList<string> Undecoded, IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>A rejected row's fields keyed by Add-Pattern's parameter names.</summary>
    public static IReadOnlyDictionary<string, object?> FieldsOf(Pattern pattern) => new Dictionary<string, object?>(StringComparer.Ordinal)
    {
        [nameof(Pattern.PatternId)] = pattern.PatternId,
        [nameof(Pattern.Vector)] = pattern.Vector.Values,
        [nameof(Pattern.PatternType)] = pattern.PatternType,
        [nameof(Pattern.CoherenceMetrics)] = pattern.CoherenceMetricsJson,
        [nameof(Pattern.TemporalContext)] = pattern.TemporalContextJson,
    };
}
