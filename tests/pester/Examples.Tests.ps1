#Requires -Version 7.4
# Pester 5 suite: the examples as operators run them; the scheduled check in a real pwsh started with -File, judged by its exit codes.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'out' 'MilvusOps' 'MilvusOps.psd1') -Force -ErrorAction Stop
    $script:repo = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
    $script:work = Join-Path ([IO.Path]::GetTempPath()) ("milvusops-pester-check-{0}" -f [guid]::NewGuid())
    New-Item -ItemType Directory $script:work | Out-Null
    $store = Connect-Milvus (Join-Path $script:work 'store.db') -Create -NoDefault -WarningAction SilentlyContinue
    New-PatternCollection good -Dimension 4 -Connection $store | Out-Null
    New-PatternCollection drifted -Dimension 4 -Connection $store | Out-Null
    [pscustomobject]@{ PatternId = 'g1'; Vector = [float[]](1, 2, 3, 4)
        CoherenceMetrics = @{ quantum_coherence = 0.95; quantum_stability = 0.94; pattern_coherence = 0.93 } } | Add-Pattern good -Connection $store
    [pscustomobject]@{ PatternId = 'd1'; Vector = [float[]](1, 2, 3, 4)
        CoherenceMetrics = @{ quantum_coherence = 0.42; quantum_stability = 0.94; pattern_coherence = 0.93 } } | Add-Pattern drifted -Connection $store
    Disconnect-Milvus $store | Out-Null

    # The scheduled check in a new pwsh, as cron or a systemd timer starts it: -File, its exit code, its output lines.
    function Invoke-ScheduledCheck([string[]] $Arguments) {
        Push-Location $script:repo   # where the local tool manifest pins pwsh
        try {
            $output = dotnet pwsh -NoProfile -NonInteractive -File (Join-Path $script:repo 'examples' 'scheduled-check.ps1') @Arguments 2>&1
            [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
        }
        finally { Pop-Location }
    }
}

AfterAll {
    Remove-Item $script:work -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'examples/scheduled-check.ps1 under pwsh -File' {
    It 'exits 0 when every check passes, and writes no alert log' {
        $run = Invoke-ScheduledCheck '-Store', (Join-Path $script:work 'store.db'), '-Collection', 'good', '-LogPath', (Join-Path $script:work 'alerts.jsonl')
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'SUMMARY \d+ checks, 0 critical, 0 warning'
        Join-Path $script:work 'alerts.jsonl' | Should -Not -Exist
    }

    It 'exits 2 on a coherence failure, with one alert line for it' {
        $run = Invoke-ScheduledCheck '-Store', (Join-Path $script:work 'store.db'), '-Collection', 'good,drifted', '-LogPath', (Join-Path $script:work 'alerts.jsonl')
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Output | Should -Match 'FAIL drifted Threshold'
        (Get-Content (Join-Path $script:work 'alerts.jsonl') | ConvertFrom-Json).check | Should -Be 'Threshold'
    }

    It 'backs the store up after the checks and keeps the newest -KeepBackups' {
        $backups = Join-Path $script:work 'backups'
        foreach ($run in 1..3) {
            $result = Invoke-ScheduledCheck '-Store', (Join-Path $script:work 'store.db'), '-Collection', 'good', '-BackupPath', $backups, '-KeepBackups', '2'
            $result.ExitCode | Should -Be 0 -Because $result.Output
            $result.Output | Should -Match 'BACKUP .*store-\d{8}T\d{6}Z.*: 2 collection\(s\), 2 patterns'
        }
        $kept = @(Get-PatternBackup $backups)
        $kept.Count | Should -Be 2
        $kept[0].Kind | Should -Be 'StoreFile'
        $result.Output | Should -Match 'removed 1 older'
    }

    It 'takes no backup while a check fails, so the older backups stay' {
        $backups = Join-Path $script:work 'backups-failing'
        $result = Invoke-ScheduledCheck '-Store', (Join-Path $script:work 'store.db'), '-Collection', 'good,drifted', '-BackupPath', $backups, '-KeepBackups', '1'
        $result.ExitCode | Should -Be 2 -Because $result.Output
        $result.Output | Should -Match 'BACKUP skipped: 1 check\(s\) failed'
        $backups | Should -Not -Exist
    }

    It 'exits 2 when the store is missing, and creates none' {
        $typo = Join-Path $script:work 'typo.db'
        $run = Invoke-ScheduledCheck '-Store', $typo
        $run.ExitCode | Should -Be 2 -Because $run.Output
        $run.Output | Should -Match 'FAIL Critical store \(Connect\)'
        $typo | Should -Not -Exist
    }
}

Describe 'A failed check fails a pwsh -File run with no exit logic in the script' {
    BeforeAll {
        # A two-line script as an operator writes one: stop on errors, run the check. Nothing else decides the exit code.
        function Invoke-PlainScript([string] $Check) {
            $file = Join-Path $script:work ("plain-{0}.ps1" -f [guid]::NewGuid())
            Set-Content $file @"
`$ErrorActionPreference = 'Stop'
Import-Module '$(Join-Path $script:repo 'out' 'MilvusOps' 'MilvusOps.psd1')'
$Check
'reached the end'
"@
            Push-Location $script:repo
            try {
                $output = dotnet pwsh -NoProfile -NonInteractive -File $file 2>&1
                [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
            }
            finally { Pop-Location }
        }
        $script:storePath = Join-Path $script:work 'store.db'
    }

    It 'exits 0 when the coherence check passes' {
        $run = Invoke-PlainScript "Test-PatternCoherence good -Connection '$script:storePath'"
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match 'reached the end'
    }

    It 'exits 1 when a coherence check fails' {
        $run = Invoke-PlainScript "Test-PatternCoherence drifted -Connection '$script:storePath'"
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Output | Should -Match 'The Threshold check failed on collection .drifted.'
        $run.Output | Should -Not -Match 'reached the end'
    }

    It 'exits 1 when a health check is critical' {
        $run = Invoke-PlainScript "Test-MilvusHealth -Connection '$(Join-Path $script:work 'typo.db')'"
        $run.ExitCode | Should -Be 1 -Because $run.Output
        $run.Output | Should -Match 'store \(Connect\) is StoreNotFound'
    }
}

Describe 'examples/reindex-switch.ps1' {
    It 'moves the alias to a verified copy with the new index, keeps the old collection, and rolls back in one command' {
        $path = Join-Path $script:work 'switch.db'
        $store = Connect-Milvus $path -Create -NoDefault -WarningAction SilentlyContinue
        New-PatternCollection live_v1 -Dimension 4 -IndexType HNSW -IndexParameter @{ M = 8; efConstruction = 64 } -Connection $store | Out-Null
        1..30 | ForEach-Object { [pscustomobject]@{ PatternId = "s$_"; Vector = [float[]](1, 2, 3, $_) } } | Add-Pattern live_v1 -Connection $store
        New-MilvusAlias live live_v1 -Connection $store | Out-Null

        $result = & (Join-Path $script:repo 'examples' 'reindex-switch.ps1') -Store $path -Alias live -IndexParameter @{ M = 32; efConstruction = 256 } 6>$null
        $result.From | Should -Be 'live_v1'
        $result.Verified | Should -BeTrue
        $result.Patterns | Should -Be 30
        (Get-MilvusAlias live -Connection $store).Collection | Should -Be $result.To
        (Get-PatternCollection live -Connection $store).IndexParameters.M | Should -Be 32
        (Get-PatternCollection live_v1 -Connection $store).EntityCount | Should -Be 30

        Invoke-Expression $result.Rollback | Out-Null
        (Get-MilvusAlias live -Connection $store).Collection | Should -Be 'live_v1'
        Disconnect-Milvus $store | Out-Null
    }
}

Describe 'examples/alert-correlation.ps1' {
    It 'finds the planted alert chain in a rehearsal of real alerts and predicts its follower' {
        $store = Join-Path $script:work 'alerts.db'
        $result = & (Join-Path $script:repo 'examples' 'alert-correlation.ps1') -Store $store 6>$null 3>$null
        $result.LogPath | Should -Exist
        $result.Groups.Count | Should -Be 3
        $chain = $result.Groups | Where-Object { $_.Kinds.Count -eq 2 }
        $chain.Support | Should -Be 23   # etcd then the store, in 4 of 5 of the 28 incidents
        $connection = Connect-Milvus $store -NoDefault
        (Get-Pattern alerts $chain.Kinds[0] -Connection $connection).TemporalContext.component | Should -Be 'etcd'
        $prediction = $result.Predictions | Select-Object -First 1
        (Get-Pattern alerts $prediction.Follower -Connection $connection).TemporalContext.status | Should -Be 'StoreNotFound'
        $prediction.Support | Should -Be 22   # the latest etcd alert's past: 27 incidents
        $prediction.TypicalDelay | Should -Be ([TimeSpan]::FromMinutes(3))
        Disconnect-Milvus $connection | Out-Null
    }
}
