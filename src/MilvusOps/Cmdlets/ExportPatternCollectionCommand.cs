using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Writes a collection, or the patterns a filter matches, to an export set: a new folder of Parquet (or JSON Lines)
/// shards and a manifest.json with the collection's schema and index, each shard's rows, size and SHA-256, and where
/// the rows came from. The Parquet layout is the one Milvus's bulk import reads: one column per field, the vector a list
/// of float32, the JSON documents as text. A stopped or failed export removes the files it wrote.
/// </summary>
/// <example>
/// <code>
/// Export-PatternCollection correlation_patterns ./exports/correlation-2026-12-02
/// </code>
/// <para>Writes every pattern to Parquet shards of about 256 MB each, and the manifest.</para>
/// </example>
/// <example>
/// <code>
/// Get-PatternCollection | ForEach-Object { $_ | Export-PatternCollection -Path "./before-upgrade/$($_.Name)" -Format JsonLines }
/// </code>
/// <para>Keeps a portable copy of every collection before an upgrade, one export set per collection.</para>
/// </example>
[Cmdlet(VerbsData.Export, "PatternCollection", SupportsShouldProcess = true)]
[OutputType(typeof(ExportSet))]
public sealed class ExportPatternCollectionCommand : CollectionCmdlet
{
    /// <summary>The folder to write: it must not exist yet (its parent must), or be empty.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("Destination")]
    public string Path { get; set; } = "";

    /// <summary>Parquet (the default; what Milvus's bulk import reads) or JsonLines.</summary>
    [Parameter]
    public ExportFormat Format { get; set; } = ExportFormat.Parquet;

    /// <summary>Export only the patterns this Milvus boolean expression matches.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(FilterFieldCompleter))]
    public string? Filter { get; set; }

    /// <summary>Values for the {name} placeholders of -Filter, as for Get-Pattern.</summary>
    [Parameter]
    public Hashtable? FilterParameter { get; set; }

    /// <summary>A shard is closed once its patterns reach this many bytes before compression (default 256MB; 512-d patterns take about 2 KB each).</summary>
    [Parameter]
    [ValidateRange(1L << 20, 16L << 30)]
    public long ShardSize { get; set; } = ExportOptions.DefaultShardBytes;

    protected override void ProcessRecord()
    {
        string folder = GetUnresolvedProviderPathFromPSPath(Path);
        var filter = Call(() => FilterInput.From(Filter, FilterParameter));
        if (!ShouldProcess($"collection '{Collection}' in {Target} -> {folder} ({Format})", "Export patterns")) return;
        var options = new ExportOptions(Collection, folder, Format) { Filter = filter, ShardBytes = ShardSize };
        string activity = $"Exporting {Collection} to {System.IO.Path.GetFileName(folder)}";
        ExportProgress? reached = null;
        ExportSet set;
        try
        {
            set = Call(() => CollectionExporter.Run(Session, options, progress =>
            {
                reached = progress;
                var record = new ProgressRecord(1, activity,
                    $"{progress.RowsDone:N0} of {progress.TotalRows:N0} patterns, {progress.RowsPerSecond:N0} patterns/s, {progress.ShardsDone} shard(s) done");
                if (progress.TotalRows > 0) record.PercentComplete = (int)Math.Min(100, 100 * progress.RowsDone / progress.TotalRows);
                WriteProgress(record);
            }));
        }
        catch (PipelineStoppedException stopped) when (StoppedByUser(stopped))
        {
            Host.UI.WriteWarningLine($"Export-PatternCollection was stopped after {reached?.RowsDone ?? 0:N0} patterns; the files it had written to '{folder}' are removed.");
            throw;
        }
        WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        WriteStoreObject(set);
    }
}
