using System.Diagnostics;

namespace MilvusOps.Module.Tests;

/// <summary>Runs tests/pester with the real pwsh and Pester where both are installed; skips, saying why, elsewhere.</summary>
public sealed class PesterSuiteTests
{
    [SkippableFact]
    public void Pester_suite_passes_in_pwsh()
    {
        string? pwsh = FindOnPath(OperatingSystem.IsWindows() ? "pwsh.exe" : "pwsh");
        Skip.If(pwsh is null, "pwsh is not installed on this machine, so the Pester suite (tests/pester) cannot run here.");
        var probe = RunPwsh(pwsh!, "if (Get-Module -ListAvailable Pester | Where-Object Version -ge '5.0') { 'yes' }");
        Skip.If(!probe.Output.Contains("yes"), "Pester 5 is not installed for pwsh, so the Pester suite (tests/pester) cannot run here.");

        string suite = Path.Combine(ModuleSession.RepoRoot, "tests", "pester");
        var run = RunPwsh(pwsh!, $"$r = Invoke-Pester -Path '{suite}' -PassThru -Output Detailed; exit $r.FailedCount");
        Assert.True(run.ExitCode == 0, run.Output);
    }

    private static (int ExitCode, string Output) RunPwsh(string pwsh, string command)
    {
        var start = new ProcessStartInfo(pwsh, ["-NoProfile", "-NonInteractive", "-Command", command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    private static string? FindOnPath(string file) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, file)).FirstOrDefault(File.Exists);
}
