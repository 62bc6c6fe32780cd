using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// A collection's segments, for storage questions: the persistent ones (state, level, rows), or with -Loaded the ones
/// the query nodes hold (memory, index, nodes). Rows include deleted ones until a compaction purges them. Milvus only.
/// </summary>
/// <example>
/// <code>
/// Get-MilvusSegment patterns | Group-Object State
/// </code>
/// <para>How many segments are growing, sealed and flushed.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusSegment")]
[OutputType(typeof(CollectionSegment))]
public sealed class GetMilvusSegmentCommand : CollectionCmdlet
{
    /// <summary>The segments the query nodes hold in memory, instead of the persistent ones.</summary>
    [Parameter]
    public SwitchParameter Loaded { get; set; }

    protected override void ProcessRecord() =>
        TryCall(() => { foreach (var segment in Session.Segments(Collection, Loaded)) WriteStoreObject(segment); }, Collection);
}
