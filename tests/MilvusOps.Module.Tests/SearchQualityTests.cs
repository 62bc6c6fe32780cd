namespace MilvusOps.Module.Tests;

/// <summary>Measure-SearchQuality as a user calls it: bound from the pipeline, refusing bad sweeps and occupied plot names.</summary>
public sealed class SearchQualityTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public SearchQualityTests()
    {
        _session.Run("Connect-Milvus ./quality.db -Create | Out-Null");
        _session.Run("New-PatternCollection q -Dimension 16 -IndexType HNSW | Out-Null");
        var patterns = Enumerable.Range(0, 300).Select(i => Vectors.Pattern($"p{i:D3}", Vectors.Random(i, 16))).ToArray();
        _session.Run("$args[0] | ForEach-Object { [pscustomobject]$_ } | Add-Pattern q", [patterns]);
    }

    public void Dispose() => _session.Dispose();

    [Fact]
    public void A_piped_collection_is_measured_and_the_result_names_it()
    {
        var result = Assert.Single(_session.Run("Get-PatternCollection q | Measure-SearchQuality -QueryCount 20"));
        Assert.Equal(("q", "HNSW", 20), ((string)result.Properties["Collection"].Value, (string)result.Properties["IndexType"].Value, (int)result.Properties["Queries"].Value));
        Assert.Null(result.Properties["Parameter"].Value);
        Assert.Contains("\"ef\":64", (string)result.Properties["SearchParameters"].Value);   // Milvus's default, max(top, 64)
        Assert.InRange((double)result.Properties["Recall"].Value, 0.9, 1.0);
    }

    [Fact]
    public void A_sweep_is_shown_as_one_row_per_setting()
    {
        var text = (string)_session.Run("Measure-SearchQuality q -QueryCount 10 -Sweep @{ ef = 16, 300 } | Out-String -Width 120")[0].BaseObject;
        var rows = text.Split('\n').Where(line => line.StartsWith("q ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, rows.Length);
        Assert.Contains("ef = 16", rows[0]);
        Assert.Contains("ef = 300", rows[1]);
        Assert.Matches(@"1\.000\s+1\.000", rows[1]);   // ef above the rows searches exactly: every query finds its true top 10
        Assert.Contains("Qps", text);
    }

    [Fact]
    public void A_sweep_over_two_parameters_or_a_bad_value_fails_before_anything_runs()
    {
        var two = _session.Fail("Measure-SearchQuality q -Sweep @{ ef = 16, 32; nprobe = 8 }");
        Assert.StartsWith("InvalidSweep,", two.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, two.CategoryInfo.Category);
        var low = _session.Fail("Measure-SearchQuality q -Top 10 -Sweep @{ ef = 32, 5 }");
        Assert.StartsWith("InvalidSearchParameter,", low.FullyQualifiedErrorId);
        Assert.Equal("ef", low.TargetObject);
    }

    [Fact]
    public void A_plot_file_that_exists_is_refused_before_measuring_and_left_alone()
    {
        _session.Run("New-Item -ItemType Directory plots | Out-Null; Set-Content plots/q-recall-qps.png 'mine'");
        var error = _session.Fail("Measure-SearchQuality q -QueryCount 5 -PlotPath plots");
        Assert.StartsWith("PlotFileExists,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Equal("mine", _session.Run("Get-Content plots/q-recall-qps.png")[0].BaseObject);
        Assert.Empty(_session.Run("Get-ChildItem plots -Filter q-latency.png"));
    }
}
