#Requires -Version 7.4
<#
.SYNOPSIS
    Runs the Pester suites in tests/pester with the Pester 5 that NuGet restores for the module tests
    (PackageDownload in tests/MilvusOps.Module.Tests), so no Install-Module is needed. The exit code is the number of
    failed tests.
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

$configuration = New-PesterConfiguration
$configuration.Run.Path = $PSScriptRoot
$configuration.Run.Exit = $true
$configuration.Output.Verbosity = 'Detailed'
if ($ResultPath) {
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputFormat = 'NUnitXml'
    $configuration.TestResult.OutputPath = $ResultPath
}
Invoke-Pester -Configuration $configuration
