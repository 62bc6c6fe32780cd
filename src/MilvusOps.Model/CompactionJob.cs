namespace MilvusOps.Model;

/// <summary>A compaction a server runs in the background, and how far its plans have got.</summary>
public sealed class CompactionJob : StoreObject
{
    public required long CompactionId { get; init; }

    /// <summary>The collection it compacts, where known (GetCompactionState does not say).</summary>
    public string? Collection { get; internal set; }

    /// <summary>Executing, Completed, or <see cref="NothingToCompact"/> when the server planned no work.</summary>
    public required string State { get; init; }
    public long ExecutingPlans { get; init; }
    public long CompletedPlans { get; init; }
    public long FailedPlans { get; init; }
    public long TimedOutPlans { get; init; }

    /// <summary>The state of a compaction for which the server found nothing to do (Milvus answers id -1 and no plans).</summary>
    public const string NothingToCompact = "NothingToCompact";

    public override string ToString() => $"compaction {CompactionId}: {State}";
}
