using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Loads a collection into the query nodes (Milvus's LoadCollection), so it can be searched and queried, and waits until
/// it is fully loaded, with progress; Ctrl+C stops the wait (Milvus goes on loading). Milvus only.
/// </summary>
/// <example>
/// <code>
/// Mount-MilvusCollection patterns_v2 -Replicas 2
/// </code>
/// <para>Loads patterns_v2 with two in-memory replicas and returns its load state once loaded.</para>
/// </example>
[Cmdlet(VerbsData.Mount, "MilvusCollection", SupportsShouldProcess = true)]
[OutputType(typeof(CollectionLoadState))]
public sealed class MountMilvusCollectionCommand : CollectionCmdlet
{
    /// <summary>In-memory replicas; more need more query nodes.</summary>
    [Parameter]
    [ValidateRange(1, 100)]
    public int Replicas { get; set; } = 1;

    /// <summary>Start the load and return at once, without waiting for it.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>How long to wait for the load.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; } = 600;

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"collection '{Collection}' ({Replicas} replica(s)) in {Target}", "Load collection")) return;
        TryCall(() =>
        {
            var state = WithProgress($"Loading '{Collection}'", report =>
                Session.Load(Collection, Replicas, NoWait ? null : TimeSpan.FromSeconds(TimeoutSec),
                    current => report($"{current.State}: {current.Progress} %", (int)current.Progress)));
            WriteStoreObject(state);
        }, Collection);
    }
}
