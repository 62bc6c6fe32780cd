using System.Collections;
using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Deletes patterns by id (piped ids are deleted in batches) or by filter expression.</summary>
/// <example>
/// <code>
/// Find-SimilarPattern p -Id test_pattern_001 | Remove-Pattern
/// </code>
/// <para>Deletes the patterns nearest to test_pattern_001: each SearchHit binds its Collection and PatternId.</para>
/// </example>
/// <example>
/// <code>
/// Remove-Pattern correlation_patterns -Filter 'pattern_type == "temporal_drift"' -WhatIf
/// </code>
/// <para>Shows what the filter would delete without deleting anything.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "Pattern", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IdSet)]
[OutputType(typeof(void))]
public sealed class RemovePatternCommand : StoreObjectCmdlet
{
    private const string IdSet = "Id";
    private const string FilterSet = "Filter";
    private const int BatchSize = 1000;
    // Piped ids wait here per store and collection, and are deleted in batches.
    private readonly Dictionary<(MilvusConnection Store, string Collection), List<string>> _pending = [];

    /// <summary>The collection to delete from.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    /// <summary>The ids of the patterns to delete; piped ids are deleted in batches.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PatternId", "pattern_id")]
    public string[] Id { get; set; } = [];

    /// <summary>A Milvus boolean expression; every pattern matching it is deleted.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FilterSet)]
    [ArgumentCompleter(typeof(FilterFieldCompleter))]
    public string Filter { get; set; } = "";

    /// <summary>
    /// Values for the {name} placeholders of -Filter: -Filter 'pattern_type == {type}' -FilterParameter @{ type = $t }.
    /// A value is a string, a number, a bool or a list of them; it is never pasted into the text, so it needs no quoting
    /// and cannot change the expression. Milvus receives it as the request's template value; the embedded store binds it.
    /// Names are case-sensitive, as in Milvus: @{ Type = 'x' } does not fill {type}.
    /// </summary>
    [Parameter(ParameterSetName = FilterSet)]
    public Hashtable? FilterParameter { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == FilterSet)
        {
            var filter = Call(() => FilterInput.From(Filter, FilterParameter));
            long matching = Call(() => Session.Count(Collection, filter));
            if (!ShouldProcess($"{matching} patterns where {Filter} in collection '{Collection}' in {Target}", "Remove patterns")) return;
            long removed = Call(() => Session.DeleteWhere(Collection, filter));
            WriteVerbose($"Removed {removed} patterns from '{Collection}' in {Target}.");
            return;
        }
        var key = (Target, Collection);
        if (!_pending.TryGetValue(key, out var ids)) _pending[key] = ids = [];
        foreach (string id in Id)
        {
            if (ShouldProcess($"pattern '{id}' in collection '{Collection}' in {Target}", "Remove pattern")) ids.Add(id);
        }
        if (ids.Count >= BatchSize) Flush(key, ids);
    }

    protected override void EndProcessing()
    {
        foreach (var (key, ids) in _pending) Flush(key, ids);
    }

    private void Flush((MilvusConnection Store, string Collection) key, List<string> ids)
    {
        if (ids.Count == 0) return;
        long removed = Call(() => SessionFor(key.Store).Delete(key.Collection, ids));
        WriteVerbose($"Removed {removed} of {ids.Count} patterns from '{key.Collection}' in {key.Store}.");
        ids.Clear();
    }
}
