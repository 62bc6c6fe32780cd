using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Flushes a collection (Milvus's Flush): seals its growing segments and waits until they are persisted to object
/// storage, so they can be indexed and compacted. Milvus rate-limits flushes; data is searchable before one. On the
/// embedded store every write is already durable when it commits, so there is nothing to wait for.
/// </summary>
/// <example>
/// <code>
/// Sync-MilvusCollection patterns
/// </code>
/// <para>Seals and persists what was written to 'patterns' so far.</para>
/// </example>
[Cmdlet(VerbsData.Sync, "MilvusCollection", SupportsShouldProcess = true)]
[OutputType(typeof(PatternCollection))]
public sealed class SyncMilvusCollectionCommand : CollectionCmdlet
{
    /// <summary>Return the collection once it is flushed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"collection '{Collection}' in {Target}", "Flush collection")) return;
        TryCall(() =>
        {
            Session.Flush(Collection);
            if (Target.Backend == StoreBackend.Embedded) WriteVerbose($"'{Collection}' is durable already: the embedded store commits each write to disk.");
            if (PassThru) WriteStoreObject(Session.Describe(Collection));
        }, Collection);
    }
}
