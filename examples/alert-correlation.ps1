#Requires -Version 7.4
<#
.SYNOPSIS
    The module's own alerts as patterns: which alerts keep firing together, and what usually follows one.
.DESCRIPTION
    Loads an alert log (Send-MilvusAlert -LogPath, as examples/scheduled-check.ps1 writes it) into a collection of alert
    patterns (ConvertTo-AlertPattern), finds the alerts that occur together (Find-PatternCorrelation), and predicts what
    follows the latest firing of the first alert of the most frequent group of several alerts (Get-PatternPrediction). Without -LogPath it rehearses on the
    embedded store: three real checks fail (etcd unreachable, a store that is missing, a drifted collection), and their
    alert lines are written again over a week: etcd failing every 6 hours, the store failing 3 minutes after it in 4 of
    5 incidents, and the drift alert at unrelated times. Returns the groups and the predictions.
.EXAMPLE
    ./examples/alert-correlation.ps1
.EXAMPLE
    ./examples/alert-correlation.ps1 -LogPath /var/log/milvusops/alerts.jsonl -Store ./alerts.db -Window 00:15:00
#>
param(
    # Where the alert patterns are kept: a file path (the embedded store) or http(s)://host:port (a Milvus server).
    [string] $Store = './alert-rehearsal.db',
    # An alert log to load; without it, a rehearsal log is made beside the store.
    [string] $LogPath,
    # Alerts this close in time occur together; a follower comes within this.
    [TimeSpan] $Window = '00:10:00',
    # Alike alerts: the same alert has cosine 1, alerts that share only their component or check about 0.3 to 0.6.
    [double] $Threshold = 0.99
)
$ErrorActionPreference = 'Stop'
Import-Module ([IO.Path]::Combine($PSScriptRoot, '..', 'MilvusOps.psd1'))

if (-not $LogPath) {
    $folder = Split-Path -Parent ([IO.Path]::GetFullPath($Store))
    $LogPath = Join-Path $folder 'alert-rehearsal.jsonl'
    $real = Join-Path $folder 'alert-rehearsal-checks.jsonl'
    Remove-Item $LogPath, $real -ErrorAction Ignore

    # Three checks that really fail, each alert logged once by Send-MilvusAlert.
    $checks = Connect-Milvus (Join-Path $folder 'alert-rehearsal-checks.db') -Create -NoDefault -WarningAction SilentlyContinue
    New-PatternCollection drifted -Dimension 4 -IfNotExists -Connection $checks | Out-Null
    [pscustomobject]@{ PatternId = 'd1'; Vector = [float[]](1, 2, 3, 4)
        CoherenceMetrics = @{ quantum_coherence = 0.42; quantum_stability = 0.94; pattern_coherence = 0.93 } } | Add-Pattern drifted -Connection $checks
    Test-MilvusHealth -Connection $checks -EtcdUri http://127.0.0.1:9 -ErrorAction SilentlyContinue | Send-MilvusAlert -LogPath $real | Out-Null
    Test-MilvusHealth -Connection (Join-Path $folder 'missing-store.db') -ErrorAction SilentlyContinue 2>&1 | Send-MilvusAlert -LogPath $real | Out-Null
    Test-PatternCoherence drifted -Connection $checks -ErrorAction SilentlyContinue | Send-MilvusAlert -LogPath $real | Out-Null
    Disconnect-Milvus $checks | Out-Null
    $lines = @(Get-Content $real | ConvertFrom-Json)
    $etcd = $lines | Where-Object component -like '*etcd*' | Select-Object -First 1
    $missing = $lines | Where-Object status -eq 'StoreNotFound' | Select-Object -First 1
    $drift = $lines | Where-Object check -eq 'Threshold' | Select-Object -First 1
    if (-not ($etcd -and $missing -and $drift)) { throw "The rehearsal's checks did not all fail as planned: $($lines | ConvertTo-Json -Compress)" }

    # The same alert lines again, over a week. A line keeps its format; only its time changes.
    $start = [DateTimeOffset]::new(2026, 11, 2, 0, 0, 0, [TimeSpan]::Zero)
    $random = [Random]::new(14)
    $timeline = foreach ($incident in 0..27) {
        $at = $start.AddHours(6 * $incident).AddMinutes($random.Next(0, 30))
        @{ Line = $etcd; Time = $at }
        if ($incident % 5 -ne 4) { @{ Line = $missing; Time = $at.AddMinutes(3) } }
        @{ Line = $drift; Time = $start.AddHours(6 * $incident + 3).AddMinutes($random.Next(0, 60)) }
    }
    $timeline | Sort-Object { $_.Time } | ForEach-Object {
        $line = $_.Line | Select-Object *
        $line.time = $_.Time.ToString('o')
        $line | ConvertTo-Json -Compress
    } | Set-Content $LogPath -Encoding utf8NoBOM
}

Connect-Milvus $Store -Create | Out-Null
# 64-d COSINE: the alert vectors ConvertTo-AlertPattern makes. Loading the same log again replaces the same patterns.
New-PatternCollection alerts -Dimension 64 -Metric COSINE -IndexType FLAT -IfNotExists | Out-Null
ConvertTo-AlertPattern -LogPath $LogPath | Add-Pattern alerts

$groups = @(Find-PatternCorrelation alerts -Threshold $Threshold -Window $Window)
$groups | Format-Table Support, Count, FirstSeen, @{ n = 'Alerts'; e = { ($_.Kinds | ForEach-Object { (Get-Pattern alerts $_).TemporalContext.check }) -join ' + ' } } | Out-Host

$predictions = @()
$together = $groups | Where-Object { $_.Kinds.Count -gt 1 } | Select-Object -First 1
if ($together) {
    # The latest firing of the first alert of the most frequent group of several: what is likely to come next?
    $first = Get-Pattern alerts $together.Representative
    $latest = Find-SimilarPattern alerts -Vector $first.Vector -Top 1000 |
        Where-Object Distance -ge $Threshold | Sort-Object { $_.TemporalContext.timestamp } | Select-Object -Last 1
    $predictions = @(Get-PatternPrediction alerts -Id $latest.PatternId -Threshold $Threshold -Window $Window)
    Write-Host "After $($first.TemporalContext.check) on $($first.TemporalContext.component), within $Window :"
    $predictions | Format-Table Rank, @{ n = 'Alert'; e = { (Get-Pattern alerts $_.Follower).TemporalContext.check } }, Support, Confidence, TypicalDelay | Out-Host
}
[pscustomobject]@{ LogPath = $LogPath; Groups = $groups; Predictions = $predictions }
