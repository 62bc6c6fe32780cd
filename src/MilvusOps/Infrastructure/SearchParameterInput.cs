using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace MilvusOps.Infrastructure;

/// <summary>-SearchParameter as the engine's rules read it: names as strings, values unwrapped from PowerShell.</summary>
internal static class SearchParameterInput
{
    /// <summary>Null when not given. Hashtable values from a script can be PSObject-wrapped; the rules see the plain values.</summary>
    public static Dictionary<string, object?>? From(Hashtable? parameters) =>
        parameters?.Cast<DictionaryEntry>().ToDictionary(e => Name(e.Key), e => Unwrap(e.Value));

    public static string Name(object key) => Convert.ToString(key, CultureInfo.InvariantCulture) ?? "";

    public static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
