using System.Collections;
using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Reads patterns by id, or every pattern matching a filter (in primary-key order), or in a time range.</summary>
/// <example>
/// <code>
/// Get-Pattern correlation_patterns test_pattern_001
/// </code>
/// <para>Reads one pattern by id.</para>
/// </example>
/// <example>
/// <code>
/// Get-Pattern correlation_patterns -Filter 'coherence_metrics["quantum_coherence"] &gt;= 0.9' -Limit 100
/// </code>
/// <para>Reads the first 100 patterns, in primary-key order, whose quantum_coherence is at least 0.9.</para>
/// </example>
/// <example>
/// <code>
/// Get-Pattern correlation_patterns -TimeKey observed_at -Since 2026-11-01T00:00Z -Until 2026-11-02T00:00Z
/// </code>
/// <para>Reads the patterns observed on 1 November 2026 (UTC), in primary-key order.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "Pattern", DefaultParameterSetName = QuerySet)]
[OutputType(typeof(Pattern))]
public sealed class GetPatternCommand : StoreObjectCmdlet
{
    private const string QuerySet = "Query";
    private const string IdSet = "Id";

    /// <summary>The collection to read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    /// <summary>The ids of the patterns to read; an id that is not stored is a non-terminating PatternNotFound error.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PatternId", "pattern_id")]
    public string[] Id { get; set; } = [];

    /// <summary>A Milvus boolean expression, e.g. coherence_metrics["quantum_coherence"] >= 0.9.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    [ArgumentCompleter(typeof(FilterFieldCompleter))]
    public string? Filter { get; set; }

    /// <summary>
    /// Values for the {name} placeholders of -Filter: -Filter 'pattern_type == {type}' -FilterParameter @{ type = $t }.
    /// A value is a string, a number, a bool or a list of them; it is never pasted into the text, so it needs no quoting
    /// and cannot change the expression. Milvus receives it as the request's template value; the embedded store binds it.
    /// Names are case-sensitive, as in Milvus: @{ Type = 'x' } does not fill {type}.
    /// </summary>
    [Parameter(ParameterSetName = QuerySet)]
    public Hashtable? FilterParameter { get; set; }

    /// <summary>The most patterns a filter query returns.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    [ValidateRange(1, long.MaxValue)]
    public long? Limit { get; set; }

    /// <summary>How many matching patterns a filter query skips first (in primary-key order).</summary>
    [Parameter(ParameterSetName = QuerySet)]
    [ValidateRange(0, long.MaxValue)]
    public long Offset { get; set; }

    /// <summary>Read only patterns whose time (under -TimeKey) is this or later; an ISO-8601 string without an offset is UTC.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    [TimeInput]
    public DateTimeOffset? Since { get; set; }

    /// <summary>Read only patterns whose time (under -TimeKey) is before this; an ISO-8601 string without an offset is UTC.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    [TimeInput]
    public DateTimeOffset? Until { get; set; }

    /// <summary>
    /// The temporal_context key that holds each pattern's ISO-8601 time (default: timestamp); with it, or -Since or
    /// -Until, only patterns with a time are read. A time without an offset is UTC. A pattern whose value under the key is
    /// no such time is an UnparseableTime error, and the read goes on.
    /// </summary>
    [Parameter(ParameterSetName = QuerySet)]
    public string? TimeKey { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            var found = Call(() => Session.Get(Collection, Id)).ToDictionary(p => p.PatternId, StringComparer.Ordinal);
            foreach (string id in Id)
            {
                if (found.TryGetValue(id, out var pattern)) WriteStoreObject(pattern);
                else WriteEngineError(new MilvusOpsException("PatternNotFound", ErrorKind.ObjectNotFound,
                    $"Pattern '{id}' is not in collection '{Collection}' in {Target}.", id));
            }
            return;
        }
        var filter = Call(() => FilterInput.From(Filter, FilterParameter));
        var patterns = Since is null && Until is null && TimeKey is null
            ? Call(() => Session.Query(Collection, filter, Limit, Offset))
            : ByTime(filter);
        using var cursor = patterns.GetEnumerator();
        while (Call(cursor.MoveNext)) WriteStoreObject(cursor.Current);
    }

    private IEnumerable<Pattern> ByTime(PatternFilter? filter)
    {
        var read = Call(() => Session.ReadByTime(Collection, TimeKey ?? PatternTime.DefaultKey, Since, Until, filter,
            (pattern, problem) => WriteEngineError(TimeScopeCmdlet.Unparseable(Collection, pattern, problem)), WriteVerbose));
        var patterns = read.Select(item => item.Pattern).Skip((int)Math.Min(Offset, int.MaxValue));
        return Limit is long limit ? patterns.Take((int)Math.Min(limit, int.MaxValue)) : patterns;
    }
}
