using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Session;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Builds an index on a collection's vector field, with the parameters checked as New-PatternCollection checks them; or,
/// with -TimeKey, the JSON path index that reads by time (Get-Pattern -TimeKey, Find-PatternCorrelation and the like)
/// filter through on Milvus 2.6 and later. Milvus allows one index per vector field and one per JSON path: to rebuild one,
/// release the collection (Dismount-MilvusCollection), drop the old index (Remove-MilvusIndex), build the new one, and load
/// the collection again (Mount-MilvusCollection).
/// </summary>
/// <example>
/// <code>
/// New-MilvusIndex patterns -IndexType HNSW -Metric COSINE -IndexParameter @{ M = 32; efConstruction = 256 } -Wait
/// </code>
/// <para>Builds an HNSW index on the vector field and waits until every sealed row is indexed.</para>
/// </example>
/// <example>
/// <code>
/// New-MilvusIndex alerts -TimeKey timestamp -Wait
/// </code>
/// <para>Indexes temporal_context["timestamp"] as text (INVERTED, json_cast_type VARCHAR), as index 'time_timestamp'.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MilvusIndex", SupportsShouldProcess = true, DefaultParameterSetName = VectorSet)]
[OutputType(typeof(CollectionIndex))]
public sealed class NewMilvusIndexCommand : CollectionCmdlet
{
    private const string VectorSet = "Vector", TimeSet = "Time";

    /// <summary>The index type (see New-PatternCollection -IndexType).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = VectorSet)]
    [ArgumentCompleter(typeof(IndexTypeCompleter))]
    public string IndexType { get; set; } = "";

    /// <summary>The distance metric: L2, IP or COSINE (the GPU_ index types take L2 and IP).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = VectorSet)]
    public MetricType Metric { get; set; }

    /// <summary>Build parameters, e.g. @{ M = 16; efConstruction = 200 } (see New-PatternCollection -IndexParameter).</summary>
    [Parameter(ParameterSetName = VectorSet)]
    public Hashtable? IndexParameter { get; set; }

    /// <summary>The vector field; the collection's own vector field when left out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = VectorSet)]
    public string? Field { get; set; }

    /// <summary>The key of temporal_context whose time to index (as Get-Pattern -TimeKey names it): a JSON path index that
    /// casts the value to text, as reads by time compare it. Milvus 2.6 and later.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TimeSet)]
    public string TimeKey { get; set; } = "";

    /// <summary>The index name; Milvus names a vector index after its field when left out, and a time index is time_&lt;key&gt;.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = VectorSet)]
    [Parameter(ParameterSetName = TimeSet)]   // a piped index's name is not the time index's
    public string? IndexName { get; set; }

    /// <summary>Wait until the build has finished (Ctrl+C stops the wait, not the build).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>How long -Wait waits.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; } = 600;

    protected override void ProcessRecord() =>
        TryCall(() =>
        {
            if (ParameterSetName == TimeSet)
            {
                string key = PatternTime.CheckKey(TimeKey);
                if (!ShouldProcess($"INVERTED index '{(string.IsNullOrEmpty(IndexName) ? "time_" + key : IndexName)}' on {PatternSchema.TemporalContext}[\"{key}\"] as text of '{Collection}' in {Target}", "Create index")) return;
                WriteStoreObject(WithProgress($"Building the time index on '{Collection}'", report =>
                    Session.CreateTimeIndex(Collection, key, IndexName, Wait ? TimeSpan.FromSeconds(TimeoutSec) : null, Report(report))));
                return;
            }
            var target = Session.Describe(Collection);
            var spec = PatternSession.Check(new IndexSpec(Field ?? target.VectorField ?? "", IndexType.ToUpperInvariant(), Metric,
                IndexParameter is null ? null : Metadata.Serialize(IndexParameter), IndexName), target);
            if (!ShouldProcess($"{spec.IndexType} index '{spec.Name}' ({spec.Metric}) on '{target.Name}.{spec.Field}' in {Target}", "Create index")) return;
            WriteStoreObject(WithProgress($"Building index '{spec.Name}' on '{target.Name}'", report =>
                Session.CreateIndex(Collection, spec, Wait ? TimeSpan.FromSeconds(TimeoutSec) : null, Report(report))));
        }, Collection);

    private static Action<CollectionIndex> Report(Action<string, int> report) => current =>
        report($"{current.State}: {current.IndexedRows} of {current.TotalRows} rows indexed, {current.PendingRows} pending",
            current.TotalRows > 0 ? (int)(100 * current.IndexedRows / current.TotalRows) : -1);
}
