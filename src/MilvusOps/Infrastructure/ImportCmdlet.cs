using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Sources;

namespace MilvusOps.Infrastructure;

/// <summary>
/// What every command that runs the importer shares (Import-SqlitePattern, Import-PatternCollection,
/// Copy-PatternCollection, Restore-PatternBackup): the batch, rejects and resume parameters, the -WhatIf plan, the progress bar, the
/// warning when Ctrl+C stops it, and the one MigrationReport it emits.
/// </summary>
public abstract class ImportCmdlet : MilvusOpsCmdlet
{
    /// <summary>Rows per batch; batches are also cut at 8 MB, so at 512 dimensions the byte limit decides (about 3,500 rows), which keeps each Milvus upsert well under its 64 MB request limit.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = 5000;

    /// <summary>
    /// The JSON Lines file of rejected rows; the checkpoint is this path plus .checkpoint. Defaults to
    /// &lt;source&gt;.&lt;collection&gt;.&lt;target&gt;.rejects.jsonl beside the source (a legacy file or an export set's folder), where
    /// &lt;target&gt; is a short, stable hash of the store and database, so each target has its own. Refused
    /// (RejectPathInvalid) before anything is written when it names the source, the store file or its -wal/-shm/-journal
    /// files, a folder, a folder that does not exist, a file that cannot be written, or an existing file that is not this
    /// import's own: an empty file, or a rejects file of this source whose checkpoint (if any) is for this source and target.
    /// </summary>
    [Parameter]
    public string? RejectPath { get; set; }

    /// <summary>Stop with an error once more rows than this are rejected.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? MaxRejects { get; set; }

    /// <summary>
    /// Continue from the checkpoint of an earlier, interrupted run. The checkpoint must be for the same source and
    /// target (store, database, collection), or the run fails with CheckpointMismatch, naming what differs. Without
    /// -Resume, an unfinished checkpoint is replaced, with a warning.
    /// </summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Imports an opened source into <paramref name="collection"/> of <paramref name="destination"/> and writes the
    /// report. <paramref name="newCollection"/> is the collection <paramref name="create"/> makes when it is missing (null:
    /// the default schema with the source's dimension); <paramref name="defaultRejectPath"/> is the rejects file without -RejectPath; <paramref name="action"/>
    /// names the import for -WhatIf and -Confirm; <paramref name="verify"/>, when given, checks the written collection after a
    /// complete run, and a failed check is written as CoherenceCheckFailed after the report.</summary>
    protected void Import(IPatternSource source, MilvusConnection destination, string collection, CollectionSpec? newCollection,
        string defaultRejectPath, string action, Func<CoherenceCheckResult>? verify = null, bool create = false)
    {
        string rejectPath = RejectPath is null ? defaultRejectPath : GetUnresolvedProviderPathFromPSPath(RejectPath);
        bool write = ShouldProcess($"{source.Path}{(source.Table is { } part ? " " + part : "")} -> collection '{collection}' in {destination}", action);
        var options = new ImportOptions(collection, rejectPath)
        {
            BatchSize = BatchSize,
            MaxRejects = MaxRejects,
            Resume = Resume,
            CreateCollection = create,
            NewCollection = newCollection,
            WhatIf = !write,
        };
        string activity = $"Importing {System.IO.Path.GetFileName(source.Path)} into {collection}";
        ImportProgress? reached = null;
        MigrationReport report;
        try
        {
            report = Call(() => PatternImporter.Run(SessionFor(destination), source, options, progress =>
            {
                reached = progress;
                WriteProgress(Progress(activity, progress));
            }, WriteWarning));
            if (Cancellation.IsCancellationRequested) throw new PipelineStoppedException();
        }
        catch (PipelineStoppedException stopped) when (StoppedByUser(stopped))
        {
            // A stopped pipeline carries no more output: the host is the one place left to say how far the import got.
            Host.UI.WriteWarningLine(
                $"{MyInvocation.MyCommand.Name} was stopped after {reached?.RowsDone ?? 0:N0} of {reached?.TotalRows ?? 0:N0} source rows " +
                $"({reached?.RowsWritten ?? 0:N0} written, {reached?.RowsRejected ?? 0:N0} rejected); every written batch is in '{collection}'. " +
                $"Run the same command with -Resume to continue from the checkpoint {options.CheckpointPath}.");
            throw;
        }
        WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        if (report.WhatIf) WriteVerbose(report.Mapping);
        if (verify is not null && report.Completed && !report.WhatIf)
        {
            WriteProgress(new ProgressRecord(1, activity, "Verifying every pattern against the source"));
            report.Verification = Call(verify);
            WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        report.Connection = destination;
        WriteObject(report);
        if (report.Verification is { Passed: false } failed) WriteEngineError(failed.Failure(), failed);
    }

    private static ProgressRecord Progress(string activity, ImportProgress progress)
    {
        double rate = progress.RowsPerSecond;
        var record = new ProgressRecord(1, activity,
            $"{progress.RowsDone:N0} of {progress.TotalRows:N0} rows, {rate:N0} rows/s ({progress.RowsWritten:N0} written, {progress.RowsRejected:N0} rejected)");
        if (progress.TotalRows > 0)
        {
            record.PercentComplete = (int)Math.Min(100, 100 * progress.RowsDone / progress.TotalRows);
            if (rate > 0) record.SecondsRemaining = (int)Math.Max(0, (progress.TotalRows - progress.RowsDone) / rate);
        }
        return record;
    }
}
