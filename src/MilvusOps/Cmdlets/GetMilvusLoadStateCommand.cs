using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Whether collections are loaded into the query nodes (where search and query need them), how far a load has got, and
/// the replicas and query nodes that serve them. Milvus only; the embedded store answers NotSupportedByBackend.
/// </summary>
/// <example>
/// <code>
/// Get-PatternCollection | Get-MilvusLoadState
/// </code>
/// <para>The load state of every collection.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusLoadState")]
[OutputType(typeof(CollectionLoadState))]
public sealed class GetMilvusLoadStateCommand : CollectionCmdlet
{
    protected override void ProcessRecord() => TryCall(() => WriteStoreObject(Session.GetLoadState(Collection)), Collection);
}
