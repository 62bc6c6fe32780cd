using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>The state of a compaction started by Optimize-MilvusCollection -NoWait (or another client). Milvus only.</summary>
/// <example>
/// <code>
/// Optimize-MilvusCollection patterns -NoWait | Get-MilvusCompaction
/// </code>
/// <para>Starts a compaction, then reads how far it has got.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusCompaction")]
[OutputType(typeof(CompactionJob))]
public sealed class GetMilvusCompactionCommand : StoreObjectCmdlet
{
    /// <summary>The compaction's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public long CompactionId { get; set; }

    protected override void ProcessRecord() => TryCall(() => WriteStoreObject(Session.GetCompaction(CompactionId)), CompactionId);
}
