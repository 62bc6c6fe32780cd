using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MilvusOps.Model;

/// <summary>
/// A JSON object as a dictionary a script can index: <c>$p.CoherenceMetrics.quantum_coherence</c>.
/// Keys match case-insensitively, as PowerShell users expect, unless the document holds two keys
/// that differ only in case; then it keeps JSON's exact matching so nothing is lost.
/// </summary>
public sealed class MetadataDictionary : Dictionary<string, object?>
{
    public MetadataDictionary(IEqualityComparer<string> comparer) : base(comparer) { }

    public override string ToString() => Metadata.Serialize(this);
}

/// <summary>Reading and writing the two JSON documents a pattern carries.</summary>
public static class Metadata
{
    /// <summary>Milvus rejects a JSON field over 65,536 bytes.</summary>
    public const int MaxJsonBytes = 65536;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = 64 };

    /// <summary>Parses a JSON object into a dictionary; null for null or empty text.</summary>
    public static MetadataDictionary? Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        using var document = JsonDocument.Parse(json, ParseOptions);
        if (document.RootElement.ValueKind == JsonValueKind.Null) return null;
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new JsonException($"Expected a JSON object but found {document.RootElement.ValueKind}.");
        return ToDictionary(document.RootElement);
    }

    /// <summary>
    /// Checks that <paramref name="json"/> is a JSON object no larger than Milvus accepts, and returns
    /// it unchanged so the stored text is exactly what the caller gave. The message names the field.
    /// </summary>
    public static string? Validate(string? json, string fieldName, string patternId)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        int bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxJsonBytes)
            throw new MilvusOpsException("JsonTooLarge", ErrorKind.InvalidData,
                $"Pattern '{patternId}': {fieldName} is {bytes} bytes of JSON; the limit is {MaxJsonBytes}.", patternId);
        // A forward-only read checks the syntax without building a document: this runs once per migrated row.
        byte[] utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            var reader = new Utf8JsonReader(utf8.AsSpan(0, Encoding.UTF8.GetBytes(json, utf8)), new JsonReaderOptions { MaxDepth = ParseOptions.MaxDepth });
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                reader.Read();   // throws on anything after the value
                return null;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException($"expected a JSON object but found {reader.TokenType}");
            reader.Skip();
            reader.Read();
        }
        catch (JsonException ex)
        {
            throw new MilvusOpsException("InvalidJson", ErrorKind.InvalidData,
                $"Pattern '{patternId}': {fieldName} is not a valid JSON object: {ex.Message}", patternId, ex);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
        }
        return json;
    }

    private static MetadataDictionary ToDictionary(JsonElement element)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool caseCollision = false;
        foreach (var property in element.EnumerateObject())
            caseCollision |= !names.Add(property.Name);
        var result = new MetadataDictionary(caseCollision ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        foreach (var property in element.EnumerateObject())
            result[property.Name] = ToValue(property.Value);
        return result;
    }

    private static object? ToValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => ToDictionary(element),
        JsonValueKind.Array => element.EnumerateArray().Select(ToValue).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out long integer) && IsIntegerLiteral(element) ? (object)integer : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // 1.0 stays a double so that a value round-trips to the same JSON type.
    private static bool IsIntegerLiteral(JsonElement element)
    {
        string raw = element.GetRawText();
        return raw.IndexOfAny(['.', 'e', 'E']) < 0;
    }

    /// <summary>Writes a dictionary (or any value tree of dictionaries, lists and scalars) as compact JSON.</summary>
    public static string Serialize(object? value)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, value);
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>
    /// Compact JSON with object keys in ordinal order, so two documents compare equal as JSON values
    /// whatever their key order or spacing. An empty object and no object are the same.
    /// </summary>
    public static string Canonical(MetadataDictionary? document) =>
        document is null || document.Count == 0 ? "" : Serialize(Sorted(document));

    private static object? Sorted(object? value) => value switch
    {
        System.Collections.IDictionary dictionary => new SortedDictionary<string, object?>(
            dictionary.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture) ?? "", k => Sorted(dictionary[k])),
            StringComparer.Ordinal),
        object?[] list => list.Select(Sorted).ToArray(),
        _ => value,
    };

    private static void Write(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case string s: writer.WriteStringValue(s); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case double d: EnsureFinite(d); writer.WriteNumberValue(d); break;
            case float f: EnsureFinite(f); writer.WriteNumberValue(f); break;
            case decimal m: writer.WriteNumberValue(m); break;
            case long or int or short or sbyte or byte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
            case ulong u: writer.WriteNumberValue(u); break;
            case DateTime t: writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case DateTimeOffset t: writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
            case System.Collections.IDictionary dictionary:
                writer.WriteStartObject();
                foreach (System.Collections.DictionaryEntry entry in dictionary)
                {
                    writer.WritePropertyName(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "");
                    Write(writer, entry.Value);
                }
                writer.WriteEndObject();
                break;
            case System.Collections.IEnumerable list:
                writer.WriteStartArray();
                foreach (object? item in list) Write(writer, item);
                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture)); break;
        }
    }

    private static void EnsureFinite(double value)
    {
        if (!double.IsFinite(value))
            throw new MilvusOpsException("InvalidJson", ErrorKind.InvalidData, $"JSON cannot hold the number {value}.", value);
    }
}
