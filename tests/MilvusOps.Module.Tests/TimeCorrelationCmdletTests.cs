using System.Collections;
using System.Management.Automation;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Module.Tests;

/// <summary>Reads by time, correlation, prediction and the TimeSeries check as a user runs them: a timeline with a planted
/// chain (A, then B 2 minutes later, then C 4 minutes later, every hour) added with Add-Pattern.</summary>
public sealed class TimeCorrelationCmdletTests : IDisposable
{
    private const int Dimension = 16;
    private readonly ModuleSession _session = new();
    private readonly PlantedChains _timeline = new PlantedChains(Dimension, seed: 9)
        .Plant("abc", 8, TimeSpan.FromHours(1), burst: 2,
            new PlantedChains.Link("A", TimeSpan.Zero), new PlantedChains.Link("B", TimeSpan.FromMinutes(2)), new PlantedChains.Link("C", TimeSpan.FromMinutes(4)));

    public TimeCorrelationCmdletTests()
    {
        _session.Run("Connect-Milvus ./events.db -Create | Out-Null; New-PatternCollection events -Dimension 16 -Metric COSINE -IndexType FLAT | Out-Null");
        var rows = _timeline.Events.Select(e => new Hashtable
        {
            ["PatternId"] = e.Id, ["Vector"] = e.Vector, ["PatternType"] = e.Kind, ["TemporalContext"] = e.Context("observed_at"),
        }).Append(new Hashtable { ["PatternId"] = "bad-time", ["Vector"] = _timeline.KindVector("odd"), ["TemporalContext"] = """{"observed_at":"2026-11-01T99:00Z"}""" });
        _session.Run("$args[0] | ForEach-Object { [pscustomobject]$_ } | Add-Pattern events", [rows.ToArray()]);
    }

    public void Dispose() => _session.Dispose();

    [Fact]
    public void Get_Pattern_reads_a_time_range_and_reports_a_time_that_does_not_parse()
    {
        var result = _session.Invoke("Get-Pattern events -TimeKey observed_at -Since 2026-11-01T00:00Z -Until 2026-11-01T02:00Z | ForEach-Object PatternId");
        var expected = _timeline.Events.Where(e => e.Time < PlantedChains.Start.AddHours(2)).Select(e => e.Id).Order(StringComparer.Ordinal);
        Assert.Equal(expected, result.Output.Select(o => (string)o.BaseObject));
        var error = Assert.Single(result.Errors);
        Assert.StartsWith("UnparseableTime,", error.FullyQualifiedErrorId);
        Assert.Equal((ErrorCategory.InvalidData, "bad-time"), (error.CategoryInfo.Category, error.TargetObject));
        Assert.Equal(2, _session.Run("Get-Pattern events -TimeKey observed_at -Since 2026-11-01T00:00Z -Limit 2 -ErrorAction SilentlyContinue").Count);
    }

    [Fact]
    public void A_time_without_an_offset_is_UTC_and_one_that_is_no_time_is_refused()
    {
        string count = "@(Get-Pattern events -TimeKey observed_at -Since {0} -Until {1} -ErrorAction SilentlyContinue).Count";
        var utc = _session.Run(string.Format(count, "2026-11-01T01:00Z", "2026-11-01T02:00Z"))[0].BaseObject;
        Assert.Equal(utc, _session.Run(string.Format(count, "2026-11-01T01:00", "2026-11-01T02:00"))[0].BaseObject);
        Assert.Equal(utc, _session.Run(string.Format(count, "([datetime]'2026-11-01T01:00')", "([datetime]'2026-11-01T02:00')"))[0].BaseObject);
        Assert.Equal(utc, _session.Run(string.Format(count, "2026-11-01T03:00+02:00", "2026-11-01T04:00+02:00"))[0].BaseObject);
        Assert.Equal(_timeline.Events.Count(e => e.Time >= PlantedChains.Start.AddHours(1) && e.Time < PlantedChains.Start.AddHours(2)), (int)utc);
        var error = _session.Fail("Get-Pattern events -Since yesterday -ErrorAction Stop");
        Assert.Contains("is not an ISO-8601 date or time", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Correlation_groups_pipe_into_Add_Pattern_and_are_found_by_a_search()
    {
        var groups = _session.Run("Find-PatternCorrelation events -Threshold 0.95 -TimeKey observed_at -ErrorAction SilentlyContinue");
        var group = Assert.Single(groups);
        Assert.Equal(8, group.Properties["Support"].Value);
        Assert.Equal(new[] { "A", "B", "C" }, ((IEnumerable)group.Properties["KindTypes"].Value).Cast<string>());

        _session.Run("New-PatternCollection correlations -Dimension 16 -Metric COSINE -IndexType FLAT | Out-Null");
        _session.Run("$args[0] | Add-Pattern correlations", group);
        var hit = _session.Run("Find-SimilarPattern correlations -Vector $args[0] -Top 1", [_timeline.KindVector("B")]).Single();
        Assert.Equal((group.Properties["PatternId"].Value, "correlation"), (hit.Properties["PatternId"].Value, hit.Properties["PatternType"].Value));
    }

    [Fact]
    public void A_prediction_from_a_stored_pattern_names_the_follower_and_its_evidence()
    {
        var predictions = _session.Run("Get-PatternPrediction events abc-0005-A-0 -Threshold 0.95 -TimeKey observed_at -Window 00:10:00 -ErrorAction SilentlyContinue");
        Assert.Equal(new object[] { "B", "C" }, predictions.Select(p => p.Properties["FollowerType"].Value));
        Assert.Equal((5, 1.0), ((int)predictions[0].Properties["Support"].Value, (double)predictions[0].Properties["Confidence"].Value));
        Assert.Equal(5, ((IEnumerable)predictions[0].Properties["Evidence"].Value).Cast<object>().Count());
        var missing = _session.Invoke("Get-PatternPrediction events nope -Threshold 0.95 -TimeKey observed_at");
        Assert.StartsWith("PatternNotFound,", Assert.Single(missing.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void The_time_series_check_runs_with_a_time_key_and_its_options_need_one()
    {
        var results = _session.Run("Test-PatternCoherence events -TimeKey observed_at -MaxGap 01:30:00 -Metric @() -ErrorAction SilentlyContinue");
        var series = results.Single(r => (string)r.Properties["Check"].Value == "TimeSeries");
        Assert.Equal(1L, series.Properties["Failed"].Value);   // bad-time
        var error = _session.Fail("Test-PatternCoherence events -MaxGap 01:00:00 -ErrorAction Stop");
        Assert.StartsWith("TimeKeyRequired,", error.FullyQualifiedErrorId);
    }
}
