using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Transfer;

namespace MilvusOps.Infrastructure;

/// <summary>
/// What the import-job commands share (Start-, Get- and Wait-MilvusImportJob): where Milvus's REST API answers, and
/// following a job to its end with progress, then checking the collection against the export set it came from.
/// </summary>
public abstract class ImportJobCmdlet : MilvusOpsCmdlet
{
    /// <summary>Where Milvus's REST API answers; by default the connected server's own address (Milvus serves REST on the gRPC port unless proxy.http.port moves it).</summary>
    [Parameter]
    public Uri? RestUri { get; set; }

    /// <summary>How long to follow a job before giving up the wait (ImportJobTimeout; the job goes on in Milvus). Default 1 hour.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromHours(1);

    protected Uri? Rest => RestUri is null ? null : Call(() => Engine.Stack.StackHttp.Check(RestUri, nameof(RestUri)));

    /// <summary>Follows the job until it completes or fails, then writes it: a failed job also as ImportJobFailed; a
    /// completed one with an export set is checked against it, and a failed check is also CoherenceCheckFailed.</summary>
    protected void Follow(string jobId, string? sourcePath)
    {
        string activity = $"Import job {jobId}";
        var job = Call(() => BulkImporter.Wait(Session, jobId, Rest, Timeout, seen =>
        {
            var record = new ProgressRecord(2, activity, $"{seen.State}: {seen.ImportedRows:N0} of {seen.TotalRows:N0} rows") { PercentComplete = Math.Clamp(seen.Progress, 0, 100) };
            WriteProgress(record);
        }));
        job.SourcePath = sourcePath;
        if (job.IsCompleted && sourcePath is not null)
        {
            WriteProgress(new ProgressRecord(2, activity, $"Verifying every pattern of {job.Collection} against the export set"));
            job.Verification = Call(() => BulkImporter.Verify(Session, job.Collection, sourcePath));
        }
        WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
        WriteStoreObject(job);
        if (job.IsFailed)
            WriteEngineError(new MilvusOpsException("ImportJobFailed", ErrorKind.InvalidResult,
                $"Import job {job.JobId} into '{job.Collection}' failed: {job.Reason ?? "Milvus gave no reason"}. Milvus makes none of a failed job's rows visible.", job.JobId), job);
        else if (job.Verification is { Passed: false } failed)
            WriteEngineError(failed.Failure(), failed);
    }
}
