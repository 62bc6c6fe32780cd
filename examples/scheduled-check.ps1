#Requires -Version 7.4
<#
.SYNOPSIS
    A scheduled check of a pattern store: health (with the stack's endpoints), load state and coherence of the
    collections named, alerts to a log and a webhook, and opt-in safe remediation.
.DESCRIPTION
    Prints one line per check, appends every alert to -LogPath (JSON lines) and POSTs them to -WebhookUri.
    Exit code, as Nagios plugins use them: 0 when every check passed, 1 when the worst finding is a warning, 2 when one
    is critical, a check could not run, or the alerts could not be logged or sent. Schedulers act on the exit code; the
    log says why. This script runs every check and sends the alerts before it ends, so it sets its own exit code. A
    script that only needs to fail when a check fails needs no exit logic: under $ErrorActionPreference = 'Stop', the
    first failed check's error (CoherenceCheckFailed, HealthCheckFailed) ends it, and pwsh -File exits 1.

    cron, every 5 minutes:
      */5 * * * * pwsh -NoProfile -File /opt/milvusops/examples/scheduled-check.ps1 -Store http://localhost:19530 -ManagementUri http://localhost:9091 -Collection patterns -LogPath /var/log/milvusops/alerts.jsonl >> /var/log/milvusops/check.log 2>&1

    systemd, /etc/systemd/system/milvusops-check.service and milvusops-check.timer:
      [Service]
      Type=oneshot
      Environment=MILVUSOPS_WEBHOOK=https://hooks.example.com/services/...
      ExecStart=/usr/bin/pwsh -NoProfile -File /opt/milvusops/examples/scheduled-check.ps1 -Store http://localhost:19530 -ManagementUri http://localhost:9091 -Collection patterns -LogPath /var/log/milvusops/alerts.jsonl
      [Timer]
      OnCalendar=*:0/5
      Persistent=true
      [Install]
      WantedBy=timers.target
    then: systemctl enable --now milvusops-check.timer

    A nightly backup with the same checks, keeping the newest 7 (a logical copy: see the README's Backups):
      15 2 * * * pwsh -NoProfile -File /opt/milvusops/examples/scheduled-check.ps1 -Store http://localhost:19530 -Collection patterns -BackupPath /var/backups/milvusops -KeepBackups 7 -LogPath /var/log/milvusops/alerts.jsonl >> /var/log/milvusops/check.log 2>&1

    Windows Task Scheduler:
      schtasks /Create /TN MilvusOpsCheck /SC MINUTE /MO 5 /TR "pwsh -NoProfile -File C:\milvusops\examples\scheduled-check.ps1 -Store http://milvus:19530 -Collection patterns -LogPath C:\milvusops\alerts.jsonl"
.EXAMPLE
    ./examples/scheduled-check.ps1 -Store ./quickstart.db -Collection correlation_patterns -LogPath ./alerts.jsonl
.EXAMPLE
    ./examples/scheduled-check.ps1 -Store http://localhost:19530 -ManagementUri http://localhost:9091 -EtcdUri http://localhost:2379 -MinioUri http://localhost:9000 -Collection patterns -Remediate
#>
param(
    # The store: a file path (the embedded store) or http(s)://host:port (a Milvus server).
    [Parameter(Mandatory)] [string] $Store,
    # Collections to check for load state (Milvus) and coherence.
    [string[]] $Collection = @(),
    [uri] $ManagementUri,
    [uri] $EtcdUri,
    [uri] $MinioUri,
    # The alert log (JSON lines); without it, alerts go only to the output and the webhook.
    [string] $LogPath,
    # A webhook for alerts; the environment keeps its secret out of the command line.
    [uri] $WebhookUri = $(if ($env:MILVUSOPS_WEBHOOK) { [uri] $env:MILVUSOPS_WEBHOOK }),
    # Every coherence metric must reach this.
    [double] $Threshold = 0.90,
    # Reload released collections and compact those past -CompactDeletedRatio (Milvus only; never removes data).
    [switch] $Remediate,
    [double] $CompactDeletedRatio = 0.2,
    # After the checks, when all passed, back the store up into a new folder here (Backup-PatternStore); a failed backup is critical.
    [string] $BackupPath,
    # Keep this many backups of the store in -BackupPath and remove the older ones.
    [ValidateRange(1, 100000)] [int] $KeepBackups = 7
)
$ErrorActionPreference = 'Stop'
# The output is a log: no colour codes, even where pwsh would style a redirected stream.
$PSStyle.OutputRendering = 'PlainText'
# pwsh -File passes "a,b" as one string: names cannot hold commas, so split them.
$Collection = @($Collection -split ',' | Where-Object { $_ })
Import-Module ([IO.Path]::Combine($PSScriptRoot, '..', 'MilvusOps.psd1'))

function Write-Line([string] $text) { Write-Output ('{0:yyyy-MM-ddTHH:mm:ssZ} {1}' -f [DateTime]::UtcNow, $text) }

$results = [System.Collections.Generic.List[object]]::new()
$probes = @{}
if ($ManagementUri) { $probes.ManagementUri = $ManagementUri }
if ($EtcdUri) { $probes.EtcdUri = $EtcdUri }
if ($MinioUri) { $probes.MinioUri = $MinioUri }

# A failed check also writes an error (HealthCheckFailed, CoherenceCheckFailed), so that a plain script stops on it.
# Here every failed result becomes an alert instead, so those errors are silenced; errors that stop a check still stop it.
# Health first: an unreachable store is a failed check here, not an error, and the stack's endpoints are still probed.
$health = @(Test-MilvusHealth -Connection $Store @probes -ErrorAction SilentlyContinue -WarningAction SilentlyContinue)
$results.AddRange([object[]] $health)
$reachable = -not ($health | Where-Object Check -EQ 'Connect')

if ($reachable) {
    $connection = Connect-Milvus $Store -NoDefault
    try {
        foreach ($name in $Collection) {
            # A check that cannot run (a missing collection, a server error) is an alert of its own.
            try {
                if ($connection.Backend -eq 'Milvus') { $results.Add((Get-MilvusLoadState $name -Connection $connection)) }
                Test-PatternCoherence $name -Connection $connection -Threshold $Threshold -ErrorAction SilentlyContinue | ForEach-Object { $results.Add($_) }
            }
            catch {
                $results.Add($_)
            }
        }
        if ($Remediate -and $connection.Backend -eq 'Milvus') {
            foreach ($name in $Collection) {
                Repair-MilvusCollection $name -Connection $connection -Reload -CompactDeletedRatio $CompactDeletedRatio -Confirm:$false -ErrorAction Continue |
                    ForEach-Object { Write-Line ("REPAIR {0} {1}: {2} -> {3}" -f $_.Action, $_.Collection, $_.Reason, $(if ($_.Performed) { $_.Result } else { 'not done' })) }
            }
        }
        # No backup while a check fails: with -KeepBackups, backups of a damaged store would push out the good ones.
        $failed = @($results | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] -or ($_.PSObject.Properties['Passed'] -and -not $_.Passed) })
        if ($BackupPath -and $failed.Count) {
            Write-Line ("BACKUP skipped: {0} check(s) failed; the older backups are kept" -f $failed.Count)
        }
        elseif ($BackupPath) {
            # A backup that fails is an alert of its own; one that succeeds says what it kept and removed.
            try {
                $backup = Backup-PatternStore -Path $BackupPath -Keep $KeepBackups -Connection $connection
                Write-Line ("BACKUP {0}: {1} collection(s), {2} patterns, {3:N1} MB; removed {4} older" -f $backup.Path, $backup.Collections.Count, $backup.Rows, ($backup.Bytes / 1MB), $backup.Removed.Count)
            }
            catch {
                $results.Add($_)
            }
        }
    }
    finally {
        Disconnect-Milvus $connection | Out-Null
    }
}

foreach ($result in $results) {
    $line = switch ($result) {
        { $_ -is [System.Management.Automation.ErrorRecord] } { "ERROR {0}: {1}" -f $_.FullyQualifiedErrorId.Split(',')[0], $_.Exception.Message; break }
        { $_.PSObject.Properties['Component'] } { "{0} {1} ({2}): {3}" -f $(if ($_.Passed) { 'PASS' } else { "FAIL $($_.Severity)" }), $_.Component, $_.Check, $_.Message; break }
        { $_.PSObject.Properties['Progress'] } { "{0} {1}: {2} ({3} %)" -f $(if ($_.State -eq 'Loaded') { 'PASS' } else { 'FAIL' }), $_.Collection, $_.State, $_.Progress; break }
        default { "{0} {1} {2}: {3}" -f $(if ($_.Passed) { 'PASS' } else { 'FAIL' }), $_.Collection, $_.Check, $_.Message }
    }
    Write-Line $line
}

$alertArguments = @{}
if ($LogPath) { $alertArguments.LogPath = $LogPath }
if ($WebhookUri) { $alertArguments.WebhookUri = $WebhookUri }
# Alerts that cannot be logged or sent make the run critical: a check nobody hears of has not been run.
$alertingFailed = $false
try {
    $alerts = @($results | Send-MilvusAlert @alertArguments -ErrorAction SilentlyContinue -ErrorVariable alertErrors)
    foreach ($failure in $alertErrors) { Write-Line ("ERROR alerting: {0}" -f $failure.Exception.Message); $alertingFailed = $true }
}
catch {
    $alerts = @()
    Write-Line ("ERROR alerting: {0}" -f $_.Exception.Message)
    $alertingFailed = $true
}

$critical = @($alerts | Where-Object Severity -EQ 'Critical').Count
$warnings = $alerts.Count - $critical
Write-Line ("SUMMARY {0} checks, {1} critical, {2} warning{3}" -f $results.Count, $critical, $warnings, $(if ($alertingFailed) { ', alerting failed' }))
exit $(if ($critical -or $alertingFailed) { 2 } elseif ($warnings) { 1 } else { 0 })
