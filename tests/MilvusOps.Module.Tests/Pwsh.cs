using System.Diagnostics;

namespace MilvusOps.Module.Tests;

/// <summary>
/// The pinned pwsh of .config/dotnet-tools.json, started as a user starts it (`dotnet pwsh`), in a folder of the
/// test's choosing. A fresh clone gets it with `dotnet tool restore`, which this runs once if pwsh is missing.
/// </summary>
internal static class Pwsh
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    /// <summary>Skips the calling test, with the reason, where the local tool cannot be restored.</summary>
    public static void SkipUnlessAvailable() => Skip.If(Unavailable.Value is not null, Unavailable.Value);

    /// <summary>Starts pwsh with its working folder (the PowerShell location too) set to <paramref name="folder"/>.</summary>
    public static Process Start(string folder, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
    {
        SkipUnlessAvailable();
        // The tool manifest is found from the process's folder, so pwsh starts in the repository and moves with -WorkingDirectory.
        var start = new ProcessStartInfo("dotnet", ["pwsh", "-NoProfile", "-NonInteractive", "-WorkingDirectory", folder, .. arguments])
        {
            WorkingDirectory = ModuleSession.RepoRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // pwsh 7.6 styles warnings and list labels even when its output is redirected; the tests read plain text.
            Environment = { ["NO_COLOR"] = "1" },
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Runs pwsh to its end (at most <paramref name="timeoutSeconds"/>) and returns its exit code and everything it printed.</summary>
    public static (int ExitCode, string Output) Run(string folder, IEnumerable<string> arguments, int timeoutSeconds = 180)
    {
        using var pwsh = Start(folder, arguments);
        var errors = pwsh.StandardError.ReadToEndAsync();
        var output = pwsh.StandardOutput.ReadToEndAsync();
        if (!pwsh.WaitForExit(timeoutSeconds * 1000))
        {
            pwsh.Kill(entireProcessTree: true);
            Assert.Fail($"pwsh did not end within {timeoutSeconds} s:\n{output.Result}");
        }
        return (pwsh.ExitCode, output.Result + errors.Result);
    }

    private static string? Probe()
    {
        if (Version().ExitCode == 0) return null;
        Dotnet("tool", "restore");
        var probe = Version();
        return probe.ExitCode == 0 ? null : $"pwsh could not be restored from .config/dotnet-tools.json ('dotnet tool restore'): {probe.Output.Trim()}";
    }

    private static (int ExitCode, string Output) Version() => Dotnet("pwsh", "-NoProfile", "-NonInteractive", "-Command", "$PSVersionTable.PSVersion.ToString()");

    private static (int ExitCode, string Output) Dotnet(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments) { WorkingDirectory = ModuleSession.RepoRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd() + error.Result;
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
