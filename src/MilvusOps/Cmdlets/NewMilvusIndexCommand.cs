using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Session;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Builds an index on a collection's vector field, with the parameters checked as New-PatternCollection checks them.
/// Milvus allows one index per field: to rebuild one, release the collection (Dismount-MilvusCollection), drop the old
/// index (Remove-MilvusIndex), build the new one, and load the collection again (Mount-MilvusCollection).
/// </summary>
/// <example>
/// <code>
/// New-MilvusIndex patterns -IndexType HNSW -Metric COSINE -IndexParameter @{ M = 32; efConstruction = 256 } -Wait
/// </code>
/// <para>Builds an HNSW index on the vector field and waits until every sealed row is indexed.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MilvusIndex", SupportsShouldProcess = true)]
[OutputType(typeof(CollectionIndex))]
public sealed class NewMilvusIndexCommand : CollectionCmdlet
{
    /// <summary>The index type (see New-PatternCollection -IndexType).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IndexTypeCompleter))]
    public string IndexType { get; set; } = "";

    /// <summary>The distance metric: L2, IP or COSINE (the GPU_ index types take L2 and IP).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public MetricType Metric { get; set; }

    /// <summary>Build parameters, e.g. @{ M = 16; efConstruction = 200 } (see New-PatternCollection -IndexParameter).</summary>
    [Parameter]
    public Hashtable? IndexParameter { get; set; }

    /// <summary>The vector field; the collection's own vector field when left out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Field { get; set; }

    /// <summary>The index name; Milvus names it after the field when left out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
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
            var target = Session.Describe(Collection);
            var spec = PatternSession.Check(new IndexSpec(Field ?? target.VectorField ?? "", IndexType.ToUpperInvariant(), Metric,
                IndexParameter is null ? null : Metadata.Serialize(IndexParameter), IndexName), target);
            if (!ShouldProcess($"{spec.IndexType} index '{spec.Name}' ({spec.Metric}) on '{target.Name}.{spec.Field}' in {Target}", "Create index")) return;
            var index = WithProgress($"Building index '{spec.Name}' on '{target.Name}'", report =>
                Session.CreateIndex(Collection, spec, Wait ? TimeSpan.FromSeconds(TimeoutSec) : null, current =>
                    report($"{current.State}: {current.IndexedRows} of {current.TotalRows} rows indexed, {current.PendingRows} pending",
                        current.TotalRows > 0 ? (int)(100 * current.IndexedRows / current.TotalRows) : -1)));
            WriteStoreObject(index);
        }, Collection);
}
