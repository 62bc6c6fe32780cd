namespace MilvusOps.Model;

/// <summary>One remediation Repair-MilvusCollection found needed, and whether it was done.</summary>
public sealed class RepairAction : StoreObject
{
    public required string Collection { get; init; }

    /// <summary>Reload, Flush or Compact: never anything that removes data.</summary>
    public required string Action { get; init; }

    /// <summary>What made it needed: the state, the growing rows, the deleted ratio.</summary>
    public required string Reason { get; init; }

    /// <summary>True once done; false when -WhatIf or a declined -Confirm left it undone, or it failed.</summary>
    public bool Performed { get; internal set; }

    /// <summary>What the action left: "Loaded", "compaction 451 Completed".</summary>
    public string? Result { get; internal set; }

    public override string ToString() => $"{Action} {Collection}: {Reason}";
}
