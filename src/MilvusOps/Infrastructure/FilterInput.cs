using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace MilvusOps.Infrastructure;

/// <summary>What -Filter and -FilterParameter make together: the expression and its placeholder values, unwrapped from PowerShell.</summary>
internal static class FilterInput
{
    /// <summary>Null for no filter. The values keep their types; the engine checks them against the placeholders.</summary>
    public static PatternFilter? From(string? filter, Hashtable? parameters) =>
        PatternFilter.From(filter, parameters?.Cast<DictionaryEntry>().ToDictionary(
            e => Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "", e => Unwrap(e.Value, depth: 0), StringComparer.Ordinal));

    // A script's values arrive PSObject-wrapped, and its lists as object[] of wrapped values. Past the depth a filter
    // may have, a list is left as it is: the engine refuses it (a list that holds itself never ends).
    private static object? Unwrap(object? value, int depth) => (value is PSObject wrapped ? wrapped.BaseObject : value) switch
    {
        string text => text,
        IDictionary dictionary => dictionary,
        IEnumerable list when depth < MaxListDepth => list.Cast<object?>().Select(item => Unwrap(item, depth + 1)).ToList(),
        var plain => plain,
    };

    private const int MaxListDepth = 128;
}
