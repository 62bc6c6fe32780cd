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

    It 'finds every pattern nearest to itself' {
        Get-Pattern $Collection -Limit 25 | Find-SimilarPattern $Collection -Top 1 | ForEach-Object {
            $_.PatternId | Should -Be $_.QueryId
        }
    }
}
