#Requires -Version 7.4
<#
.SYNOPSIS
    A zero-downtime switch: build a new collection behind an alias (new index parameters, for example), copy the
    current one into it, prove the copy bit for bit, then move the alias. The old collection stays for rollback, and
    the one command that switches back is printed (and returned as Rollback). Rehearse it on the embedded store first.
.EXAMPLE
    ./examples/reindex-switch.ps1 -Store ./rehearsal.db -Alias patterns -IndexParameter @{ M = 32; efConstruction = 256 }
.EXAMPLE
    ./examples/reindex-switch.ps1 -Store http://localhost:19530 -Alias patterns -IndexType GPU_CAGRA -IndexParameter @{ intermediate_graph_degree = 64; graph_degree = 32 }
#>
param(
    # A store path (embedded) or http(s)://host:port (Milvus); the alias and both collections live there.
    [Parameter(Mandatory)] [string] $Store,
    # The alias clients search through; it must exist.
    [Parameter(Mandatory)] [string] $Alias,
    # The new collection's index type and parameters; the dimension and metric are the current collection's.
    [string] $IndexType = 'HNSW',
    [hashtable] $IndexParameter = @{ M = 16; efConstruction = 200 }
)
$ErrorActionPreference = 'Stop'
Import-Module ([IO.Path]::Combine($PSScriptRoot, '..', 'MilvusOps.psd1'))

$connection = Connect-Milvus $Store -NoDefault
try {
    $current = (Get-MilvusAlias $Alias -Connection $connection).Collection
    $source = Get-PatternCollection $current -Connection $connection
    $next = '{0}_{1:yyyyMMddHHmmss}' -f $Alias, [DateTime]::UtcNow
    New-PatternCollection $next -Dimension $source.Dimension -Metric $source.Metric -IndexType $IndexType -IndexParameter $IndexParameter `
        -Connection $connection | Out-Null

    # The alias does not move unless every pattern arrived bit for bit: a failed copy or check stops here.
    $report = Copy-PatternCollection $current $next -Connection $connection
    if (-not $report.Verification.Passed) { throw "The copy of $current into $next failed its check: $($report.Verification.Message)" }
    if ($connection.Backend -eq 'Milvus') { Mount-MilvusCollection $next -Connection $connection | Out-Null }

    Set-MilvusAlias $Alias $next -Connection $connection | Out-Null
    $rollback = "Set-MilvusAlias $Alias $current -Connection $Store"
    Write-Host "Alias '$Alias' now names $next ($($report.RowsWritten) patterns, verified). $current is kept; to switch back: $rollback"
    [pscustomobject]@{ Alias = $Alias; From = $current; To = $next; Patterns = $report.RowsWritten; Verified = $report.Verification.Passed; Rollback = $rollback }
}
finally {
    Disconnect-Milvus $connection | Out-Null
}
