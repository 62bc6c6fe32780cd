using System.Diagnostics;
using System.Text.Json;

namespace MilvusOps.Module.Tests;

/// <summary>Writes legacy SQLite files with tools/MilvusOps.LegacyGenerator, as the README does.</summary>
public static class LegacyFiles
{
    /// <summary>The -ColumnMap its files need: the coherence metrics are three scalar columns.</summary>
    public const string ColumnMap =
        "$map = @{ coherence_metrics = [ordered]@{ quantum_coherence = 'qc'; quantum_stability = 'qs'; pattern_coherence = 'pc' } }";

    public static JsonElement Generate(string path, int rows, bool bad, int seed = 1, int? dimension = null)
    {
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
        string generator = Path.Combine(ModuleSession.RepoRoot, "tools", "MilvusOps.LegacyGenerator", "bin", configuration, "net10.0", "milvusops-legacygen.dll");
        var arguments = new List<string> { generator, path, "--rows", rows.ToString(), "--seed", seed.ToString(), "--force" };
        if (bad) arguments.Add("--bad");
        if (dimension is int d) arguments.AddRange(["--dimension", d.ToString()]);
        var start = new ProcessStartInfo("dotnet", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        string summary = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, errors);
        return JsonDocument.Parse(summary).RootElement.Clone();
    }
}
