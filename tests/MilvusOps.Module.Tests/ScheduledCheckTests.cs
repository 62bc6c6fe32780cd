using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MilvusOps.Module.Tests;

/// <summary>
/// examples/scheduled-check.ps1 as a scheduler runs it, with pwsh -File: its exit code (0 passed, 1 warnings, 2
/// critical), its lines, and the alert log it appends to. On the embedded store, and on the stateful peer over real
/// gRPC and HTTP, healthy and unhealthy.
/// </summary>
public sealed class ScheduledCheckTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-scheduled-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static string Script => Path.Combine(ModuleSession.RepoRoot, "examples", "scheduled-check.ps1");

    private (int ExitCode, string Output) RunCheck(params string[] arguments) => RunScheduledCheck(_folder, arguments);

    /// <summary>Runs the example with pwsh -File, in a folder, as a scheduler would.</summary>
    internal static (int ExitCode, string Output) RunScheduledCheck(string folder, params string[] arguments) =>
        Pwsh.Run(folder, ["-File", Script, .. arguments]);

    private List<JsonElement> Alerts() => File.ReadAllLines(Path.Combine(_folder, "alerts.jsonl"))
        .Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();

    [SkippableFact]
    public void On_the_embedded_store_it_exits_0_when_all_pass_and_2_with_an_alert_per_failure_when_coherence_or_a_collection_fails()
    {
        using (var session = new ModuleSession())
            session.Run("""
            Set-Location $args[0]
            Connect-Milvus ./store.db -Create -WarningAction SilentlyContinue | Out-Null
            New-PatternCollection good -Dimension 4 | Out-Null
            1..3 | ForEach-Object { [pscustomobject]@{ PatternId = "g$_"; Vector = [float[]](1, 2, 3, $_)
                CoherenceMetrics = @{ quantum_coherence = 0.95; quantum_stability = 0.94; pattern_coherence = 0.93 } } } | Add-Pattern good
            New-PatternCollection drifted -Dimension 4 | Out-Null
            [pscustomobject]@{ PatternId = 'd1'; Vector = [float[]](1, 2, 3, 4)
                CoherenceMetrics = @{ quantum_coherence = 0.42; quantum_stability = 0.94; pattern_coherence = 0.93 } } | Add-Pattern drifted
            Disconnect-Milvus | Out-Null
            """, _folder);

        var healthy = RunCheck("-Store", "./store.db", "-Collection", "good", "-LogPath", "./alerts.jsonl");
        Assert.True(healthy.ExitCode == 0, healthy.Output);
        Assert.Contains("PASS store file (PRAGMA quick_check)", healthy.Output);
        Assert.Contains("SUMMARY", healthy.Output);
        Assert.False(File.Exists(Path.Combine(_folder, "alerts.jsonl")), "a run without alerts writes no log");

        var failing = RunCheck("-Store", "./store.db", "-Collection", "good,drifted,gone", "-LogPath", "./alerts.jsonl");
        Assert.True(failing.ExitCode == 2, failing.Output);
        Assert.Contains("FAIL drifted Threshold", failing.Output);
        Assert.Contains("ERROR CollectionNotFound", failing.Output);
        var alerts = Alerts();
        Assert.Equal(["Threshold", "CollectionNotFound"], alerts.Select(a => a.GetProperty("check").GetString()));
        Assert.All(alerts, a => Assert.Equal("Critical", a.GetProperty("severity").GetString()));

        var missing = RunCheck("-Store", "./typo.db", "-LogPath", "./alerts.jsonl");
        Assert.True(missing.ExitCode == 2, missing.Output);
        Assert.Contains("FAIL Critical store (Connect)", missing.Output);
        Assert.False(File.Exists(Path.Combine(_folder, "typo.db")));
        Assert.Equal("StoreNotFound", Alerts()[^1].GetProperty("status").GetString());
    }
}
