namespace MilvusOps.Model;

/// <summary>A failed check, as an operator is told of it: in the alert log and, optionally, at a webhook.</summary>
public sealed class MilvusAlert
{
    public required DateTimeOffset Time { get; init; }

    /// <summary>Warning or Critical.</summary>
    public required HealthSeverity Severity { get; init; }
    public required string Component { get; init; }
    public required string Check { get; init; }
    public string? Status { get; init; }
    public required string Message { get; init; }

    /// <summary>What answered, or what was checked: an address, a file, a collection.</summary>
    public string? Target { get; init; }

    /// <summary>The store the check ran against.</summary>
    public string? Store { get; init; }

    /// <summary>The machine that ran the check.</summary>
    public required string Host { get; init; }

    public override string ToString() => $"{Severity} {Component} ({Check}): {Message}";
}
