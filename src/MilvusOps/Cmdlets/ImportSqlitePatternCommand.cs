using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Migrates a legacy SQLite file into a collection: streamed, validated row by row, written in
/// batches of upserts, every rejected row in a rejects file, resumable, and summarised in one
/// MigrationReport. -WhatIf reads and validates everything and reports the plan without writing.
/// </summary>
/// <example>
/// <code>
/// $plan = Import-SqlitePattern ./legacy.db current -CreateCollection -WhatIf
/// $plan.Mapping | Set-Content mapping.md
/// </code>
/// <para>Reads and checks the whole source without writing, and saves the mapping document of the plan.</para>
/// </example>
/// <example>
/// <code>
/// Import-SqlitePattern ./legacy.db current -CreateCollection -ColumnMap @{ coherence_metrics = [ordered]@{ quantum_coherence = 'qc'; quantum_stability = 'qs'; pattern_coherence = 'pc' } }
/// </code>
/// <para>Migrates the file, building coherence_metrics from three scalar columns; rejected rows go to ./legacy.current.&lt;target&gt;.rejects.jsonl (the report's RejectPath), where &lt;target&gt; is a short hash of the connected store. After an interruption, the same command with -Resume continues from the checkpoint; without -Resume the run warns that it starts over.</para>
/// </example>
[Cmdlet(VerbsData.Import, "SqlitePattern", SupportsShouldProcess = true, DefaultParameterSetName = TableSet)]
[Alias("Import-SqlitePatterns")]
[OutputType(typeof(MigrationReport))]
public sealed class ImportSqlitePatternCommand : MilvusOpsCmdlet
{
    private const string TableSet = "Table";
    private const string QuerySet = "Query";

    /// <summary>The legacy SQLite file to migrate.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "SourcePath")]
    public string Path { get; set; } = "";

    /// <summary>The collection to write to.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    /// <summary>The table to read; without it, the one table that looks like patterns.</summary>
    [Parameter(ParameterSetName = TableSet)]
    [ArgumentCompleter(typeof(LegacyTableCompleter))]
    public string? Table { get; set; }

    /// <summary>A read-only SELECT whose columns are mapped like a table's.</summary>
    [Parameter(Mandatory = true, ParameterSetName = QuerySet)]
    public string? Query { get; set; }

    /// <summary>Source columns per field, e.g. @{ pattern_id = 'uid'; vector = 'emb'; coherence_metrics = 'qc','qs' }.</summary>
    [Parameter]
    public Hashtable? ColumnMap { get; set; }

    /// <summary>The vector dimension, when inference from the data is not wanted.</summary>
    [Parameter]
    [ValidateRange(1, PatternSchema.MaxDimension)]
    public int? Dimension { get; set; }

    /// <summary>Rows per batch; batches are also cut at 8 MB, so at 512 dimensions the byte limit decides (about 3,500 rows), which keeps each Milvus upsert well under its 64 MB request limit.</summary>
    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = 5000;

    /// <summary>
    /// The JSON Lines file of rejected rows; the checkpoint is this path plus .checkpoint. Defaults to
    /// &lt;source&gt;.&lt;collection&gt;.&lt;target&gt;.rejects.jsonl beside the source, where &lt;target&gt; is a short, stable hash of
    /// the store and database, so each target has its own. Refused (RejectPathInvalid) before anything is written
    /// when it names the source, the store file or its -wal/-shm/-journal files, a folder, a folder that does not
    /// exist, a file that cannot be written, or an existing file that is not this import's own: an empty file, or
    /// a rejects file of this source whose checkpoint (if any) is for this source and target.
    /// </summary>
    [Parameter]
    public string? RejectPath { get; set; }

    /// <summary>Stop with an error once more rows than this are rejected.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long? MaxRejects { get; set; }

    /// <summary>
    /// Continue from the checkpoint of an earlier, interrupted run. The checkpoint must be for the same source
    /// (file, table or query) and target (store, database, collection), or the run fails with CheckpointMismatch,
    /// naming what differs. Without -Resume, an unfinished checkpoint is replaced, with a warning.
    /// </summary>
    [Parameter]
    public SwitchParameter Resume { get; set; }

    /// <summary>Create the collection, with the source's dimension, if it does not exist.</summary>
    [Parameter]
    public SwitchParameter CreateCollection { get; set; }

    protected override void ProcessRecord()
    {
        var sourceOptions = Call(() => LegacySourceArguments.Options(this, Path, Table, Query, ColumnMap, Dimension));
        string rejectPath = RejectPath is null
            ? ImportIdentity.DefaultRejectPath(sourceOptions.Path, Collection, Target)
            : GetUnresolvedProviderPathFromPSPath(RejectPath);
        bool write = ShouldProcess($"{sourceOptions.Path} -> collection '{Collection}' in {Target}", "Import legacy patterns");
        var options = new ImportOptions(sourceOptions, Collection, rejectPath)
        {
            BatchSize = BatchSize,
            MaxRejects = MaxRejects,
            Resume = Resume,
            CreateCollection = CreateCollection,
            WhatIf = !write,
        };
        string activity = $"Importing {System.IO.Path.GetFileName(sourceOptions.Path)} into {Collection}";
        ImportProgress? reached = null;
        MigrationReport report;
        try
        {
            report = Call(() => SqliteImporter.Run(Session, options, progress =>
            {
                reached = progress;
                WriteProgress(Progress(activity, progress));
            }, WriteWarning));
            if (Cancellation.IsCancellationRequested) throw new PipelineStoppedException();
        }
        catch (PipelineStoppedException)
        {
            // A stopped pipeline carries no more output: the host is the one place left to say how far the import got.
            Host.UI.WriteWarningLine(
                $"Import-SqlitePattern was stopped after {reached?.RowsDone ?? 0:N0} of {reached?.TotalRows ?? 0:N0} source rows " +
                $"({reached?.RowsWritten ?? 0:N0} written, {reached?.RowsRejected ?? 0:N0} rejected); every written batch is in '{Collection}'. " +
                $"Run the same command with -Resume to continue from the checkpoint {options.CheckpointPath}.");
            throw;
        }
        WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        if (report.WhatIf) WriteVerbose(report.Mapping);
        WriteStoreObject(report);
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
