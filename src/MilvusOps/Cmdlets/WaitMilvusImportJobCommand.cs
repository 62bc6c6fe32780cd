using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Follows a Milvus import job, with progress, until it completes or fails, and writes its final state. A failed job is
/// also an ImportJobFailed error with the server's reason; it is never reported as done. With -SourcePath (bound from a
/// job that Start-MilvusImportJob started), a completed job's collection is checked against the export set with the
/// Fidelity check: every id, every vector bit, every JSON value, and the count.
/// </summary>
/// <example>
/// <code>
/// Start-MilvusImportJob ./exports/patterns -StorageUri http://localhost:9000 -StorageCredential $minio | Wait-MilvusImportJob
/// </code>
/// <para>Starts a job, then follows it and verifies the collection against the export set.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Wait, "MilvusImportJob")]
[OutputType(typeof(ImportJob))]
public sealed class WaitMilvusImportJobCommand : ImportJobCmdlet
{
    /// <summary>The job's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string JobId { get; set; } = "";

    /// <summary>The export set the job imports: once the job completes, the collection is checked against it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? SourcePath { get; set; }

    /// <summary>The job loads a set appended to a collection that held other patterns (bound from Start-MilvusImportJob -Append's job): the check covers the set's patterns, not the collection's count.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Appended")]
    public SwitchParameter Append { get; set; }

    /// <summary>How many seconds to follow the job before giving up the wait (ImportJobTimeout; the job goes on in Milvus).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; } = 3600;

    protected override void ProcessRecord() =>
        Follow(JobId, SourcePath is null ? null : GetUnresolvedProviderPathFromPSPath(SourcePath), TimeSpan.FromSeconds(TimeoutSec), Append);
}
