@{
    RootModule           = 'lib/MilvusOps.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f3c9e-2f8a-4d55-9a63-6f1f4b7de2a1'
    Author               = 'MilvusOps'
    CompanyName          = 'MilvusOps'
    Copyright            = '(c) MilvusOps. MIT License.'
    Description          = 'Operations for Milvus vector databases: pattern collections, legacy SQLite migration, similarity search and verification. Embedded single-file store for laptops, CI and dry runs.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('module/MilvusOps.format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'Connect-Milvus'
        'Disconnect-Milvus'
        'New-PatternCollection'
        'Get-PatternCollection'
        'Remove-PatternCollection'
        'Add-Pattern'
        'Get-Pattern'
        'Remove-Pattern'
        'Find-SimilarPattern'
        'Measure-SearchQuality'
        'Find-PatternCorrelation'
        'Get-PatternPrediction'
        'ConvertTo-AlertPattern'
        'Test-PatternCoherence'
        'Get-SqlitePattern'
        'Import-SqlitePattern'
        'Export-PatternCollection'
        'Import-PatternCollection'
        'Copy-PatternCollection'
        'Backup-PatternStore'
        'Get-PatternBackup'
        'Restore-PatternBackup'
        'Start-MilvusImportJob'
        'Get-MilvusImportJob'
        'Wait-MilvusImportJob'
        'Test-MilvusHealth'
        'Get-MilvusIndex'
        'New-MilvusIndex'
        'Remove-MilvusIndex'
        'Get-MilvusLoadState'
        'Mount-MilvusCollection'
        'Dismount-MilvusCollection'
        'Get-MilvusAlias'
        'New-MilvusAlias'
        'Set-MilvusAlias'
        'Remove-MilvusAlias'
        'Get-MilvusMetric'
        'Get-MilvusGpu'
        'Sync-MilvusCollection'
        'Optimize-MilvusCollection'
        'Get-MilvusCompaction'
        'Get-MilvusSegment'
        'Get-MilvusDatabase'
        'New-MilvusDatabase'
        'Remove-MilvusDatabase'
        'Send-MilvusAlert'
        'Repair-MilvusCollection'
    )
    VariablesToExport    = @()
    AliasesToExport      = @('Test-Coherence', 'Import-SqlitePatterns')
    PrivateData          = @{
        PSData = @{
            Tags         = @('Milvus', 'VectorDatabase', 'Vector', 'Embedding', 'SQLite', 'Migration', 'Operations', 'Monitoring', 'PSEdition_Core', 'Linux', 'Windows', 'MacOS')
            ReleaseNotes = '0.1.0: pattern collections, legacy SQLite migration, similarity search, coherence and fidelity checks; operating the stack: health, metrics and GPU, indexes and load state, aliases, databases, flush and compaction, alerts and safe remediation. Get-Help about_MilvusOps.'
        }
    }
}
