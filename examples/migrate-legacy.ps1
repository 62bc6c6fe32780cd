#Requires -Version 7.4
<#
.SYNOPSIS
    The migration runbook: plan (-WhatIf), import, verify, then report and show the rejects.
.DESCRIPTION
    Moves the patterns of a legacy SQLite file into a collection. Safe to re-run: writes are upserts,
    and -Resume continues an interrupted run from its checkpoint. Exits 1 when verification fails.
.EXAMPLE
    ./examples/migrate-legacy.ps1 -Source ./legacy.db -Store http://localhost:19530
.EXAMPLE
    ./examples/migrate-legacy.ps1 -Source ./legacy.db -ColumnMap @{ coherence_metrics = [ordered]@{ quantum_coherence = 'qc'; quantum_stability = 'qs'; pattern_coherence = 'pc' } }
#>
param(
    [Parameter(Mandatory)] [string] $Source,
    [string] $Collection = 'legacy_patterns',
    # The target: a store file (embedded) or a Milvus server, e.g. http://localhost:19530 for the compose stack.
    [string] $Store = './patterns.db',
    # A Milvus user and password, where the server has authentication on.
    [pscredential] $Credential,
    [string] $Table,
    [hashtable] $ColumnMap,
    # Where to save the source -> target mapping document (Markdown).
    [string] $MappingDocument,
    [switch] $Resume
)
$ErrorActionPreference = 'Stop'
Import-Module ([IO.Path]::Combine($PSScriptRoot, '..', 'MilvusOps.psd1'))
$connectArguments = @{ Uri = $Store; Create = $true }   # a new store file for the first run; a server ignores -Create
if ($Credential) { $connectArguments.Credential = $Credential }
Connect-Milvus @connectArguments | Out-Null

$sourceArguments = @{ Path = $Source }
if ($Table) { $sourceArguments.Table = $Table }
if ($ColumnMap) { $sourceArguments.ColumnMap = $ColumnMap }

'== 1. Plan: read and validate the whole source, write nothing' | Out-Host
$plan = Import-SqlitePattern @sourceArguments -Collection $Collection -CreateCollection -WhatIf
$plan.Mapping | Out-Host
$plan | Out-Host
if ($MappingDocument) {
    [IO.File]::WriteAllText($ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($MappingDocument), $plan.Mapping)
    "Mapping document saved to $MappingDocument" | Out-Host
}

'== 2. Import' | Out-Host
$report = Import-SqlitePattern @sourceArguments -Collection $Collection -CreateCollection -Resume:$Resume
$report | Out-Host

'== 3. Verify: thresholds, temporal context, bit-exact fidelity against the source' | Out-Host
# A failed check's error would stop the runbook here; it reports failures itself, after the rejects.
$checks = Test-PatternCoherence @sourceArguments -Collection $Collection -SourcePath $Source -ErrorAction SilentlyContinue
$checks | Out-Host

if ($report.RowsRejected -gt 0) {
    "== Rejected rows ($($report.RowsRejected)) are in $($report.RejectPath)." | Out-Host
    'Fix them in the source (SourceRow is the rowid) and run this again: writes are upserts, so nothing is duplicated.' | Out-Host
    'Or fix the lines (each holds the fields that decoded; Undecoded names those that did not), delete their ErrorId, and pipe them in: Get-Content <file> | ConvertFrom-Json | Add-Pattern <collection>' | Out-Host
    $report.RejectReasons | Out-Host
    $shown = 0
    foreach ($line in [IO.File]::ReadLines($report.RejectPath)) {
        if ($shown++ -ge 10) { '…' | Out-Host; break }
        # A reject keeps its whole vector for re-import; on screen, its first values and its length say enough.
        $reject = $line | ConvertFrom-Json
        if ($reject.Vector -is [array] -and $reject.Vector.Count -gt 4) {
            $reject.Vector = '[{0}, ... ({1} values)]' -f (($reject.Vector | Select-Object -First 3) -join ', '), $reject.Vector.Count
        }
        $reject | ConvertTo-Json -Compress -Depth 8 | Out-Host
    }
}

$failed = @($checks | Where-Object { -not $_.Passed })
if ($failed.Count -gt 0) {
    "Verification FAILED: $(($failed | ForEach-Object Check) -join ', ')" | Out-Host
    exit 1
}
'Migration verified.' | Out-Host
