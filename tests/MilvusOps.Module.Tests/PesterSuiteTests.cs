namespace MilvusOps.Module.Tests;

/// <summary>
/// Runs tests/pester in the real pwsh of the local tool manifest (.config/dotnet-tools.json) with the Pester that NuGet
/// restores for this project, so `dotnet test` runs the Pester suites too. CI runs them itself, to count each Pester test.
/// </summary>
public sealed class PesterSuiteTests
{
    [SkippableFact]
    public void Pester_suite_passes_in_pwsh()
    {
        Skip.If(Environment.GetEnvironmentVariable("MILVUSOPS_PESTER_BY_CI") == "1",
            ".ci/run runs the Pester suites itself (tests/pester/Invoke-PesterSuite.ps1) and counts each Pester test.");
        var run = Pwsh.Run(ModuleSession.RepoRoot, ["-File", Path.Combine(ModuleSession.RepoRoot, "tests", "pester", "Invoke-PesterSuite.ps1")], timeoutSeconds: 900);
        Assert.True(run.ExitCode == 0, run.Output);
    }
}
