using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Backup;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Lists the backups in a folder, newest first, as their backup.json files describe them, or describes one backup
/// folder. It reads no store.
/// </summary>
/// <example>
/// <code>
/// Get-PatternBackup /var/backups/milvusops | Select-Object -First 1
/// </code>
/// <para>The newest backup, with its time, collections and patterns.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "PatternBackup")]
[OutputType(typeof(PatternBackup))]
public sealed class GetPatternBackupCommand : EngineCmdlet
{
    /// <summary>A folder of backups, or one backup's folder.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    protected override void ProcessRecord()
    {
        var unreadable = new List<MilvusOpsException>();
        foreach (var backup in Call(() => StoreBackup.List(GetUnresolvedProviderPathFromPSPath(Path), unreadable.Add))) WriteObject(backup);
        foreach (var problem in unreadable) WriteEngineError(problem);
    }
}
