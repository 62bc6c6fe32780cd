using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Backup;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Restores the collections of a backup into a store (the session's, or -Destination). It first checks every file of
/// the backup against backup.json (sizes, and the SHA-256 of a store file or of each export-set shard), then makes each
/// collection with the schema and index it had and imports it through the importer (rejects, -Resume, progress, Ctrl+C,
/// -WhatIf), and checks each restored collection against the backup with the Fidelity check: every id, every vector
/// bit, every JSON value, and the count. One MigrationReport per collection, with the check in Verification; a failed
/// check is also a CoherenceCheckFailed error.
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
        var chosen = Collection ?? backup.Collections.Select(c => c.Name).ToArray();
        if (RejectPath is not null && chosen.Length > 1)
            ThrowEngineError(new MilvusOpsException("RejectPathInvalid", ErrorKind.InvalidArgument,
                $"-RejectPath names one file, and the backup '{backup.Name}' holds {chosen.Length} collections: restore one at a time with -Collection, or leave -RejectPath out for a rejects file per collection.", RejectPath));
        var destination = _destination ??= Destination is null ? Target : Resolve(Destination);
        Call(() => StoreBackup.Verify(backup, Cancellation));
        string folder = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        foreach (string name in chosen)
        {
            if (backup.Collections.All(c => c.Name != name))
            {
                WriteEngineError(new MilvusOpsException("CollectionNotInBackup", ErrorKind.ObjectNotFound,
                    $"The backup '{backup.Path}' holds no collection '{name}'; it holds {string.Join(", ", backup.Collections.Select(c => c.Name))}.", name));
                continue;
            }
            var (source, spec) = Call(() => StoreBackup.Open(backup, name, Cancellation));
            using (source)
            {
                Import(source, destination, name, spec, ImportIdentity.DefaultRestoreRejectPath(folder, backup.Name, name, destination),
                    $"Restore {source.RowCount:N0} patterns from {backup.Name}",
                    () =>
                    {
                        using var check = FidelityCheck.Open(SessionFor(destination), name, _ => StoreBackup.Open(backup, name, Cancellation).Source, everyRow: true);
                        return check.Run();
                    },
                    create: true);   // a restore makes what the backup recorded; an existing collection is written into
            }
        }
    }
}
