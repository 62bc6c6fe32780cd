namespace MilvusOps.Model;

/// <summary>One file of an import job, as the server reports it.</summary>
/// <param name="File">The object key (or keys) the server read.</param>
/// <param name="State">The file's state, as the job's.</param>
/// <param name="Progress">Percent done.</param>
/// <param name="ImportedRows">Rows imported so far.</param>
/// <param name="TotalRows">Rows in the file, once the server has read it.</param>
/// <param name="Reason">Why it failed; empty otherwise.</param>
public sealed record ImportJobFile(string File, string State, int Progress, long ImportedRows, long TotalRows, string Reason);

/// <summary>
/// A Milvus bulk-import job: Start-MilvusImportJob starts one from an export set it uploads to the server's object
/// storage, Get-MilvusImportJob reads one or lists them, Wait-MilvusImportJob follows one to its end and checks the
/// collection against the export set. <see cref="State"/> is the server's word (Pending, PreImporting, Importing,
/// Completed, Failed); only Completed is done.
/// </summary>
public sealed class ImportJob : StoreObject
{
    public required string JobId { get; init; }
    public required string Collection { get; init; }

    /// <summary>The server's state: Pending, PreImporting, Importing, Completed or Failed.</summary>
    public required string State { get; init; }

    /// <summary>Percent done, as the server reports it.</summary>
    public int Progress { get; init; }
    public long ImportedRows { get; init; }
    public long TotalRows { get; init; }

    /// <summary>Why the job failed; null otherwise.</summary>
    public string? Reason { get; init; }

    /// <summary>When the job ended, as the server reports it; null while it runs.</summary>
    public string? CompleteTime { get; init; }

    public IReadOnlyList<ImportJobFile> Files { get; init; } = [];

    /// <summary>The export set the job imports, when this session started it or was told it (-SourcePath).</summary>
    public string? SourcePath { get; internal set; }

    /// <summary>True when the job was started with -Append: its check covers the set's patterns, not the collection's count.</summary>
    public bool Appended { get; internal set; }

    /// <summary>Where the server's REST API answered, when not at its own address (-RestUri): the next command in a pipeline asks there too.</summary>
    public Uri? RestUri { get; internal set; }

    /// <summary>The Fidelity check of the collection against <see cref="SourcePath"/>, after Wait-MilvusImportJob saw the job complete.</summary>
    public CoherenceCheckResult? Verification { get; internal set; }

    public bool IsCompleted => State == "Completed";
    public bool IsFailed => State == "Failed";

    public override string ToString() => $"import job {JobId} into {Collection}: {State} {Progress}%";
}
