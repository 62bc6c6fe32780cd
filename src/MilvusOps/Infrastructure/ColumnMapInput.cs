using System.Collections;
using System.Globalization;
using System.Management.Automation;
using MilvusOps.Engine.Sources.Legacy;

namespace MilvusOps.Infrastructure;

/// <summary>
/// Reads -ColumnMap: @{ pattern_id = 'uid'; vector = 'emb' } names one column per field; a JSON field
/// may instead take @{ key = 'column'; ... } or a list of columns whose names become the keys.
/// </summary>
internal static class ColumnMapInput
{
    public static ColumnMap? From(IDictionary? map)
    {
        if (map is null) return null;
        var entries = new List<KeyValuePair<string, ColumnSource>>();
        foreach (DictionaryEntry entry in map)
        {
            string field = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
            entries.Add(new(field, ToSource(field, Unwrap(entry.Value))));
        }
        return ColumnMap.FromEntries(entries);
    }

    private static ColumnSource ToSource(string field, object? value) => value switch
    {
        string column => new ColumnSource.Column(column),
        IDictionary keys => new ColumnSource.Composite(keys.Cast<DictionaryEntry>()
            .Select(k => (Convert.ToString(k.Key, CultureInfo.InvariantCulture) ?? "", Convert.ToString(Unwrap(k.Value), CultureInfo.InvariantCulture) ?? ""))
            .ToList()),
        IEnumerable columns => ColumnSource.Composite.FromColumns(columns.Cast<object?>().Select(c => Convert.ToString(Unwrap(c), CultureInfo.InvariantCulture) ?? "")),
        _ => throw new MilvusOpsException("ColumnMapInvalid", ErrorKind.InvalidArgument,
            $"-ColumnMap entry '{field}' must be a column name, a list of columns, or a hashtable of key = column.", field),
    };

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
