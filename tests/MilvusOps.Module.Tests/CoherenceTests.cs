namespace MilvusOps.Module.Tests;

public sealed class CoherenceTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public CoherenceTests()
    {
        _session.Run("Connect-Milvus ./coherence.db -Create | Out-Null; New-PatternCollection p -Dimension 2 | Out-Null");
    }

    public void Dispose() => _session.Dispose();

    private void Add(string id, string metrics, string? temporal = null) =>
        _session.Run("[pscustomobject]@{ PatternId = $args[0]; Vector = 1, 2; CoherenceMetrics = $args[1]; TemporalContext = $args[2] } | Add-Pattern p",
            id, metrics, temporal);

    private const string Good = """{"quantum_coherence": 0.95, "quantum_stability": 0.94, "pattern_coherence": 0.93}""";

    [Fact]
    public void Clean_data_passes_every_check_and_Quiet_returns_true()
    {
        Add("a", Good, """{"created": "2025-06-01T12:00:00Z", "window": "P1D"}""");
        Add("b", Good);
        var results = _session.Run("Test-PatternCoherence p");
        Assert.Equal(["Threshold", "TemporalContext"], results.Select(r => r.Properties["Check"].Value));
        Assert.All(results, r => Assert.True((bool)r.Properties["Passed"].Value));
        Assert.Equal(2L, results[0].Properties["Checked"].Value);
        Assert.Equal(true, Assert.Single(_session.Run("Test-Coherence p -Quiet")).BaseObject);
    }

    [Fact]
    public void Planted_threshold_violations_and_missing_metrics_are_caught_and_listed()
    {
        Add("good", Good);
        Add("low", """{"quantum_coherence": 0.89, "quantum_stability": 0.94, "pattern_coherence": 0.93}""");
        Add("missing", """{"quantum_coherence": 0.99, "quantum_stability": 0.99}""");
        Add("text", """{"quantum_coherence": "high", "quantum_stability": 0.99, "pattern_coherence": 0.99}""");
        var threshold = _session.Run("Test-PatternCoherence p")[0];
        Assert.False((bool)threshold.Properties["Passed"].Value);
        Assert.Equal(3L, threshold.Properties["Failed"].Value);
        var violations = ((System.Collections.IEnumerable)threshold.Properties["Violations"].Value).Cast<object>()
            .Select(v => ((dynamic)v).PatternId + ":" + ((dynamic)v).Field).ToList();
        Assert.Equal(["low:quantum_coherence", "missing:pattern_coherence", "text:quantum_coherence"], violations);
        Assert.Equal(false, Assert.Single(_session.Run("Test-Coherence p -Quiet")).BaseObject);
    }

    [Fact]
    public void Per_metric_thresholds_override_the_default_and_can_add_metrics()
    {
        Add("a", """{"quantum_coherence": 0.95, "quantum_stability": 0.94, "pattern_coherence": 0.93, "entanglement": 0.5}""");
        Assert.Equal(true, _session.Run("Test-PatternCoherence p -Thresholds @{ quantum_coherence = 0.95 } -Quiet")[0].BaseObject);
        Assert.Equal(false, _session.Run("Test-PatternCoherence p -Thresholds @{ quantum_coherence = 0.96 } -Quiet")[0].BaseObject);
        Assert.Equal(false, _session.Run("Test-PatternCoherence p -Thresholds @{ entanglement = 0.6 } -Quiet")[0].BaseObject);
        Assert.Equal(true, _session.Run("Test-PatternCoherence p -Metric entanglement -Threshold 0.5 -Quiet")[0].BaseObject);
    }

    [Fact]
    public void Temporal_context_must_hold_valid_past_ISO_8601_timestamps()
    {
        Add("ok", Good, """{"created": "2024-02-29T23:59:59.123+02:00", "label": "2024 run"}""");
        Add("future", Good, """{"created": "2999-01-01T00:00:00Z"}""");
        Add("invalid", Good, """{"created": "2024-13-45T99:00:00Z"}""");
        Add("nested", Good, """{"history": [{"at": "2024-02-30"}]}""");
        var temporal = _session.Run("Test-PatternCoherence p")[1];
        Assert.Equal("TemporalContext", temporal.Properties["Check"].Value);
        Assert.Equal(3L, temporal.Properties["Failed"].Value);
        var details = ((System.Collections.IEnumerable)temporal.Properties["Violations"].Value).Cast<object>().Select(v => (string)((dynamic)v).Detail).ToList();
        Assert.Contains(details, d => d.Contains("in the future"));
        Assert.Contains(details, d => d.Contains("$.history[0].at"));
    }

    [Fact]
    public void Results_render_as_a_table()
    {
        Add("a", Good);
        _session.Run("Test-PatternCoherence p | Out-Default");
        Assert.Matches(@"Threshold\s+True\s+1\s+0", _session.Rendered);
    }
}

public sealed class CoherenceGuardTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public CoherenceGuardTests()
    {
        _session.Run("Connect-Milvus ./coherence.db -Create | Out-Null; New-PatternCollection p -Dimension 2 | Out-Null");
    }

    public void Dispose() => _session.Dispose();

    private void Add(string id) =>
        _session.Run("[pscustomobject]@{ PatternId = $args[0]; Vector = 1, 2; CoherenceMetrics = '{\"quantum_coherence\": 0.95, \"quantum_stability\": 0.94, \"pattern_coherence\": 0.93}' } | Add-Pattern p", id);

    [Fact]
    public void An_empty_collection_fails_the_check_unless_MinCount_allows_it()
    {
        Assert.Equal(false, Assert.Single(_session.Run("Test-Coherence p -Quiet")).BaseObject);
        var threshold = _session.Run("Test-PatternCoherence p")[0];
        Assert.Equal("Threshold", threshold.Properties["Check"].Value);
        Assert.False((bool)threshold.Properties["Passed"].Value);
        Assert.Equal(1L, threshold.Properties["Failed"].Value);
        Assert.Contains("-MinCount 1", (string)threshold.Properties["Message"].Value);
        Assert.Equal(true, Assert.Single(_session.Run("Test-Coherence p -MinCount 0 -Quiet")).BaseObject);

        Add("a");
        Add("b");
        Assert.Equal(true, Assert.Single(_session.Run("Test-Coherence p -Quiet")).BaseObject);
        Assert.Equal(false, Assert.Single(_session.Run("Test-Coherence p -MinCount 3 -Quiet")).BaseObject);
    }

    [Fact]
    public void A_missing_SourcePath_fails_before_the_collection_is_scanned()
    {
        Add("a");
        var output = _session.Run("$results = [Collections.Generic.List[object]]::new(); " +
            "try { Test-PatternCoherence p -SourcePath ./missing.db | ForEach-Object { $results.Add($_) } } catch { $_.FullyQualifiedErrorId }; $results.Count");
        Assert.StartsWith("SourceNotFound,", output[0].ToString());
        Assert.Equal(0, (int)output[1].BaseObject);
    }

    [Theory]
    [InlineData("-Threshold ([double]::NaN)")]
    [InlineData("-Threshold ([double]::PositiveInfinity)")]
    [InlineData("-Thresholds @{ quantum_coherence = [double]::NaN }")]
    [InlineData("-Thresholds @{ quantum_coherence = [double]::NegativeInfinity }")]
    [InlineData("-Thresholds @{ quantum_coherence = 'high' }")]
    public void A_threshold_that_is_not_a_finite_number_is_refused(string arguments)
    {
        Add("a");
        var error = _session.Fail($"Test-PatternCoherence p {arguments} -Quiet");
        Assert.StartsWith("InvalidThreshold,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("finite number", error.Exception.Message);
    }
}
