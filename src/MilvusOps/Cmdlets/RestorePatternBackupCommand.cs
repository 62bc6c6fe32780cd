using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Backup;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Sources;
using MilvusOps.Engine.Sources.Collections;
using MilvusOps.Engine.Sources.ExportSets;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Restores the collections of a backup into a store (the session's, or -Destination), creating each with the schema
/// and index it had, through the importer (rejects, -Resume, progress, Ctrl+C, -WhatIf), and then checks each restored
/// collection against the backup with the Fidelity check: every id, every vector bit, every JSON value, and the count.
/// One MigrationReport per collection, with the check in Verification; a failed check is also a CoherenceCheckFailed error.
/// </summary>
/// <example>
/// <code>
/// Get-PatternBackup /var/backups/milvusops | Select-Object -First 1 | Restore-PatternBackup -Destination http://new-cluster:19530
/// </code>
/// <para>Restores the newest backup's collections into another cluster and verifies them.</para>
/// </example>
[Cmdlet(VerbsData.Restore, "PatternBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(MigrationReport))]
public sealed class RestorePatternBackupCommand : ImportCmdlet
{
    private MilvusConnection? _destination;

    /// <summary>The backup's folder.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Path { get; set; } = "";

    /// <summary>The collections to restore; without it, every collection in the backup.</summary>
    [Parameter(Position = 1)]
    public string[]? Collection { get; set; }

    /// <summary>The store to restore into: a connection from Connect-Milvus, a store path or a server URI. Without it, the session's store.</summary>
    [Parameter]
    public ConnectionParameter? Destination { get; set; }

    protected override void ProcessRecord()
    {
        var backup = Call(() => StoreBackup.Read(GetUnresolvedProviderPathFromPSPath(Path)));
        var destination = _destination ??= Destination is null ? Target : Resolve(Destination);
        var chosen = Collection ?? backup.Collections.Select(c => c.Name).ToArray();
        string folder = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        MilvusConnection? backupStore = backup.Kind == BackupKind.StoreFile
            ? Resolve(new ConnectionParameter(System.IO.Path.Combine(backup.Path, PatternBackup.StoreFileName)))
            : null;
        foreach (string name in chosen)
        {
            if (backup.Collections.FirstOrDefault(c => c.Name == name) is not { } recorded)
            {
                WriteEngineError(new MilvusOpsException("CollectionNotInBackup", ErrorKind.ObjectNotFound,
                    $"The backup '{backup.Path}' holds no collection '{name}'; it holds {string.Join(", ", backup.Collections.Select(c => c.Name))}.", name));
                continue;
            }
            Func<IPatternSource> open = backupStore is null
                ? () => ExportSetSource.Open(System.IO.Path.Combine(backup.Path, recorded.Path!))
                : () => CollectionSource.Open(SessionFor(backupStore), name);
            using var source = Call(open);
            var spec = source switch
            {
                ExportSetSource set => set.Set.ToSpec(name),
                CollectionSource collection => collection.Collection.ToSpec(name),
                _ => null,
            };
            Import(source, destination, name, spec, ImportIdentity.DefaultRestoreRejectPath(folder, backup.Name, name, destination),
                $"Restore {recorded.Rows:N0} patterns from {backup.Name}",
                () =>
                {
                    using var check = FidelityCheck.Open(SessionFor(destination), name, _ => open(), everyRow: true);
                    return check.Run();
                },
                create: true);   // a restore makes what the backup recorded; an existing collection is written into
        }
    }
}
