using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MilvusOps.Module.Tests;

/// <summary>Tab completion through TabExpansion2, as the console asks for it: names from the store the command will use,
/// filter fields and JSON keys, metric keys, legacy tables, index types; and nothing, soon, from a server that is silent.</summary>
public sealed class CompletionTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public void Dispose() => _session.Dispose();

    private List<string> Complete(string input) =>
        _session.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", input)
            .Select(o => (string)o.BaseObject).ToList();

    private void Store()
    {
        _session.Run("""
            Connect-Milvus ./patterns.db -Create -WarningAction SilentlyContinue | Out-Null
            'alpha_one', 'alpha_two', 'beta' | ForEach-Object { New-PatternCollection $_ -Dimension 2 -IndexType FLAT | Out-Null }
            New-MilvusAlias alpha_live alpha_one | Out-Null
            [pscustomobject]@{ PatternId = 'p'; Vector = [float[]](1, 2)
                CoherenceMetrics = @{ quantum_coherence = 0.95; quantum_stability = 0.94 }; TemporalContext = @{ window = 'P1D' } } | Add-Pattern alpha_one
            """);
    }

    [Fact]
    public void Collection_and_alias_names_come_from_the_store_the_command_will_use()
    {
        Store();
        Assert.Equal(["alpha_live", "alpha_one", "alpha_two"], Complete("Get-Pattern alp").Order(StringComparer.Ordinal));
        Assert.Equal(["beta"], Complete("Remove-PatternCollection b"));
        Assert.Equal(["alpha_live"], Complete("Set-MilvusAlias -Alias a"));
        Assert.Equal(["alpha_one"], Complete("Get-MilvusIndex alpha_o"));

        _session.Run("Connect-Milvus ./other.db -Create -NoDefault -WarningAction SilentlyContinue | Out-Null; New-PatternCollection gamma -Dimension 2 -Connection ./other.db | Out-Null");
        Assert.Equal(["gamma"], Complete("Get-PatternCollection -Connection ./other.db g"));
        Assert.Empty(Complete("Get-PatternCollection -Connection ./other.db alp"));
    }

    [Fact]
    public void Filters_complete_fields_and_the_json_keys_the_patterns_hold_and_metrics_their_keys()
    {
        Store();
        var filter = Complete("Get-Pattern alpha_one -Filter coh");
        Assert.Equal(["coherence_metrics", "'coherence_metrics[\"quantum_coherence\"]'", "'coherence_metrics[\"quantum_stability\"]'"], filter);
        Assert.Equal(["'temporal_context[\"window\"]'"], Complete("Find-SimilarPattern alpha_one -Filter temporal_context["));
        Assert.DoesNotContain("vector", Complete("Get-Pattern alpha_one -Filter v"));
        Assert.Equal(["quantum_stability"], Complete("Test-PatternCoherence alpha_one -Metric quantum_s"));
    }

    [Fact]
    public void Legacy_tables_and_index_types_complete()
    {
        LegacyFiles.Generate(Path.Combine(_session.Folder, "legacy.db"), rows: 10, bad: false);
        var tables = Complete("Get-SqlitePattern ./legacy.db -Table ");
        Assert.NotEmpty(tables);
        Assert.DoesNotContain(tables, t => t.StartsWith("sqlite_", StringComparison.Ordinal));
        Assert.Equal(["GPU_BRUTE_FORCE", "GPU_CAGRA", "GPU_IVF_FLAT", "GPU_IVF_PQ"], Complete("New-MilvusIndex c -IndexType GPU_").Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_server_that_never_answers_gives_no_completions_within_seconds()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var clock = Stopwatch.StartNew();
        Assert.Empty(Complete($"Get-Pattern -Connection http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port} x"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"completion took {clock.Elapsed.TotalSeconds:F1} s");
    }
}
