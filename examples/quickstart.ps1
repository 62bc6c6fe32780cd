#Requires -Version 7.4
<#
.SYNOPSIS
    The first milestone: create a collection, add patterns, search, count. On the embedded store by default.
.EXAMPLE
    ./examples/quickstart.ps1                       # pwsh
    dotnet pwsh -NoProfile -File examples/quickstart.ps1   # the pinned pwsh (dotnet tool restore)
.EXAMPLE
    ./examples/quickstart.ps1 -Store http://localhost:19530   # the Milvus server of docker-compose.yml
#>
param(
    # A file path uses the embedded store (the file is created if missing); http(s)://host:port a Milvus server.
    [string] $Store = './quickstart.db',
    [int] $Count = 300
)
$ErrorActionPreference = 'Stop'
Import-Module ([IO.Path]::Combine($PSScriptRoot, '..', 'MilvusOps.psd1'))

Connect-Milvus $Store -Create | Out-Host

# 512-d, L2, HNSW: the seed's collection. -IfNotExists makes the script safe to re-run.
New-PatternCollection correlation_patterns -Dimension 512 -Metric L2 -IndexType HNSW `
    -IndexParameter @{ M = 16; efConstruction = 200 } -IfNotExists | Out-Null

$random = [Random]::new(2026)
function New-Vector { [float[]] $v = foreach ($i in 1..512) { $random.NextDouble() * 2 - 1 }; , $v }

[pscustomobject]@{
    PatternId        = 'test_pattern_001'
    Vector           = New-Vector
    PatternType      = 'quantum_correlation'
    CoherenceMetrics = @{ quantum_coherence = 0.95; quantum_stability = 0.94; pattern_coherence = 0.93 }
    TemporalContext  = @{ created = '2026-01-15T09:30:00Z'; window = 'P1D'; sequence = 1 }
} | Add-Pattern correlation_patterns

$types = 'quantum_correlation', 'temporal_drift', 'coherence_burst'
1..$Count | ForEach-Object {
    [pscustomobject]@{
        PatternId        = 'generated_{0:D4}' -f $_
        Vector           = New-Vector
        PatternType      = $types[$_ % $types.Count]
        CoherenceMetrics = @{
            quantum_coherence = [Math]::Round(0.85 + $random.NextDouble() * 0.15, 4)
            quantum_stability = [Math]::Round(0.85 + $random.NextDouble() * 0.15, 4)
            pattern_coherence = [Math]::Round(0.85 + $random.NextDouble() * 0.15, 4)
        }
        TemporalContext  = @{ created = [DateTime]::new(2026, 1, 1).AddHours($_).ToString('o'); sequence = $_ + 1 }
    }
} | Add-Pattern correlation_patterns

# Each result goes to the host on its own, so every object type gets its own table.
'Patterns similar to test_pattern_001 (it comes back first, at distance 0):' | Out-Host
Find-SimilarPattern correlation_patterns -Id test_pattern_001 -Top 5 | Out-Host

'The same search, keeping coherent patterns that are not temporal drift:' | Out-Host
Find-SimilarPattern correlation_patterns -Id test_pattern_001 -Top 5 -MinCoherence 0.95 -Filter 'pattern_type != "temporal_drift"' | Out-Host

Get-PatternCollection correlation_patterns | Out-Host
