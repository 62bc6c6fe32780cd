using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Transfer;

namespace MilvusOps.Infrastructure;

/// <summary>
/// What the import-job commands share (Start-, Get- and Wait-MilvusImportJob): where Milvus's REST API answers, and
/// following a job to its end with progress, then checking the collection against the export set it came from.
/// </summary>
public abstract class ImportJobCmdlet : StoreObjectCmdlet
{
    /// <summary>Where Milvus's REST API answers, on the connected server's host; by default the server's own address (Milvus serves REST on the gRPC port unless proxy.http.port moves it). Binds from a piped job.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public Uri? RestUri { get; set; }

    protected Uri? Rest => RestUri is null ? null : Call(() => Engine.Stack.StackHttp.Check(RestUri, nameof(RestUri)));

    /// <summary>Writes a job with where its REST API answered, so the next command in a pipeline asks there too.</summary>
    protected void WriteJob(ImportJob job)
    {
        job.RestUri = RestUri;
        WriteStoreObject(job);
    }

    /// <summary>Follows the job until it completes or fails, or <paramref name="timeout"/> passes, then writes it: a failed
    /// job also as ImportJobFailed; a completed one with an export set is checked against it, and a failed check is also
    /// CoherenceCheckFailed.</summary>
    protected void Follow(string jobId, string? sourcePath, TimeSpan timeout, bool appended)
    {
        string activity = $"Import job {jobId}";
        ImportJob job;
        try
        {
            job = Call(() => BulkImporter.Wait(Session, jobId, Rest, timeout, seen =>
            {
                var record = new ProgressRecord(2, activity, $"{seen.State}: {seen.ImportedRows:N0} of {seen.TotalRows:N0} rows") { PercentComplete = Math.Clamp(seen.Progress, 0, 100) };
                WriteProgress(record);
            }));
        }
        catch (PipelineStoppedException stopped) when (StoppedByUser(stopped))
        {
            // The job goes on in Milvus: a stopped pipeline carries no more output, so the host is told how to find it.
            Host.UI.WriteWarningLine($"{MyInvocation.MyCommand.Name} stopped following import job {jobId}; it goes on in Milvus. Follow it with 'Wait-MilvusImportJob {jobId}'.");
            throw;
        }
        job.SourcePath = sourcePath;
        job.Appended = appended;
        if (job.IsCompleted && sourcePath is not null)
        {
            WriteProgress(new ProgressRecord(2, activity, $"Verifying every pattern of {job.Collection} against the export set"));
            job.Verification = Call(() => BulkImporter.Verify(Session, job.Collection, sourcePath, appended));
        }
        WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
        WriteJob(job);
        if (job.IsFailed)
            WriteEngineError(new MilvusOpsException("ImportJobFailed", ErrorKind.InvalidResult,
                $"Import job {job.JobId} into '{job.Collection}' failed: {job.Reason ?? "Milvus gave no reason"}. Milvus makes none of a failed job's rows visible.", job.JobId), job);
        else if (job.Verification is { Passed: false } failed)
            WriteEngineError(failed.Failure(), failed);
    }
}
