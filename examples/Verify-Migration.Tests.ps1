#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
.SYNOPSIS
    An operator's Pester suite over a migrated collection.
.EXAMPLE
    $container = New-PesterContainer -Path ./examples/Verify-Migration.Tests.ps1 -Data @{
        Store = './patterns.db'; Collection = 'legacy_patterns'; Source = './legacy.db'
        ColumnMap = @{ coherence_metrics = [ordered]@{ quantum_coherence = 'qc'; quantum_stability = 'qs'; pattern_coherence = 'pc' } }
    }
    Invoke-Pester -Container $container -Output Detailed
#>
param(
    # A store file, or a Milvus server such as http://localhost:19530.
    [string] $Store = './patterns.db',
    [string] $Collection = 'legacy_patterns',
    [string] $Source,
    [hashtable] $ColumnMap,
    [double] $Threshold = 0.90
)

BeforeAll {
    Import-Module ([IO.Path]::Combine($PSScriptRoot, '..', 'MilvusOps.psd1')) -Force
    Connect-Milvus $Store | Out-Null
}

Describe "Migrated collection <Collection>" {
    It 'exists and holds patterns' {
        (Get-PatternCollection $Collection).EntityCount | Should -BeGreaterThan 0
    }

    It 'keeps every coherence metric at or above the threshold' {
        Test-Coherence $Collection -Threshold $Threshold -Quiet | Should -BeTrue
    }

    It 'has valid, past ISO-8601 timestamps in every temporal context' {
        (Test-PatternCoherence $Collection | Where-Object Check -eq 'TemporalContext').Passed | Should -BeTrue
    }

    It 'matches the legacy source bit for bit' -Skip:(-not $Source) {
        $arguments = @{ SourcePath = $Source }
        if ($ColumnMap) { $arguments.ColumnMap = $ColumnMap }
        $fidelity = Test-PatternCoherence $Collection @arguments | Where-Object Check -eq 'Fidelity'
        $fidelity.Message | Should -Not -BeNullOrEmpty
        $fidelity.Passed | Should -BeTrue -Because $fidelity.Message
    }

    # An approximate index (HNSW, GPU_CAGRA) may miss a pattern's own row now and then, so search is held to a recall
    # bound against exact neighbours, measured by MilvusOps, not to finding every pattern.
    It 'finds the true neighbours of stored patterns (recall@10 of 0.9 or better)' {
        $quality = Measure-SearchQuality $Collection -QueryCount 25
        $quality.Recall | Should -BeGreaterOrEqual 0.9 -Because "the worst query found $($quality.MinRecall) of its neighbours"
    }
}
