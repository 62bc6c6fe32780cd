using System.Collections;
using System.Management.Automation;

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
            IDictionary or PSObject => Metadata.Validate(
                Metadata.Serialize(new PlainTree(field, patternId).ToPlain(value, "$", 0), field, patternId), field, patternId),
            _ => throw new MilvusOpsException("InvalidMetadata", ErrorKind.InvalidData,
                $"Pattern '{patternId}': {field} must be a hashtable, an object or JSON text, not {value.GetType().Name}.", patternId),
        };
    }

    private static object? Unwrap(object? value) =>
        value is PSObject { BaseObject: not PSCustomObject } wrapped ? wrapped.BaseObject : value;

    /// <summary>
    /// Copies a script's object graph into a value tree of dictionaries, lists and scalars that
    /// Metadata.Serialize writes. Scripts build graphs, not trees: a hashtable can hold itself, so the
    /// walk refuses a container already on its path (MetadataCycle) and one past Metadata.MaxDepth.
    /// </summary>
    private sealed class PlainTree(string field, string patternId)
    {
        private readonly HashSet<object> _path = new(ReferenceEqualityComparer.Instance);

        public object? ToPlain(object? value, string where, int depth)
        {
            // A PSCustomObject's BaseObject is shared by all of them, so the PSObject is its identity.
            object? identity = value is PSObject { BaseObject: PSCustomObject } ? value : Unwrap(value);
            value = Unwrap(value);
            if (value is null or string or bool or DateTime or DateTimeOffset || value is not (IDictionary or PSObject or IEnumerable))
                return value;
            if (!_path.Add(identity!))
                throw Metadata.Cycle(field, patternId, where);
            if (depth + 1 > Metadata.MaxDepth)
                throw Metadata.TooDeep(field, patternId);
            try
            {
                switch (value)
                {
                    case IDictionary dictionary:
                        var result = new Dictionary<string, object?>(dictionary.Count);
                        foreach (DictionaryEntry entry in dictionary)
                        {
                            string key = Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? "";
                            result[key] = ToPlain(entry.Value, $"{where}.{key}", depth + 1);
                        }
                        return result;
                    case PSObject custom:
                        var properties = new Dictionary<string, object?>();
                        foreach (var property in custom.Properties)
                        {
                            if (property.IsGettable) properties[property.Name] = ToPlain(property.Value, $"{where}.{property.Name}", depth + 1);
                        }
                        return properties;
                    default:
                        var items = new List<object?>();
                        foreach (object? item in (IEnumerable)value)
                            items.Add(ToPlain(item, $"{where}[{items.Count}]", depth + 1));
                        return items;
                }
            }
            finally
            {
                _path.Remove(identity!);
            }
        }
    }
}
