#Requires -Version 7.4
<#
.SYNOPSIS
    Runs the Pester suites in tests/pester, and the examples' Verify-Migration.Tests.ps1 over a store it migrates from
    a generated legacy file, with the Pester 5 that NuGet restores for the module tests (PackageDownload in
    tests/MilvusOps.Module.Tests), so no Install-Module is needed. The exit code is the number of failed tests.
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/pester/Invoke-PesterSuite.ps1 -ResultPath TestResults/pester.xml
#>
param(
    # Where to write the results as NUnit XML (CI counts them).
    [string] $ResultPath
)
$ErrorActionPreference = 'Stop'
$packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget' 'packages' }
$manifest = Get-ChildItem (Join-Path $packages 'pester') -Directory -ErrorAction SilentlyContinue |
    Where-Object { $_.Name -like '5.*' } | Sort-Object { [version]$_.Name } -Descending |
    ForEach-Object { Join-Path $_.FullName 'tools' 'Pester.psd1' } | Select-Object -First 1
if (-not $manifest) { throw "Pester 5 is not in $packages/pester: run 'dotnet restore tests/MilvusOps.Module.Tests' first." }
Import-Module $manifest -Force
# Every HNSW collection gets its graph, however small, so searches go through it as on a large collection (and as the
# .NET module tests run them).
$env:MILVUSOPS_EXACT_SEARCH_BELOW = '0'

# The examples' own Pester suite, as an operator runs it: over a store migrated here from a generated legacy file.
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..' '..')).Path
$work = Join-Path ([IO.Path]::GetTempPath()) ('milvusops-examples-{0}' -f [guid]::NewGuid())
New-Item -ItemType Directory $work | Out-Null
$generator = Join-Path $repo 'tools' 'MilvusOps.LegacyGenerator' 'bin' 'Debug' 'net10.0' 'milvusops-legacygen.dll'
if (-not (Test-Path $generator)) { dotnet build (Join-Path $repo 'tools' 'MilvusOps.LegacyGenerator') --nologo -v quiet | Out-Null }
dotnet $generator (Join-Path $work 'legacy.db') --rows 300 | Out-Null
if ($LASTEXITCODE) { throw "The legacy generator failed ($LASTEXITCODE)." }
$columnMap = @{ coherence_metrics = [ordered]@{ quantum_coherence = 'qc'; quantum_stability = 'qs'; pattern_coherence = 'pc' } }
$store = Join-Path $work 'patterns.db'
& {
    Import-Module (Join-Path $repo 'MilvusOps.psd1') -Force
    $migrated = Connect-Milvus $store -Create -NoDefault -WarningAction SilentlyContinue
    Import-SqlitePattern (Join-Path $work 'legacy.db') legacy_patterns -ColumnMap $columnMap -CreateCollection -Connection $migrated | Out-Null
    Disconnect-Milvus $migrated | Out-Null
}

$configuration = New-PesterConfiguration
$configuration.Run.Container = @(
    New-PesterContainer -Path $PSScriptRoot
    New-PesterContainer -Path (Join-Path $repo 'examples' 'Verify-Migration.Tests.ps1') -Data @{
        Store = $store; Collection = 'legacy_patterns'; Source = (Join-Path $work 'legacy.db'); ColumnMap = $columnMap }
)
$configuration.Run.Exit = $true
$configuration.Output.Verbosity = 'Detailed'
if ($ResultPath) {
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = $ResultPath
}
Invoke-Pester -Configuration $configuration
