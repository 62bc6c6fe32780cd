using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Releases a collection from the query nodes (Milvus's ReleaseCollection): it frees their memory, and search and query
/// on it fail until it is loaded again (Mount-MilvusCollection). Its data stays. Milvus only.
/// </summary>
/// <example>
/// <code>
/// Dismount-MilvusCollection patterns_v1
/// </code>
/// <para>Releases the old collection after a blue-green switch.</para>
/// </example>
[Cmdlet(VerbsData.Dismount, "MilvusCollection", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CollectionLoadState))]
public sealed class DismountMilvusCollectionCommand : CollectionCmdlet
{
    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"collection '{Collection}' in {Target}: search and query on it stop until it is loaded again", "Release collection")) return;
        TryCall(() =>
        {
            Session.Release(Collection);
            WriteStoreObject(Session.GetLoadState(Collection));
        }, Collection);
    }
}
