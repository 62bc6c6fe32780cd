#Requires -Version 7.4
# Pester 5 suite: the operator's view of a store. Run: Invoke-Pester ./tests/pester
# It uses a temporary embedded store, or the Milvus server in $env:MILVUSOPS_TEST_URI (e.g. http://localhost:19530).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'out' 'MilvusOps' 'MilvusOps.psd1') -Force -ErrorAction Stop
    $script:store = if ($env:MILVUSOPS_TEST_URI) { $env:MILVUSOPS_TEST_URI }
                    else { Join-Path ([IO.Path]::GetTempPath()) ("milvusops-pester-{0}.db" -f [guid]::NewGuid()) }
    Connect-Milvus $script:store -Create | Out-Null
    New-PatternCollection pester_patterns -Dimension 8 | Out-Null
    $script:rng = [Random]::new(7)
    1..50 | ForEach-Object {
        [pscustomobject]@{
            PatternId        = 'p{0:D2}' -f $_
            Vector           = [float[]](1..8 | ForEach-Object { $script:rng.NextDouble() })
            PatternType      = 'pester'
            CoherenceMetrics = @{ quantum_coherence = 0.9 + $_ / 1000 }
        }
    } | Add-Pattern pester_patterns
}

AfterAll {
    Remove-PatternCollection pester_patterns -Confirm:$false
    Disconnect-Milvus
    if (-not $env:MILVUSOPS_TEST_URI) { Remove-Item "$script:store*" -Recurse -ErrorAction SilentlyContinue }
}

Describe 'MilvusOps store' {
    It 'counts every pattern exactly' {
        (Get-PatternCollection pester_patterns).EntityCount | Should -Be 50
    }

    It 'finds a stored pattern first, at distance 0' {
        $hit = Find-SimilarPattern pester_patterns -Id p07 -Top 3 | Select-Object -First 1
        $hit.PatternId | Should -Be 'p07'
        $hit.Distance | Should -Be 0
    }

    It 'keeps every coherence metric at or above 0.90' {
        Get-Pattern pester_patterns | ForEach-Object { $_.CoherenceMetrics.quantum_coherence | Should -BeGreaterOrEqual 0.90 }
    }

    It 'rejects a vector of the wrong dimension with a stable ErrorId' {
        { [pscustomobject]@{ PatternId = 'bad'; Vector = 1, 2 } | Add-Pattern pester_patterns -ErrorAction Stop } |
            Should -Throw -ErrorId 'VectorDimensionMismatch,MilvusOps.Cmdlets.AddPatternCommand'
    }

    It 'names the position of a filter syntax error' {
        { Get-Pattern pester_patterns -Filter 'pattern_type ==' } | Should -Throw -ErrorId 'FilterSyntaxError,MilvusOps.Cmdlets.GetPatternCommand'
    }
}

Describe 'MilvusOps connections' {
    It 'refuses a store path that names no file, and creates none' {
        $typo = Join-Path ([IO.Path]::GetTempPath()) ("milvusops-pester-typo-{0}.bd" -f [guid]::NewGuid())
        { Connect-Milvus $typo -NoDefault } | Should -Throw -ErrorId 'StoreNotFound,MilvusOps.Cmdlets.ConnectMilvusCommand'
        Test-Path $typo | Should -BeFalse
    }

    It 'acts on a piped collection in the store it came from, not the session default' {
        $other = Join-Path ([IO.Path]::GetTempPath()) ("milvusops-pester-other-{0}.db" -f [guid]::NewGuid())
        $connection = Connect-Milvus $other -Create -NoDefault -WarningAction SilentlyContinue
        try {
            New-PatternCollection pester_patterns -Dimension 8 -Connection $connection | Out-Null
            Get-PatternCollection pester_patterns -Connection $connection | Remove-PatternCollection -Confirm:$false
            Get-PatternCollection -Connection $connection | Should -BeNullOrEmpty
            (Get-PatternCollection pester_patterns).EntityCount | Should -Be 50
        }
        finally {
            $connection | Disconnect-Milvus | Out-Null
            Remove-Item "$other*" -Recurse -ErrorAction SilentlyContinue
        }
    }
}

Describe 'MilvusOps operations' {
    It 'reports a healthy store, one check per component, and $true with -Quiet' {
        $checks = Test-MilvusHealth
        $checks.Count | Should -BeGreaterThan 1
        $checks | Where-Object { -not $_.Passed } | Should -BeNullOrEmpty
        Test-MilvusHealth -Quiet | Should -BeTrue
    }

    It 'switches an alias between collections, and searches follow it' {
        New-PatternCollection pester_green -Dimension 8 | Out-Null
        [pscustomobject]@{ PatternId = 'g1'; Vector = [float[]](1..8) } | Add-Pattern pester_green
        try {
            New-MilvusAlias pester_live pester_patterns | Out-Null
            (Get-PatternCollection pester_live).EntityCount | Should -Be 50
            Set-MilvusAlias pester_live pester_green -Confirm:$false | Out-Null
            (Find-SimilarPattern pester_live -Vector ([float[]](1..8)) -Top 1).PatternId | Should -Be 'g1'
            { Remove-PatternCollection pester_green -Confirm:$false -ErrorAction Stop } |
                Should -Throw -ErrorId 'CollectionHasAliases,MilvusOps.Cmdlets.RemovePatternCollectionCommand'
        }
        finally {
            Get-MilvusAlias -Collection pester_green | Remove-MilvusAlias -Confirm:$false
            Remove-PatternCollection pester_green -Confirm:$false
        }
    }

    It 'refuses index management on the embedded store with one ErrorId that names the backend' -Skip:([bool]$env:MILVUSOPS_TEST_URI) {
        { Get-MilvusIndex pester_patterns -ErrorAction Stop } | Should -Throw -ErrorId 'NotSupportedByBackend,MilvusOps.Cmdlets.GetMilvusIndexCommand'
    }
}

Describe 'MilvusOps exports' {
    BeforeAll {
        $script:exports = Join-Path ([IO.Path]::GetTempPath()) ("milvusops-pester-exports-{0}" -f [guid]::NewGuid())
        New-Item -ItemType Directory $script:exports | Out-Null
    }

    AfterAll {
        Remove-Item $script:exports -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'writes a piped collection to an export set whose manifest and checksums match its shards' {
        $set = Get-PatternCollection pester_patterns | Export-PatternCollection -Path (Join-Path $script:exports 'all') -ShardSize 1MB
        $set.Rows | Should -Be 50
        $set.Format | Should -Be 'Parquet'
        $set.Dimension | Should -Be 8
        $manifest = Get-Content (Join-Path $set.Path 'manifest.json') -Raw | ConvertFrom-Json
        $manifest.rows | Should -Be 50
        foreach ($shard in $manifest.shards) {
            (Get-FileHash (Join-Path $set.Path $shard.file) -Algorithm SHA256).Hash.ToLowerInvariant() | Should -Be $shard.sha256
        }
    }

    It 'exports only what a filter matches, as JSON Lines that read back bit for bit' {
        $set = Export-PatternCollection pester_patterns (Join-Path $script:exports 'some') -Format JsonLines -Filter 'pattern_id in {ids}' -FilterParameter @{ ids = 'p01', 'p02' }
        $set.Rows | Should -Be 2
        $lines = Get-Content (Join-Path $set.Path $set.Shards[0].File) | ConvertFrom-Json
        $lines.pattern_id | Should -Be @('p01', 'p02')
        $stored = Get-Pattern pester_patterns p01
        [float[]]$lines[0].vector | Should -Be ([float[]]$stored.Vector.ToArray())
    }

    It 'imports a piped export set into another store, where the fidelity check proves every bit' {
        $other = Connect-Milvus (Join-Path $script:exports 'other.db') -Create -NoDefault -WarningAction SilentlyContinue
        $report = Export-PatternCollection pester_patterns (Join-Path $script:exports 'moved') |
            Import-PatternCollection -Collection moved -Connection $other -CreateCollection
        $report.RowsWritten | Should -Be 50
        $report.RowsRejected | Should -Be 0
        $report.TargetUri | Should -Be $other.Uri
        $fidelity = Test-PatternCoherence moved -Connection $other -SourcePath (Join-Path $script:exports 'moved') -Metric quantum_coherence |
            Where-Object Check -eq 'Fidelity'
        $fidelity.Passed | Should -BeTrue
        $fidelity.Checked | Should -Be 50
        (Get-PatternCollection moved -Connection $other).Dimension | Should -Be 8
    }

    It 'refuses an export set whose shard changed after the export' {
        $set = Export-PatternCollection pester_patterns (Join-Path $script:exports 'tampered') -Format JsonLines
        $shard = Join-Path $set.Path $set.Shards[0].File
        (Get-Content $shard -Raw).Replace('p01', 'q01') | Set-Content $shard -NoNewline
        { Import-PatternCollection $set.Path -Collection tampered -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExportSetInvalid,MilvusOps.Cmdlets.ImportPatternCollectionCommand'
    }

    It 'plans with -WhatIf and refuses a folder that holds files it did not write' {
        Export-PatternCollection pester_patterns (Join-Path $script:exports 'plan') -WhatIf
        Test-Path (Join-Path $script:exports 'plan') | Should -BeFalse
        $occupied = New-Item -ItemType Directory (Join-Path $script:exports 'occupied')
        Set-Content (Join-Path $occupied 'notes.txt') 'mine'
        $err = { Export-PatternCollection pester_patterns $occupied -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExportPathInvalid,MilvusOps.Cmdlets.ExportPatternCollectionCommand' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.TargetObject | Should -Be $occupied.FullName
        Get-ChildItem $occupied | Select-Object -ExpandProperty Name | Should -Be 'notes.txt'
    }
}
