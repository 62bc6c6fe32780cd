namespace MilvusOps.Model;

/// <summary>One offending pattern in a check: which pattern, what was wrong, and the value found.</summary>
public sealed record CoherenceViolation(string PatternId, string Field, object? Value, string Detail)
{
    public override string ToString() => $"{PatternId}: {Detail}";
}

/// <summary>
/// The outcome of one verification check over a collection. <see cref="Violations"/> is capped;
/// <see cref="Failed"/> always holds the full count.
/// </summary>
public sealed class CoherenceCheckResult : StoreObject
{
    public required string Check { get; init; }
    public required string Collection { get; init; }
    public required bool Passed { get; init; }

    /// <summary>Patterns (or values) examined.</summary>
    public required long Checked { get; init; }
    public required long Failed { get; init; }
    public required string Expected { get; init; }
    public required string Actual { get; init; }
    public required string Message { get; init; }
    public required IReadOnlyList<CoherenceViolation> Violations { get; init; }

    public override string ToString() => $"{Check}: {(Passed ? "passed" : "FAILED")} - {Message}";

    /// <summary>The error a failed check writes beside its result, so that a script that stops on errors stops here.</summary>
    public MilvusOpsException Failure() =>
        new("CoherenceCheckFailed", ErrorKind.InvalidResult, $"The {Check} check failed on collection '{Collection}': {Message}", Collection);
}
