#Requires -Version 7.4
# Pester 5 suite: the module as an operator installs it. The built module folder is published to a local file
# repository with Publish-PSResource, installed with Install-PSResource, and imported by name in a new pwsh process.
# Both processes get a HOME of their own, so the repository registration and the installed module (the CurrentUser
# scope) land in a fresh folder and nothing touches the machine's own profile.
Describe 'MilvusOps as an installed module' -Skip:(-not $IsLinux -and -not $IsMacOS) {
    BeforeAll {
        $script:root = Join-Path ([IO.Path]::GetTempPath()) ("milvusops-install-{0}" -f [guid]::NewGuid())
        $script:freshHome = Join-Path $script:root 'home'
        $script:feed = Join-Path $script:root 'feed'
        New-Item -ItemType Directory $script:freshHome, $script:feed | Out-Null
        $script:module = (Resolve-Path (Join-Path $PSScriptRoot '..' '..' 'out' 'MilvusOps')).Path
        # This very pwsh, run again: under the local tool that is 'dotnet pwsh.dll', so the child needs no tool lookup.
        $script:pwsh = [Reflection.Assembly]::GetEntryAssembly().Location

        function Invoke-FreshPwsh([string] $Script, [string[]] $Arguments) {
            $file = Join-Path $script:root ("step-{0}.ps1" -f [guid]::NewGuid())
            Set-Content $file $Script
            $saved = $env:HOME, $env:PSModulePath
            try {
                $env:HOME = $script:freshHome
                $env:PSModulePath = ''
                $output = if ($script:pwsh -like '*.dll') { dotnet $script:pwsh -NoProfile -NonInteractive -File $file @Arguments 2>&1 }
                          else { & $script:pwsh -NoProfile -NonInteractive -File $file @Arguments 2>&1 }
                [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
            }
            finally { $env:HOME, $env:PSModulePath = $saved }
        }
    }

    AfterAll {
        Remove-Item $script:root -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'publishes to a file repository and installs with Install-PSResource into a fresh module path' {
        $run = Invoke-FreshPwsh -Script @'
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name MilvusOpsLocal -Uri $args[0] -Trusted
Publish-PSResource -Path $args[1] -Repository MilvusOpsLocal
Install-PSResource -Name MilvusOps -Repository MilvusOpsLocal -Scope CurrentUser -TrustRepository
(Get-InstalledPSResource MilvusOps).InstalledLocation
'@ -Arguments $script:feed, $script:module
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -BeLike "*$script:freshHome*"
    }

    It 'imports by name in a new process, and its commands, native libraries and help work from there' {
        $run = Invoke-FreshPwsh -Script @'
$ErrorActionPreference = 'Stop'
Import-Module MilvusOps
Set-Location $args[0]
'base=' + (Get-Module MilvusOps).ModuleBase
Connect-Milvus ./installed.db -Create -WarningAction SilentlyContinue | Out-Null
New-PatternCollection p -Dimension 2 | Out-Null
[pscustomobject]@{ PatternId = 'a'; Vector = [float[]](1, 2) } | Add-Pattern p
'hit=' + (Find-SimilarPattern p -Vector ([float[]](1, 2)) -Top 1).PatternId
'healthy=' + (Test-MilvusHealth -Quiet)
'about=' + (Get-Help about_MilvusOps | Out-String).Contains('NotSupportedByBackend')
'@ -Arguments $script:root
        $run.ExitCode | Should -Be 0 -Because $run.Output
        $run.Output | Should -Match ('base=' + [regex]::Escape($script:freshHome))
        $run.Output | Should -Match 'hit=a'
        $run.Output | Should -Match 'healthy=True'
        $run.Output | Should -Match 'about=True'
    }
}
