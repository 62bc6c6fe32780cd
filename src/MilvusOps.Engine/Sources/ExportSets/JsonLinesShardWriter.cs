using System.Text.Json;

namespace MilvusOps.Engine.Sources.ExportSets;

/// <summary>
/// A JSON Lines shard: one object per pattern, with the field names of the pattern schema. The vector is an array of
/// numbers written with the shortest text that reads back to the same float32 (-0 stays -0); each JSON document is
/// written as the store holds it, or null.
/// </summary>
internal sealed class JsonLinesShardWriter(Stream file) : ShardWriter
{
    private static readonly byte[] NewLine = "\n"u8.ToArray();
    private readonly Utf8JsonWriter _writer = new(file, new JsonWriterOptions { SkipValidation = false });

    public override void Write(IReadOnlyList<Pattern> batch)
    {
        foreach (var pattern in batch)
        {
            _writer.WriteStartObject();
            _writer.WriteString(PatternSchema.PatternId, pattern.PatternId);
            if (pattern.PatternType is null) _writer.WriteNull(PatternSchema.PatternType);
            else _writer.WriteString(PatternSchema.PatternType, pattern.PatternType);
            _writer.WriteStartArray(PatternSchema.Vector);
            foreach (float value in pattern.Vector.AsSpan()) _writer.WriteNumberValue(value);
            _writer.WriteEndArray();
            WriteDocument(PatternSchema.CoherenceMetrics, pattern.CoherenceMetricsJson);
            WriteDocument(PatternSchema.TemporalContext, pattern.TemporalContextJson);
            _writer.WriteEndObject();
            _writer.Flush();
            _writer.Reset();
            file.Write(NewLine);
        }
    }

    private void WriteDocument(string field, string? json)
    {
        _writer.WritePropertyName(field);
        if (json is null) _writer.WriteNullValue();
        else _writer.WriteRawValue(json);
    }

    public override void Complete() => file.Flush();

    public override void Dispose() => _writer.Dispose();
}
