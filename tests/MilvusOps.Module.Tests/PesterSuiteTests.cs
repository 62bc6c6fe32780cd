using System.Diagnostics;

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
        var probe = RunPwsh("-Command", "$PSVersionTable.PSVersion.ToString()");
        if (probe.ExitCode != 0)
        {
            // A fresh clone: install the pinned pwsh, as .ci/run does.
            Run("tool", "restore");
            probe = RunPwsh("-Command", "$PSVersionTable.PSVersion.ToString()");
        }
        Skip.If(probe.ExitCode != 0, $"pwsh could not be restored from .config/dotnet-tools.json ('dotnet tool restore'): {probe.Output.Trim()}");

        var run = RunPwsh("-File", Path.Combine(ModuleSession.RepoRoot, "tests", "pester", "Invoke-PesterSuite.ps1"));
        Assert.True(run.ExitCode == 0, run.Output);
    }

    /// <summary>The local tool: found through the manifest above the working folder.</summary>
    private static (int ExitCode, string Output) RunPwsh(params string[] arguments) => Run(["pwsh", "-NoProfile", "-NonInteractive", .. arguments]);

    private static (int ExitCode, string Output) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = ModuleSession.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd() + error.Result;
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
