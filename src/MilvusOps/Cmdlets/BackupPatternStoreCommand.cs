using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Backup;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Backs up a store into a new folder under -Path: the embedded store's whole file with SQLite's online backup (a
/// consistent copy while the store is in use), or one export set per collection (every collection of a Milvus database,
/// or the collections named). backup.json, written last, records the source, each collection's patterns and every file,
/// with the SHA-256 of a store file. -Keep removes the older backups of the same store once the new one is complete. A
/// logical copy of the patterns and collection definitions, not a copy of Milvus's binlogs.
/// </summary>
/// <example>
/// <code>
/// Backup-PatternStore -Path /var/backups/milvusops -Keep 7
/// </code>
/// <para>Backs up the session's store and keeps its seven newest backups in that folder.</para>
/// </example>
/// <example>
/// <code>
/// Backup-PatternStore correlation_patterns -Path ./before-2.6 -Connection http://localhost:19530
/// </code>
/// <para>Backs up one Milvus collection as an export set before an upgrade.</para>
/// </example>
[Cmdlet(VerbsData.Backup, "PatternStore", SupportsShouldProcess = true)]
[OutputType(typeof(PatternBackup))]
public sealed class BackupPatternStoreCommand : StoreObjectCmdlet
{
    /// <summary>The collections to back up, as export sets. Without it, the whole store: the embedded store's file, or every collection of the Milvus database.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string[]? Collection { get; set; }

    /// <summary>The folder that holds the backups, one folder each (named after the store and the UTC time); made if missing.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("Destination")]
    public string Path { get; set; } = "";

    /// <summary>Keep this many backups of the store in -Path, this one included, and remove older ones (only folders a backup of this store and database wrote, only the files their backup.json lists).</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int? Keep { get; set; }

    /// <summary>A collection's shard is closed once its patterns reach this many bytes before compression (default 256MB).</summary>
    [Parameter]
    [ValidateRange(1L << 20, 16L << 30)]
    public long ShardSize { get; set; } = Engine.Pipelines.Transfer.ExportOptions.DefaultShardBytes;

    private readonly List<string> _collections = [];
    private MilvusConnection? _store;

    // Collections piped in by name form one backup, of the one store they all come from.
    protected override void ProcessRecord()
    {
        var store = Target;
        if (_store is not null && !_store.IsSameStore(store))
            ThrowEngineError(new MilvusOpsException("ConnectionConflict", ErrorKind.InvalidArgument,
                $"The piped collections come from '{_store}' and '{store}'; one backup is of one store. Back each store up on its own.", store.Uri));
        _store ??= store;
        if (Collection is not null) _collections.AddRange(Collection);
    }

    protected override void EndProcessing()
    {
        var store = _store ?? Target;
        string root = GetUnresolvedProviderPathFromPSPath(Path);
        string what = _collections.Count == 0 ? "the whole store" : string.Join(", ", _collections);
        if (!ShouldProcess($"{what} of {store} -> a new folder in {root}{(Keep is { } keep ? $", keeping {keep}" : "")}", "Back up")) return;
        var options = new BackupOptions(root) { Collections = _collections.Count == 0 ? null : _collections, Keep = Keep, ShardBytes = ShardSize };
        string activity = $"Backing up {store}";
        var warnings = new List<string>();
        var backup = Call(() => StoreBackup.Run(SessionFor(store), options, step =>
        {
            var record = new ProgressRecord(1, activity, $"{step.Step}: {step.Done:N0} of {step.Total:N0}");
            if (step.Total > 0) record.PercentComplete = (int)Math.Min(100, 100 * step.Done / step.Total);
            WriteProgress(record);
        }, warnings.Add));
        WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        foreach (string warning in warnings) WriteWarning(warning);
        foreach (string removed in backup.Removed) WriteVerbose($"Removed the older backup {removed}.");
        backup.Connection = store;
        WriteObject(backup);
    }
}
