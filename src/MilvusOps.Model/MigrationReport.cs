namespace MilvusOps.Model;

/// <summary>
/// What one import did (Import-SqlitePattern, Import-PatternCollection, Copy-PatternCollection). The counts always balance:
/// RowsRead + RowsSkipped = RowsWritten + RowsRejected (skipped rows were done by an earlier run
/// that -Resume continued; written and rejected count those runs too).
/// </summary>
public sealed class MigrationReport : StoreObject
{
    public required string Source { get; init; }
    public string? Table { get; init; }
    public string? Query { get; init; }
    public required string Collection { get; init; }

    /// <summary>The store the collection is in: its file path or server URI, as the checkpoint records it.</summary>
    public string? TargetUri { get; init; }

    /// <summary>The database in the target store (Milvus); "default" for the embedded store.</summary>
    public string? TargetDatabase { get; init; }

    /// <summary>The source-to-target mapping, as a readable document.</summary>
    public required string Mapping { get; init; }
    public required int Dimension { get; init; }
    public long RowsRead { get; init; }
    public long RowsSkipped { get; init; }
    public long RowsWritten { get; init; }
    public long RowsRejected { get; init; }

    /// <summary>Rejected rows by ErrorId.</summary>
    public required IReadOnlyDictionary<string, long> RejectReasons { get; init; }
    public string? RejectPath { get; init; }
    public string? CheckpointPath { get; init; }
    public TimeSpan Duration { get; init; }
    public double RowsPerSecond { get; init; }

    /// <summary>True when the whole source was processed (false after Ctrl+C or a stop).</summary>
    public bool Completed { get; init; }

    /// <summary>True for a -WhatIf plan: everything was read and validated, nothing written.</summary>
    public bool WhatIf { get; init; }

    /// <summary>The Fidelity check that ended the run (Copy-PatternCollection): the target against the source, every id,
    /// vector bit and JSON value; null where the command runs none (use Test-PatternCoherence -SourcePath).</summary>
    public CoherenceCheckResult? Verification { get; internal set; }

    /// <summary>What the run warned about, e.g. an unfinished checkpoint it started over from (Import-SqlitePattern also writes each as a warning).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public override string ToString() =>
        $"{Source} -> {Collection}: {RowsWritten} written, {RowsRejected} rejected{(Completed ? "" : " (incomplete)")}";
}
