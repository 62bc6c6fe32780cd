using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine;

namespace MilvusOps.Infrastructure;

/// <summary>
/// Turns what a script passes as CoherenceMetrics or TemporalContext (a hashtable, a PSCustomObject,
/// a dictionary from another pattern, or JSON text) into the JSON text a pattern stores.
/// </summary>
internal static class MetadataInput
{
    public static string? ToJson(object? value, string field, string patternId)
    {
        value = Unwrap(value);
        return value switch
        {
            null => null,
            string json => Metadata.Validate(json, field, patternId),
            IDictionary or PSObject => Metadata.Validate(Metadata.Serialize(ToPlain(value)), field, patternId),
            _ => throw new MilvusOpsException("InvalidMetadata", ErrorKind.InvalidData,
                $"Pattern '{patternId}': {field} must be a hashtable, an object or JSON text, not {value.GetType().Name}.", patternId),
        };
    }

    private static object? Unwrap(object? value) =>
        value is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : value;

    /// <summary>A value tree of dictionaries, lists and scalars that Metadata.Serialize writes.</summary>
    private static object? ToPlain(object? value)
    {
        value = Unwrap(value);
        switch (value)
        {
            case null or string or bool or DateTime or DateTimeOffset: return value;
            case IDictionary dictionary:
                var result = new Dictionary<string, object?>(dictionary.Count);
                foreach (DictionaryEntry entry in dictionary)
                    result[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? ""] = ToPlain(entry.Value);
                return result;
            case PSObject custom:
                var properties = new Dictionary<string, object?>();
                foreach (var property in custom.Properties)
                {
                    if (property.IsGettable) properties[property.Name] = ToPlain(property.Value);
                }
                return properties;
            case IEnumerable list:
                return list.Cast<object?>().Select(ToPlain).ToList();
            default: return value;
        }
    }
}
