namespace MilvusOps.Engine.Tests.Model;

public sealed class IndexRulesBuildTests
{
    private static MetadataDictionary? Json(string? json) => Metadata.Parse(json);

    private static MilvusOpsException Rejects(string indexType, int dimension, string json)
    {
        var error = Assert.Throws<MilvusOpsException>(() => IndexRules.ValidateBuildParameters(indexType, dimension, Json(json)));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    [Theory]
    [InlineData("HNSW", 512, """{"M":16,"efConstruction":200}""", """{"M":16,"efConstruction":200}""")]
    [InlineData("HNSW", 512, """{"M":2,"efConstruction":2147483647}""", """{"M":2,"efConstruction":2147483647}""")]
    [InlineData("HNSW", 512, """{"M":"2048","efConstruction":1.0}""", """{"M":2048,"efConstruction":1}""")]
    [InlineData("IVF_FLAT", 512, """{"nlist":1}""", """{"nlist":1}""")]
    [InlineData("IVF_SQ8", 512, """{"nlist":65536}""", """{"nlist":65536}""")]
    [InlineData("IVF_PQ", 512, """{"nlist":1024,"m":64,"nbits":24}""", """{"m":64,"nbits":24,"nlist":1024}""")]
    [InlineData("IVF_PQ", 7, """{"m":7,"nbits":1}""", """{"m":7,"nbits":1}""")]
    [InlineData("SCANN", 512, """{"nlist":256,"with_raw_data":false}""", """{"nlist":256,"with_raw_data":"false"}""")]
    [InlineData("GPU_IVF_FLAT", 512, """{"nlist":128,"cache_dataset_on_device":"TRUE"}""", """{"cache_dataset_on_device":"true","nlist":128}""")]
    [InlineData("GPU_IVF_PQ", 512, """{"m":0,"nbits":4}""", """{"m":0,"nbits":4}""")]
    [InlineData("GPU_IVF_PQ", 512, """{"m":128,"nbits":8,"cache_dataset_on_device":true}""", """{"cache_dataset_on_device":"true","m":128,"nbits":8}""")]
    [InlineData("GPU_CAGRA", 512, """{"intermediate_graph_degree":64,"graph_degree":32,"build_algo":"nn_descent","adapt_for_cpu":false}""",
        """{"adapt_for_cpu":"false","build_algo":"NN_DESCENT","graph_degree":32,"intermediate_graph_degree":64}""")]
    [InlineData("GPU_CAGRA", 512, """{"graph_degree":64,"cache_dataset_on_device":"true"}""", """{"cache_dataset_on_device":"true","graph_degree":64}""")]
    [InlineData("AUTOINDEX", 512, null, "{}")]
    [InlineData("FLAT", 512, "{}", "{}")]
    [InlineData("DISKANN", 512, null, "{}")]
    [InlineData("GPU_BRUTE_FORCE", 512, "{}", "{}")]
    public void Valid_build_parameters_come_back_in_the_canonical_form_Milvus_gets(string indexType, int dimension, string? json, string expected)
    {
        Assert.Equal(expected, IndexRules.BuildParamsJson(indexType, dimension, Json(json)));
    }

    [Theory]
    [InlineData("HNSW", """{"M":1}""", "M", "M = 1", "2 to 2048")]
    [InlineData("HNSW", """{"M":2049}""", "M", "M = 2049", "2 to 2048")]
    [InlineData("HNSW", """{"efConstruction":0}""", "efConstruction", "efConstruction = 0", "1 to 2147483647")]
    [InlineData("HNSW", """{"M":16.5}""", "M", "M = 16.5 is not an integer", "2 to 2048")]
    [InlineData("HNSW", """{"M":true}""", "M", "M = $true is not an integer", "2 to 2048")]
    [InlineData("HNSW", """{"M":"sixteen"}""", "M", "'sixteen' is not an integer", "HNSW")]
    [InlineData("HNSW", """{"M":[16]}""", "M", "is not an integer", "HNSW")]
    [InlineData("IVF_FLAT", """{"nlist":0}""", "nlist", "nlist = 0", "1 to 65536")]
    [InlineData("IVF_SQ8", """{"nlist":65537}""", "nlist", "nlist = 65537", "1 to 65536")]
    [InlineData("IVF_PQ", """{"m":8,"nbits":25}""", "nbits", "nbits = 25", "1 to 24")]
    [InlineData("SCANN", """{"with_raw_data":"yes"}""", "with_raw_data", "'yes' is not a boolean", "true or false")]
    [InlineData("GPU_IVF_PQ", """{"nbits":3}""", "nbits", "nbits = 3", "4 to 8")]
    [InlineData("GPU_IVF_PQ", """{"nbits":9}""", "nbits", "nbits = 9", "4 to 8")]
    [InlineData("GPU_IVF_PQ", """{"m":-1}""", "m", "m = -1", "0 to 65536")]
    [InlineData("GPU_CAGRA", """{"build_algo":"HNSW"}""", "build_algo", "'HNSW' is not one of IVF_PQ, NN_DESCENT", "GPU_CAGRA")]
    [InlineData("GPU_CAGRA", """{"graph_degree":0}""", "graph_degree", "graph_degree = 0", "1 to 2147483647")]
    [InlineData("GPU_CAGRA", """{"adapt_for_cpu":1}""", "adapt_for_cpu", "is not a boolean", "true or false")]
    public void Out_of_range_or_mistyped_values_are_InvalidIndexParameter_naming_parameter_value_and_range(
        string indexType, string json, string parameter, string value, string range)
    {
        var error = Rejects(indexType, 512, json);
        Assert.Equal("InvalidIndexParameter", error.ErrorId);
        Assert.Equal(parameter, error.Target);
        Assert.Contains(value, error.Message);
        Assert.Contains(range, error.Message);
    }

    [Theory]
    [InlineData("HNSW", """{"efconstruction":200}""", "efconstruction", "Did you mean 'efConstruction'?")]
    [InlineData("HNSW", """{"m":16}""", "m", "Did you mean 'M'?")]
    [InlineData("HNSW", """{"ef_construction":200}""", "ef_construction", "Did you mean 'efConstruction'?")]
    [InlineData("HNSW", """{"nlist":128}""", "nlist", "'nlist' belongs to IVF_FLAT, IVF_SQ8, IVF_PQ, SCANN, GPU_IVF_FLAT, GPU_IVF_PQ")]
    [InlineData("HNSW", """{"graph_degree":64}""", "graph_degree", "HNSW is a CPU index. On a GPU stack, -IndexType GPU_CAGRA does graph search on the GPU")]
    [InlineData("HNSW", """{"index_type":"HNSW"}""", "index_type", "the index type is -IndexType")]
    [InlineData("HNSW", """{"metric_type":"L2"}""", "metric_type", "the metric is -Metric")]
    [InlineData("IVF_FLAT", """{"nprobe":8}""", "nprobe", "IVF_FLAT takes: nlist.")]
    [InlineData("GPU_CAGRA", """{"itopk_size":64}""", "itopk_size", "GPU_CAGRA takes: intermediate_graph_degree, graph_degree, build_algo")]
    [InlineData("FLAT", """{"nlist":128}""", "nlist", "FLAT takes no index parameters")]
    [InlineData("AUTOINDEX", """{"M":16}""", "M", "AUTOINDEX takes no index parameters (Milvus chooses")]
    [InlineData("DISKANN", """{"max_degree":56}""", "max_degree", "DiskIndex in milvus.yaml")]
    [InlineData("GPU_BRUTE_FORCE", """{"nlist":1}""", "nlist", "GPU_BRUTE_FORCE takes no index parameters")]
    public void A_key_the_index_does_not_take_is_UnknownIndexParameter_not_silently_ignored(string indexType, string json, string key, string hint)
    {
        var error = Rejects(indexType, 512, json);
        Assert.Equal("UnknownIndexParameter", error.ErrorId);
        Assert.Equal(key, error.Target);
        Assert.Contains($"'{key}'", error.Message);
        Assert.Contains(hint, error.Message);
    }

    [Fact]
    public void IVF_PQ_needs_m_and_m_must_divide_the_dimension()
    {
        var missing = Rejects("IVF_PQ", 512, """{"nlist":128}""");
        Assert.Equal(("InvalidIndexParameter", "m"), (missing.ErrorId, missing.Target));
        Assert.Contains("needs the index parameter m", missing.Message);

        var indivisible = Rejects("IVF_PQ", 512, """{"m":7}""");
        Assert.Equal(("InvalidIndexParameter", "m"), (indivisible.ErrorId, indivisible.Target));
        Assert.Contains("m = 7 does not divide the dimension 512", indivisible.Message);
        Assert.Contains("e.g. 2, 4, 8", indivisible.Message);
        Assert.Contains("e.g. 64, 128, 256", missing.Message);

        Assert.Contains("does not divide the dimension 100", Rejects("GPU_IVF_PQ", 100, """{"m":3}""").Message);
        Assert.Equal("""{"m":25}""", IndexRules.BuildParamsJson("GPU_IVF_PQ", 100, Json("""{"m":25}""")));
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(32, 64)]
    public void GPU_CAGRA_graph_degree_must_be_less_than_the_intermediate_degree(int intermediate, int graph)
    {
        var error = Rejects("GPU_CAGRA", 512, $$"""{"intermediate_graph_degree":{{intermediate}},"graph_degree":{{graph}}}""");
        Assert.Equal(("InvalidIndexParameter", "graph_degree"), (error.ErrorId, error.Target));
        Assert.Contains($"graph_degree = {graph} must be less than intermediate_graph_degree = {intermediate}", error.Message);
    }

    [Fact]
    public void Unknown_index_types_are_InvalidIndexType()
    {
        var error = Assert.Throws<MilvusOpsException>(() => IndexRules.ValidateBuildParameters("ANNOY", 8, null));
        Assert.Equal(("InvalidIndexType", ErrorKind.InvalidArgument, "ANNOY"), (error.ErrorId, error.Kind, error.Target));
        Assert.Equal("InvalidIndexType", Assert.Throws<MilvusOpsException>(() => IndexRules.SearchParameters("hnsw", null, 10, null)).ErrorId);
    }

    [Fact]
    public void GPU_indexes_take_only_L2_and_IP_and_CPU_indexes_take_all_three_metrics()
    {
        foreach (string indexType in IndexRules.IndexTypes)
        {
            IndexRules.CheckMetric(indexType, MetricType.L2);
            IndexRules.CheckMetric(indexType, MetricType.IP);
            if (IndexRules.IsGpu(indexType))
            {
                var error = Assert.Throws<MilvusOpsException>(() => IndexRules.CheckMetric(indexType, MetricType.COSINE));
                Assert.Equal(("MetricNotSupportedByIndex", ErrorKind.InvalidArgument), (error.ErrorId, error.Kind));
                Assert.Contains("normalize the vectors and use IP", error.Message);
            }
            else
            {
                IndexRules.CheckMetric(indexType, MetricType.COSINE);
            }
        }
        Assert.Equal(["GPU_CAGRA", "GPU_IVF_FLAT", "GPU_IVF_PQ", "GPU_BRUTE_FORCE"], IndexRules.IndexTypes.Where(IndexRules.IsGpu));
    }

    [Fact]
    public void CollectionSpec_Validate_applies_the_build_rules_with_the_collection_dimension()
    {
        var spec = new CollectionSpec { Name = "p", Dimension = 96, IndexType = "IVF_PQ", IndexParametersJson = """{"m":12}""" };
        Assert.Same(spec, spec.Validate());
        Assert.Equal("InvalidIndexParameter", Assert.Throws<MilvusOpsException>(() => (spec with { Dimension = 100 }).Validate()).ErrorId);
        Assert.Equal("InvalidIndexParameter", Assert.Throws<MilvusOpsException>(() => (spec with { IndexType = "HNSW", IndexParametersJson = """{"M":1}""" }).Validate()).ErrorId);
        Assert.Equal("UnknownIndexParameter", Assert.Throws<MilvusOpsException>(() => (spec with { IndexType = "FLAT" }).Validate()).ErrorId);
        var notObject = Assert.Throws<MilvusOpsException>(() => (spec with { IndexParametersJson = "[1, 2]" }).Validate());
        Assert.Equal(("InvalidIndexParameter", ErrorKind.InvalidArgument), (notObject.ErrorId, notObject.Kind));
        Assert.Equal("""{"m":12}""", IndexRules.BuildParamsJson(spec));
    }
}

public sealed class IndexRulesSearchTests
{
    private static MetadataDictionary? Json(string? json) => Metadata.Parse(json);

    private static string Search(string indexType, string? build, int top, string? user) =>
        IndexRules.SearchParamsJson(indexType, MetricType.L2, Json(build), top, Json(user));

    private static MilvusOpsException Rejects(string indexType, string? build, int top, string? user)
    {
        var error = Assert.Throws<MilvusOpsException>(() => Search(indexType, build, top, user));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        return error;
    }

    [Theory]
    // Defaults: graph candidate lists max(top, 64); CAGRA itopk_size the next power of two; nprobe min(8, nlist).
    [InlineData("HNSW", null, 10, null, """{"ef":64}""")]
    [InlineData("HNSW", null, 100, null, """{"ef":100}""")]
    [InlineData("DISKANN", null, 10, null, """{"search_list":64}""")]
    [InlineData("DISKANN", null, 300, null, """{"search_list":300}""")]
    [InlineData("GPU_CAGRA", null, 10, null, """{"itopk_size":64}""")]
    [InlineData("GPU_CAGRA", null, 65, null, """{"itopk_size":128}""")]
    [InlineData("GPU_CAGRA", null, 1024, null, """{"itopk_size":1024}""")]
    [InlineData("GPU_CAGRA", """{"adapt_for_cpu":"true"}""", 10, null, """{"ef":64}""")]
    [InlineData("GPU_CAGRA", """{"adapt_for_cpu":true}""", 5000, null, """{"ef":5000}""")]
    [InlineData("IVF_FLAT", null, 10, null, """{"nprobe":8}""")]
    [InlineData("IVF_SQ8", """{"nlist":4}""", 10, null, """{"nprobe":4}""")]
    [InlineData("IVF_PQ", """{"nlist":"1024","m":8}""", 10, null, """{"nprobe":8}""")]
    [InlineData("SCANN", null, 10, null, """{"nprobe":8}""")]
    [InlineData("GPU_IVF_FLAT", null, 2048, null, """{"nprobe":8}""")]
    [InlineData("GPU_IVF_PQ", null, 1024, null, """{"nprobe":8}""")]
    [InlineData("AUTOINDEX", null, 10, null, "{}")]
    [InlineData("FLAT", null, 16384, null, "{}")]
    [InlineData("GPU_BRUTE_FORCE", null, 10, null, "{}")]
    // The caller's values, validated, win over the defaults.
    [InlineData("HNSW", null, 10, """{"ef":10}""", """{"ef":10}""")]
    [InlineData("HNSW", null, 10, """{"ef":"32"}""", """{"ef":32}""")]
    [InlineData("HNSW", null, 10, """{"ef":2147483647}""", """{"ef":2147483647}""")]
    [InlineData("IVF_FLAT", """{"nlist":1024}""", 10, """{"nprobe":1024}""", """{"nprobe":1024}""")]
    [InlineData("SCANN", """{"nlist":16}""", 10, """{"nprobe":16,"reorder_k":50}""", """{"nprobe":16,"reorder_k":50}""")]
    [InlineData("DISKANN", null, 10, """{"search_list":10}""", """{"search_list":10}""")]
    [InlineData("GPU_CAGRA", null, 10, """{"itopk_size":100,"search_width":4,"min_iterations":2,"max_iterations":10,"team_size":8}""",
        """{"itopk_size":100,"max_iterations":10,"min_iterations":2,"search_width":4,"team_size":8}""")]
    [InlineData("GPU_CAGRA", null, 10, """{"search_width":2,"min_iterations":5,"max_iterations":0,"team_size":0}""",
        """{"itopk_size":64,"max_iterations":0,"min_iterations":5,"search_width":2,"team_size":0}""")]
    [InlineData("GPU_CAGRA", """{"adapt_for_cpu":"TRUE"}""", 10, """{"ef":20}""", """{"ef":20}""")]
    [InlineData("GPU_IVF_PQ", """{"nlist":64}""", 10, """{"nprobe":64}""", """{"nprobe":64}""")]
    [InlineData("AUTOINDEX", null, 10, """{"level":5}""", """{"level":5}""")]
    public void Search_params_are_the_callers_validated_values_plus_documented_defaults(string indexType, string? build, int top, string? user, string expected)
    {
        Assert.Equal(expected, Search(indexType, build, top, user));
    }

    [Fact]
    public void Values_from_a_PowerShell_hashtable_are_converted()
    {
        var user = new Dictionary<string, object?> { ["itopk_size"] = 128L, ["search_width"] = 4.0, ["team_size"] = "16", ["max_iterations"] = (short)3 };
        Assert.Equal("""{"itopk_size":128,"max_iterations":3,"search_width":4,"team_size":16}""",
            IndexRules.SearchParamsJson("GPU_CAGRA", MetricType.IP, null, 10, user));
        var typed = IndexRules.SearchParameters("HNSW", null, 5, new Dictionary<string, object?> { ["ef"] = 40 });
        Assert.Equal(40L, typed["ef"]);
    }

    [Theory]
    [InlineData("HNSW", null, 10, """{"ef":5}""", "ef", "ef = 5", "10 to 2147483647 (at least -Top 10)")]
    [InlineData("HNSW", null, 10, """{"ef":9.5}""", "ef", "ef = 9.5 is not an integer", "at least -Top 10")]
    [InlineData("HNSW", null, 10, """{"ef":"lots"}""", "ef", "'lots' is not an integer", "HNSW")]
    [InlineData("IVF_FLAT", null, 10, """{"nprobe":0}""", "nprobe", "nprobe = 0", "1 to 128")]
    [InlineData("IVF_FLAT", null, 10, """{"nprobe":129}""", "nprobe", "nprobe = 129", "at most the index's nlist = 128, Milvus's default")]
    [InlineData("IVF_PQ", """{"nlist":16,"m":8}""", 10, """{"nprobe":17}""", "nprobe", "nprobe = 17", "1 to 16 (at most the index's nlist = 16)")]
    [InlineData("GPU_IVF_FLAT", """{"nlist":32}""", 10, """{"nprobe":33}""", "nprobe", "nprobe = 33", "1 to 32")]
    [InlineData("SCANN", null, 10, """{"reorder_k":9}""", "reorder_k", "reorder_k = 9", "at least -Top 10")]
    [InlineData("DISKANN", null, 50, """{"search_list":49}""", "search_list", "search_list = 49", "50 to 2147483647")]
    [InlineData("GPU_CAGRA", null, 100, """{"itopk_size":64}""", "itopk_size", "itopk_size = 64", "at least -Top 100")]
    [InlineData("GPU_CAGRA", null, 10, """{"team_size":3}""", "team_size", "team_size = 3", "one of 0, 2, 4, 8, 16, 32")]
    [InlineData("GPU_CAGRA", null, 10, """{"search_width":0}""", "search_width", "search_width = 0", "1 to 2147483647")]
    [InlineData("GPU_CAGRA", null, 10, """{"min_iterations":-1}""", "min_iterations", "min_iterations = -1", "0 to 2147483647")]
    [InlineData("GPU_CAGRA", null, 10, """{"min_iterations":10,"max_iterations":5}""", "min_iterations", "min_iterations = 10 is more than max_iterations = 5", "GPU_CAGRA")]
    [InlineData("GPU_CAGRA", """{"adapt_for_cpu":"true"}""", 10, """{"ef":9}""", "ef", "ef = 9", "adapt_for_cpu")]
    [InlineData("AUTOINDEX", null, 10, """{"level":0}""", "level", "level = 0", "1 to 5")]
    [InlineData("AUTOINDEX", null, 10, """{"level":6}""", "level", "level = 6", "1 to 5")]
    public void Out_of_range_or_mistyped_values_are_InvalidSearchParameter(string indexType, string? build, int top, string user,
        string parameter, string value, string range)
    {
        var error = Rejects(indexType, build, top, user);
        Assert.Equal("InvalidSearchParameter", error.ErrorId);
        Assert.Equal(parameter, error.Target);
        Assert.Contains(value, error.Message);
        Assert.Contains(range, error.Message);
    }

    [Theory]
    [InlineData("HNSW", null, """{"EF":64}""", "EF", "Did you mean 'ef'?")]
    [InlineData("HNSW", null, """{"nprobe":16}""", "nprobe", "'nprobe' belongs to IVF_FLAT, IVF_SQ8, IVF_PQ, SCANN, GPU_IVF_FLAT, GPU_IVF_PQ. HNSW takes: ef.")]
    [InlineData("HNSW", null, """{"itopk_size":128}""", "itopk_size", "HNSW is a CPU index. On a GPU stack, -IndexType GPU_CAGRA does graph search on the GPU")]
    [InlineData("HNSW", null, """{"radius":0.5}""", "radius", "range search is not supported by MilvusOps")]
    [InlineData("IVF_FLAT", null, """{"range_filter":0.1}""", "range_filter", "range search is not supported by MilvusOps")]
    [InlineData("HNSW", null, """{"metric_type":"IP"}""", "metric_type", "the collection's metric")]
    [InlineData("HNSW", null, """{"limit":5}""", "limit", "-Top")]
    [InlineData("FLAT", null, """{"nprobe":8}""", "nprobe", "FLAT takes no search parameters")]
    [InlineData("GPU_BRUTE_FORCE", null, """{"ef":64}""", "ef", "GPU_BRUTE_FORCE takes no search parameters")]
    [InlineData("DISKANN", null, """{"search_list_size":64}""", "search_list_size", "DISKANN takes: search_list.")]
    [InlineData("GPU_CAGRA", """{"adapt_for_cpu":"true"}""", """{"itopk_size":64}""", "itopk_size", "built with adapt_for_cpu, so it searches on the CPU and takes ef instead")]
    [InlineData("GPU_CAGRA", null, """{"ef":64}""", "ef", "GPU_CAGRA takes: itopk_size, search_width, min_iterations, max_iterations, team_size.")]
    public void A_key_the_index_does_not_take_is_UnknownSearchParameter(string indexType, string? build, string user, string key, string hint)
    {
        var error = Rejects(indexType, build, 10, user);
        Assert.Equal("UnknownSearchParameter", error.ErrorId);
        Assert.Equal(key, error.Target);
        Assert.Contains(hint, error.Message);
    }

    [Theory]
    [InlineData("GPU_CAGRA", null, 1025, "at most 1024")]
    [InlineData("GPU_IVF_PQ", null, 1025, "at most 1024")]
    [InlineData("GPU_IVF_FLAT", null, 2049, "at most 2048")]
    [InlineData("HNSW", null, 16385, "between 1 and 16384")]
    [InlineData("FLAT", null, 0, "between 1 and 16384")]
    [InlineData("GPU_CAGRA", """{"adapt_for_cpu":"true"}""", 16385, "between 1 and 16384")]
    public void Top_beyond_the_index_limit_is_InvalidTop(string indexType, string? build, int top, string limit)
    {
        var error = Rejects(indexType, build, top, null);
        Assert.Equal(("InvalidTop", (object)top), (error.ErrorId, error.Target));
        Assert.Contains(limit, error.Message);
        Assert.Equal(IndexRules.MaxTop(indexType, Json(build)), limit.Contains("1024") ? 1024 : limit.Contains("2048") ? 2048 : SearchRequest.MaxTop);
    }

    [Fact]
    public void A_GPU_index_with_COSINE_fails_and_the_collection_overload_reads_the_collection()
    {
        var cagra = new PatternCollection
        {
            Name = "c", Dimension = 8, Metric = MetricType.COSINE, IndexType = "GPU_CAGRA", Fields = [],
            IndexParameters = Json("""{"graph_degree":32}"""),
        };
        Assert.Equal("MetricNotSupportedByIndex", Assert.Throws<MilvusOpsException>(() => IndexRules.SearchParamsJson(cagra, 10, null)).ErrorId);
        var ivf = new PatternCollection { Name = "i", Dimension = 8, Metric = MetricType.L2, IndexType = "IVF_FLAT", Fields = [], IndexParameters = Json("""{"nlist":2}""") };
        Assert.Equal("""{"nprobe":2}""", IndexRules.SearchParamsJson(ivf, 10, null));
    }

    [Fact]
    public void Build_parameters_are_read_leniently_so_an_old_collection_stays_searchable()
    {
        // A collection recorded before these rules (or described by a server) may hold values the rules refuse.
        Assert.Equal("""{"nprobe":8}""", Search("IVF_FLAT", """{"nlist":"many","extra":1}""", 10, null));
        Assert.Equal("""{"nprobe":8}""", Search("IVF_FLAT", """{"nlist":0}""", 10, null));
        Assert.Equal("""{"itopk_size":64}""", Search("GPU_CAGRA", """{"adapt_for_cpu":"maybe"}""", 10, null));
    }

    [Fact]
    public void The_first_error_reported_does_not_depend_on_hashtable_order()
    {
        var forward = new Dictionary<string, object?> { ["zz"] = 1, ["ef"] = 1 };
        var backward = new Dictionary<string, object?> { ["ef"] = 1, ["zz"] = 1 };
        var a = Assert.Throws<MilvusOpsException>(() => IndexRules.SearchParameters("HNSW", null, 10, forward));
        var b = Assert.Throws<MilvusOpsException>(() => IndexRules.SearchParameters("HNSW", null, 10, backward));
        Assert.Equal((a.ErrorId, a.Message), (b.ErrorId, b.Message));
        Assert.Equal("InvalidSearchParameter", a.ErrorId);
    }
}

public sealed class IndexRulesSearchMetricTests
{
    private static PatternCollection Described(string indexType, MetricType? metric) => new()
    {
        Name = "foreign", Dimension = 4, Metric = metric, IndexType = indexType, VectorField = "embedding",
        Fields = [new("id", "Int64", IsPrimaryKey: true), new("embedding", "FloatVector", Dimension: 4)],
    };

    [Fact]
    public void A_collection_without_an_index_is_IndexNotFound_before_any_search()
    {
        var error = Assert.Throws<MilvusOpsException>(() => IndexRules.SearchParamsJson(Described(IndexRules.NoIndex, null), 10, null));
        Assert.Equal(("IndexNotFound", ErrorKind.ObjectNotFound, "foreign"), (error.ErrorId, error.Kind, error.Target));
    }

    [Fact]
    public void A_metric_MilvusOps_does_not_search_by_is_CollectionSchemaNotSupported()
    {
        var error = Assert.Throws<MilvusOpsException>(() => IndexRules.SearchParamsJson(Described("BIN_FLAT", null), 10, null));
        Assert.Equal(("CollectionSchemaNotSupported", ErrorKind.InvalidOperation), (error.ErrorId, error.Kind));
        Assert.Contains("BIN_FLAT", error.Message);
    }

    [Fact]
    public void A_described_metric_is_searched_by()
    {
        Assert.Equal(MetricType.IP, IndexRules.SearchMetric("foreign", "IVF_FLAT", MetricType.IP));
        Assert.Equal("""{"nprobe":8}""", IndexRules.SearchParamsJson(Described("IVF_FLAT", MetricType.IP), 10, null));
    }
}
