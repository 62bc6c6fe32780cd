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

    /// <summary>
    /// The deepest nesting of objects and arrays a document may have, as JSON text or as objects
    /// (System.Text.Json's default): deep enough for any real metadata, and far from a stack overflow.
    /// </summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions ParseOptions = new() { MaxDepth = MaxDepth };

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
    /// Checks that <paramref name="json"/> is a JSON object that Milvus stores as given: no larger than it
    /// accepts, nested at most <see cref="MaxDepth"/> deep, valid Unicode, and with finite numbers only.
    /// Returns it unchanged so the stored text is exactly what the caller gave. The message names the field.
    /// </summary>
    public static string? Validate(string? json, string fieldName, string patternId)
    {
        if (string.IsNullOrWhiteSpace(json)) return null;
        Utf16Text.CheckEncodable(json, fieldName, patternId);
        int bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes > MaxJsonBytes)
            throw new MilvusOpsException("JsonTooLarge", ErrorKind.InvalidData,
                $"Pattern '{Utf16Text.Printable(patternId)}': {fieldName} is {bytes} bytes of JSON; the limit is {MaxJsonBytes}.", patternId);
        // A forward-only read checks the syntax without building a document: this runs once per migrated row.
        byte[] utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(bytes);
        try
        {
            // One level of slack, so that the depth check below, with its own ErrorId, comes first.
            var reader = new Utf8JsonReader(utf8.AsSpan(0, Encoding.UTF8.GetBytes(json, utf8)), new JsonReaderOptions { MaxDepth = MaxDepth + 1 });
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                reader.Read();   // throws on anything after the value
                return null;
            }
            if (reader.TokenType != JsonTokenType.StartObject)
                throw new JsonException($"expected a JSON object but found {reader.TokenType}");
            do
                CheckToken(ref reader, fieldName, patternId);
            while (reader.Read());
        }
        catch (JsonException ex)
        {
            throw new MilvusOpsException("InvalidJson", ErrorKind.InvalidData,
                $"Pattern '{Utf16Text.Printable(patternId)}': {fieldName} is not a valid JSON object: {ex.Message}", patternId, ex);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
        }
        return json;
    }

    /// <summary>What the syntax alone does not refuse: nesting past the limit, escapes that decode to a lone surrogate, numbers past double.</summary>
    private static void CheckToken(ref Utf8JsonReader reader, string fieldName, string patternId)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject or JsonTokenType.StartArray when reader.CurrentDepth + 1 > MaxDepth:
                throw TooDeep(fieldName, patternId);
            case JsonTokenType.String or JsonTokenType.PropertyName when reader.ValueIsEscaped:
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    throw Utf16Text.Invalid(fieldName, patternId, $"a \\u escape at byte {reader.TokenStartIndex}");
                }
                break;
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out double value) || !double.IsFinite(value))
                    throw NumberOutOfRange(fieldName, patternId, Encoding.UTF8.GetString(reader.ValueSpan));
                break;
        }
    }

    public const string TooDeepId = "MetadataTooDeep";
    public const string CycleId = "MetadataCycle";
    public const string NumberOutOfRangeId = "NumberOutOfRange";

    public static MilvusOpsException TooDeep(string fieldName, string? patternId) =>
        new(TooDeepId, ErrorKind.InvalidData,
            $"{Utf16Text.Owner(patternId)}{fieldName} nests objects and arrays more than {MaxDepth} levels deep; the limit is {MaxDepth}.", patternId);

    public static MilvusOpsException Cycle(string fieldName, string? patternId, string path) =>
        new(CycleId, ErrorKind.InvalidData,
            $"{Utf16Text.Owner(patternId)}{fieldName} contains itself (at {path}), so it cannot be written as JSON.", patternId);

    public static MilvusOpsException NumberOutOfRange(string fieldName, string? patternId, string number) =>
        new(NumberOutOfRangeId, ErrorKind.InvalidData,
            $"{Utf16Text.Owner(patternId)}{fieldName} holds the number {(number.Length > 40 ? number[..40] + "…" : number)}, which is not a finite double (a JSON number past ±1.8e308 reads back as infinity).",
            patternId);

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

    /// <summary>
    /// Writes a dictionary (or any value tree of dictionaries, lists and scalars) as compact JSON.
    /// MetadataTooDeep past <see cref="MaxDepth"/> levels (a tree that contains itself ends there too);
    /// InvalidUtf8 for a lone surrogate; NumberOutOfRange for NaN or an infinity.
    /// </summary>
    public static string Serialize(object? value, string fieldName = "The document", string? patternId = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { MaxDepth = MaxDepth + 1 }))
            new TreeWriter(writer, fieldName, patternId).Write(value, 0);
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

    private readonly struct TreeWriter(Utf8JsonWriter writer, string fieldName, string? patternId)
    {
        public void Write(object? value, int depth)
        {
            switch (value)
            {
                case null: writer.WriteNullValue(); break;
                case string s: writer.WriteStringValue(Encodable(s)); break;
                case bool b: writer.WriteBooleanValue(b); break;
                case double d: writer.WriteNumberValue(Finite(d)); break;
                case float f: writer.WriteNumberValue(Finite(f)); break;
                case decimal m: writer.WriteNumberValue(m); break;
                case long or int or short or sbyte or byte or ushort or uint:
                    writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)); break;
                case ulong u: writer.WriteNumberValue(u); break;
                case DateTime t: writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
                case DateTimeOffset t: writer.WriteStringValue(t.ToString("O", CultureInfo.InvariantCulture)); break;
                case System.Collections.IDictionary dictionary:
                    Nest(depth);
                    writer.WriteStartObject();
                    foreach (System.Collections.DictionaryEntry entry in dictionary)
                    {
                        writer.WritePropertyName(Encodable(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? ""));
                        Write(entry.Value, depth + 1);
                    }
                    writer.WriteEndObject();
                    break;
                case System.Collections.IEnumerable list:
                    Nest(depth);
                    writer.WriteStartArray();
                    foreach (object? item in list) Write(item, depth + 1);
                    writer.WriteEndArray();
                    break;
                default: writer.WriteStringValue(Encodable(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "")); break;
            }
        }

        private void Nest(int depth)
        {
            if (depth + 1 > MaxDepth)
                throw TooDeep(fieldName, patternId);
        }

        // The writer would throw a bare ArgumentException for a lone surrogate.
        private string Encodable(string text)
        {
            Utf16Text.CheckEncodable(text, fieldName, patternId);
            return text;
        }

        private double Finite(double number) => double.IsFinite(number)
            ? number
            : throw NumberOutOfRange(fieldName, patternId, number.ToString(CultureInfo.InvariantCulture));
    }
}
