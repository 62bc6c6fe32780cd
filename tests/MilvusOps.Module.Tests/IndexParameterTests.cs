namespace MilvusOps.Module.Tests;

/// <summary>-IndexParameter and -SearchParameter are checked against the index type before anything is created or searched.</summary>
public sealed class IndexParameterTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public IndexParameterTests() => _session.Run("Connect-Milvus ./index.db -Create | Out-Null");

    public void Dispose() => _session.Dispose();

    private static void AssertError(ErrorRecord error, string errorId, object? target, params string[] fragments)
    {
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(target, error.TargetObject);
        foreach (string fragment in fragments) Assert.Contains(fragment, error.Exception.Message);
    }

    private void LoadHnsw(int count = 50)
    {
        _session.Run("New-PatternCollection h -Dimension 16 -IndexType HNSW -IndexParameter @{ M = 16; efConstruction = 200 } | Out-Null");
        var patterns = Enumerable.Range(0, count).Select(i => Vectors.Pattern($"p{i:D2}", Vectors.Random(i, 16))).ToArray();
        _session.Run("$args[0] | ForEach-Object { [pscustomobject]$_ } | Add-Pattern h", [patterns]);
    }

    [Fact]
    public void An_out_of_range_build_parameter_fails_before_the_collection_is_created()
    {
        var error = _session.Fail("New-PatternCollection p -Dimension 8 -IndexType HNSW -IndexParameter @{ M = 1 }");
        AssertError(error, "InvalidIndexParameter", "M", "M = 1", "2 to 2048");
        Assert.Empty(_session.Run("Get-PatternCollection"));
    }

    [Fact]
    public void A_misspelled_build_parameter_fails_instead_of_being_ignored()
    {
        var error = _session.Fail("New-PatternCollection p -Dimension 8 -IndexParameter @{ M = 16; efconstruction = 200 }");
        AssertError(error, "UnknownIndexParameter", "efconstruction", "Did you mean 'efConstruction'?");
        var gpuKey = _session.Fail("New-PatternCollection p -Dimension 8 -IndexType HNSW -IndexParameter @{ graph_degree = 32 }");
        AssertError(gpuKey, "UnknownIndexParameter", "graph_degree", "HNSW is a CPU index", "GPU_CAGRA");
    }

    [Fact]
    public void IVF_PQ_m_must_divide_the_dimension()
    {
        var error = _session.Fail("New-PatternCollection p -Dimension 100 -IndexType IVF_PQ -IndexParameter @{ m = 8 }");
        AssertError(error, "InvalidIndexParameter", "m", "does not divide the dimension 100");
        var created = _session.Run("New-PatternCollection p -Dimension 100 -IndexType ivf_pq -IndexParameter @{ m = '10'; nlist = 256 }")[0];
        Assert.Equal("IVF_PQ", created.Properties["IndexType"].Value);
    }

    [Fact]
    public void A_GPU_CAGRA_collection_with_COSINE_fails_and_with_IP_is_created()
    {
        var error = _session.Fail("New-PatternCollection g -Dimension 8 -Metric COSINE -IndexType GPU_CAGRA");
        AssertError(error, "MetricNotSupportedByIndex", "GPU_CAGRA", "only L2 and IP", "normalize the vectors and use IP");
        var created = _session.Run("New-PatternCollection g -Dimension 8 -Metric IP -IndexType GPU_CAGRA -IndexParameter @{ graph_degree = 32; build_algo = 'NN_DESCENT'; cache_dataset_on_device = $true }")[0];
        Assert.Equal("GPU_CAGRA", created.Properties["IndexType"].Value);
    }

    [Fact]
    public void An_ef_below_Top_on_an_HNSW_collection_fails_before_any_query_runs()
    {
        LoadHnsw();
        var error = _session.Fail("Find-SimilarPattern h -Vector $args[0] -SearchParameter @{ ef = 5 } -Top 10", Vectors.Random(99, 16));
        AssertError(error, "InvalidSearchParameter", "ef", "ef = 5", "at least -Top 10");

        // Checked in BeginProcessing: piped queries are never read, nothing comes out.
        var piped = _session.Invoke("try { Get-Pattern h | Find-SimilarPattern h -SearchParameter @{ ef = 5 } -Top 10 } catch { $_ }");
        var record = Assert.IsType<ErrorRecord>(Assert.Single(piped.Output).BaseObject);
        Assert.StartsWith("InvalidSearchParameter,", record.FullyQualifiedErrorId);
    }

    [Fact]
    public void Search_parameters_the_index_does_not_take_fail_with_UnknownSearchParameter()
    {
        LoadHnsw();
        AssertError(_session.Fail("Find-SimilarPattern h -Id p01 -SearchParameter @{ nprobe = 16 }"), "UnknownSearchParameter", "nprobe", "HNSW takes: ef");
        AssertError(_session.Fail("Find-SimilarPattern h -Id p01 -SearchParameter @{ radius = 0.5 }"), "UnknownSearchParameter", "radius", "range search is not supported");
    }

    [Fact]
    public void A_valid_ef_is_accepted_and_the_embedded_graph_searches_with_it()
    {
        LoadHnsw(100);   // more rows than the default ef, which would otherwise search exactly
        var query = Vectors.Random(7, 16);
        var result = _session.Invoke("(Find-SimilarPattern h -Vector $args[0] -Top 10 -SearchParameter @{ ef = '12' } -Verbose).PatternId", query);
        Assert.Empty(result.Errors);
        Assert.Equal(10, result.Output.Count);
        Assert.Contains(result.Verbose, v => v.Contains("""{"ef":12}"""));
        Assert.Contains(result.Verbose, v => v.Contains("Searched the HNSW graph of 100 rows with ef = 12."));
        Assert.DoesNotContain(result.Verbose, v => v.Contains("searches HNSW collections exactly"));
        // Without -SearchParameter the verbose stream shows the default, which the graph and Milvus both get.
        var defaults = _session.Invoke("Find-SimilarPattern h -Vector $args[0] -Top 10 -Verbose | Out-Null", query);
        Assert.Contains(defaults.Verbose, v => v.Contains("""{"ef":64}"""));
        Assert.Contains(defaults.Verbose, v => v.Contains("with ef = 64."));

        // Index types the embedded store searches exactly say that the parameters do not change the answer.
        _session.Run("New-PatternCollection ivf -Dimension 16 -IndexType IVF_FLAT -IndexParameter @{ nlist = 4 } | Out-Null");
        _session.Run("[pscustomobject]@{ PatternId = 'a'; Vector = $args[0] } | Add-Pattern ivf", query);
        var ivf = _session.Invoke("Find-SimilarPattern ivf -Vector $args[0] -SearchParameter @{ nprobe = 2 } -Verbose | Out-Null", query);
        Assert.Contains(ivf.Verbose, v => v.Contains("validated -SearchParameter") && v.Contains("searches IVF_FLAT collections exactly"));
    }

    [Fact]
    public void Values_that_reach_the_hashtable_wrapped_by_the_pipeline_are_read_as_numbers()
    {
        LoadHnsw();
        var result = _session.Invoke("""
            $parameters = @{}
            $parameters['ef'] = [System.Management.Automation.PSObject]::AsPSObject(40)
            if (-not ($parameters['ef'] -is [System.Management.Automation.PSObject])) { throw 'the value is not wrapped' }
            Find-SimilarPattern h -Id p03 -Top 3 -SearchParameter $parameters
            """);
        Assert.Empty(result.Errors);
        Assert.Equal("p03", result.Output[0].Properties["PatternId"].Value);
    }

    [Fact]
    public void Top_over_a_GPU_index_limit_fails_with_InvalidTop()
    {
        _session.Run("New-PatternCollection g -Dimension 4 -Metric IP -IndexType GPU_CAGRA | Out-Null");
        var error = _session.Fail("Find-SimilarPattern g -Vector 1,2,3,4 -Top 1025");
        AssertError(error, "InvalidTop", 1025, "at most 1024");
    }
}
