#Requires -Version 7.4
# Pester 5 suite: what only a real console shows. Views at 80 and 120 columns, completion through TabExpansion2,
# Get-Help -Full and the -WhatIf text.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '..' '..' 'out' 'MilvusOps' 'MilvusOps.psd1') -Force -ErrorAction Stop
    $script:store = Join-Path ([IO.Path]::GetTempPath()) ("milvusops-console-{0}.db" -f [guid]::NewGuid())
    $script:connection = Connect-Milvus $script:store -Create -NoDefault -WarningAction SilentlyContinue
    New-PatternCollection console_patterns -Dimension 4 -IndexParameter @{ M = 16; efConstruction = 200 } -Connection $script:connection | Out-Null
    $script:longId = 'correlation_pattern_' + ('x' * 80)
    @(
        [pscustomobject]@{ PatternId = $script:longId; Vector = [float[]](1, 0, 0, 0); PatternType = 'quantum_correlation'
            CoherenceMetrics = @{ quantum_coherence = 0.95 } }
        [pscustomobject]@{ PatternId = 'near'; Vector = [float[]](1, 0.5, 0, 0); CoherenceMetrics = @{ quantum_coherence = 0.91 } }
    ) | Add-Pattern console_patterns -Connection $script:connection
}

AfterAll {
    Disconnect-Milvus $script:connection | Out-Null
    Remove-Item "$script:store*" -Recurse -ErrorAction SilentlyContinue
}

Describe 'Views' {
    It 'keeps rank and distance of a search hit at <_> columns, and cuts the long id instead' -ForEach 80, 120 {
        $width = $_
        $text = Find-SimilarPattern console_patterns -Vector ([float[]](1, 0, 0, 0)) -Top 2 -Connection $script:connection | Out-String -Width $width
        $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual $width }
        $text | Should -Match 'Rank Distance'
        $text | Should -Match '\n\s*1\s+0\s+0\.95\s+correlation_pattern_x'
    }

    It 'lists a collection with its index parameters and every field on a line of its own at 80 columns' {
        $text = Get-PatternCollection console_patterns -Connection $script:connection | Format-List | Out-String -Width 80
        $text -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $text | Should -Match 'IndexParameters : \{("M":16,"efConstruction":200|"efConstruction":200,"M":16)\}'
        $text | Should -Match 'Fields\s+: pattern_id VarChar\(100\) primary key\s*\n\s+vector FloatVector\(4\)'
        $text | Should -Match '\n\s+temporal_context JSON NULL'
    }

    It 'lists a failed check with its first violations and how many more there are' {
        $result = Test-PatternCoherence console_patterns -Threshold 0.99 -Connection $script:connection -ErrorAction SilentlyContinue |
            Where-Object Check -EQ Threshold
        $text = $result | Format-List | Out-String -Width 80
        $text | Should -Match '\n\s+near: quantum_coherence 0\.91 < 0\.99'
        $text | Should -Match "\.\.\. $($result.Failed - 5) more \($($result.Violations.Count) in Violations\)"
    }

    It 'writes enums by name in ConvertTo-Json' {
        (Test-MilvusHealth -Connection $script:connection | Select-Object -First 1 | ConvertTo-Json) | Should -Match '"Severity": "None"'
    }

    It 'shows every health check on one line each at 80 columns' {
        $lines = Test-MilvusHealth -Connection $script:connection | Out-String -Width 80
        ($lines -split "`n" | Where-Object { $_ -match '^(store file|write-ahead log|write lock)\s+True' }).Count | Should -Be 4
    }
}

Describe 'Completion' {
    It 'completes collection names from the store the command will use' {
        $line = "Get-Pattern -Connection '$script:store' console_p"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'console_patterns'
    }

    It 'completes filter fields and the JSON keys the patterns hold' {
        $line = "Get-Pattern -Connection '$script:store' console_patterns -Filter coh"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
            Should -Contain "'coherence_metrics[""quantum_coherence""]'"
    }
}

Describe 'Help and -WhatIf' {
    It 'has full help with examples for the operations cmdlets' -ForEach 'Test-MilvusHealth', 'Repair-MilvusCollection', 'Send-MilvusAlert' {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -BeLike "$_*"
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
    }

    It 'names the store, the collection and the count in -WhatIf' {
        # -WhatIf writes to the host, not to a stream: a transcript is how a console session keeps it.
        $transcript = Join-Path ([IO.Path]::GetTempPath()) ("milvusops-whatif-{0}.txt" -f [guid]::NewGuid())
        Start-Transcript -Path $transcript | Out-Null
        try { Remove-PatternCollection console_patterns -Connection $script:connection -WhatIf }
        finally { Stop-Transcript | Out-Null }
        $text = Get-Content $transcript -Raw
        Remove-Item $transcript
        $text | Should -Match 'What if: .*console_patterns.*2 patterns.*milvusops-console-'
        (Get-PatternCollection console_patterns -Connection $script:connection).EntityCount | Should -Be 2
    }
}
