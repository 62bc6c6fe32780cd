using System.Globalization;
using System.Text;

namespace MilvusOps.Model;

/// <summary>
/// Milvus 2.5's rules for each vector index type, in one place: the build parameters it takes
/// (-IndexParameter), the search parameters it takes (-SearchParameter), their types and ranges, how they
/// relate to the dimension, to nlist and to the top-k, which metrics it supports and how many hits a query
/// may ask for. <see cref="CollectionSpec.Validate"/>, the embedded store's search and the Milvus backend's
/// request builder all apply these rules, so bad input fails the same way on both backends, before
/// anything is sent to Milvus.
/// </summary>
/// <remarks>
/// <para>Sources: the Milvus 2.5 documentation (reference/index.md, disk_index.md and gpu_index.md;
/// userGuide/manage-indexes/floating-vector/*.md) and the knowhere index configurations that Milvus 2.5
/// validates parameters with (src/index/hnsw, ivf, diskann and gpu_cuvs *_config.h). Where the two
/// disagree, the stricter one that Milvus actually enforces wins: IVF_PQ nbits is [1, 24] (the docs
/// say [1, 64], but FAISS rejects more than 24 bits), and GPU_IVF_PQ nbits is [4, 8] (the cuVS limit;
/// the docs say [1, 16]).</para>
/// <para>Keys are case-sensitive, as in Milvus. Milvus does not reject a key it does not know, so a typo
/// such as "efconstruction" would build with the default and nobody would notice; here an unknown key is
/// an error that names the keys the index takes and suggests the closest one.</para>
/// <para>Values: an integer parameter takes an integer, an integral number (16.0) or a string of
/// decimal digits ("16"). Milvus receives every parameter as a string and parses it, so "16" is what it
/// accepts too; 16.5, $true or "sixteen" are errors. A boolean parameter takes true/false or the strings
/// "true"/"false" in any case. A choice (build_algo) matches case-insensitively.
/// <see cref="BuildParamsJson(string, int, IReadOnlyDictionary{string, object})"/> and
/// <see cref="SearchParamsJson(string, MetricType, IReadOnlyDictionary{string, object}, int, IReadOnlyDictionary{string, object})"/>
/// write the canonical forms Milvus expects.</para>
/// </remarks>
public static class IndexRules
{
    /// <summary>Milvus's nlist bound for the IVF family and SCANN (also nprobe's absolute bound).</summary>
    public const int MaxNList = 65536;

    /// <summary>HNSW's M and efConstruction when the build parameters leave them out (Milvus 2.5's defaults).</summary>
    public const int DefaultHnswM = 30, DefaultHnswEfConstruction = 360;

    /// <summary>HNSW's M and efConstruction from validated build parameters, with Milvus's defaults for those not given.</summary>
    public static (int M, int EfConstruction) HnswBuildParameters(IReadOnlyDictionary<string, object?>? parameters)
    {
        static int Read(IReadOnlyDictionary<string, object?>? parameters, string key, int fallback) =>
            parameters is not null && parameters.TryGetValue(key, out var value) && TryInteger(value, out long n) ? (int)n : fallback;
        return (Read(parameters, "M", DefaultHnswM), Read(parameters, "efConstruction", DefaultHnswEfConstruction));
    }

    /// <summary>nlist when the collection's build parameters do not set it (Milvus 2.5 and knowhere default).</summary>
    public const int DefaultNList = 128;

    /// <summary>
    /// The floor of the candidate list the default search parameters keep for graph indexes (HNSW ef,
    /// DISKANN search_list, GPU_CAGRA itopk_size). 64 is knowhere's own floor for CAGRA's itopk_size;
    /// its floor for HNSW ef and DiskANN search_list is 16, which loses recall at small top-k.
    /// </summary>
    public const int DefaultCandidateFloor = 64;

    /// <summary>nprobe when the caller gives none: Milvus 2.5's documented default, clipped to nlist.</summary>
    public const int DefaultNProbe = 8;

    private const long IntMax = int.MaxValue;

    /// <summary>Index types Milvus 2.5 builds on float vectors.</summary>
    public static IReadOnlyList<string> IndexTypes { get; } =
    [
        "AUTOINDEX", "FLAT", "IVF_FLAT", "IVF_SQ8", "IVF_PQ", "HNSW", "DISKANN", "SCANN",
        "GPU_CAGRA", "GPU_IVF_FLAT", "GPU_IVF_PQ", "GPU_BRUTE_FORCE",
    ];

    private static readonly IReadOnlyList<string> CagraBuildAlgorithms = ["IVF_PQ", "NN_DESCENT"];
    private static readonly IReadOnlyList<long> CagraTeamSizes = [0, 2, 4, 8, 16, 32];

    // Build parameters per index type; a type missing here takes none.
    private static readonly Dictionary<string, ParamRule[]> BuildRules = new(StringComparer.Ordinal)
    {
        ["HNSW"] = [Int("M", 2, 2048), Int("efConstruction", 1, IntMax)],
        ["IVF_FLAT"] = [NList()],
        ["IVF_SQ8"] = [NList()],
        ["IVF_PQ"] = [NList(), Int("m", 1, MaxNList, "a divisor of the dimension"), Int("nbits", 1, 24)],
        ["SCANN"] = [NList(), Bool("with_raw_data")],
        ["GPU_IVF_FLAT"] = [NList(), Bool("cache_dataset_on_device")],
        ["GPU_IVF_PQ"] = [NList(), Int("m", 0, MaxNList, "0 lets Milvus choose; otherwise a divisor of the dimension"), Int("nbits", 4, 8), Bool("cache_dataset_on_device")],
        ["GPU_CAGRA"] =
        [
            Int("intermediate_graph_degree", 1, IntMax), Int("graph_degree", 1, IntMax, "less than intermediate_graph_degree"),
            new ParamRule("build_algo", ValueKind.Choice, Choices: CagraBuildAlgorithms),
            Bool("cache_dataset_on_device"), Bool("adapt_for_cpu"),
        ],
    };

    // Why an index takes no build parameters, for the error message.
    private static readonly Dictionary<string, string> NoBuildParameters = new(StringComparer.Ordinal)
    {
        ["AUTOINDEX"] = "Milvus chooses the index and its parameters itself",
        ["FLAT"] = "it compares the query with every vector",
        ["DISKANN"] = "in Milvus 2.5 its build settings (MaxDegree, SearchListSize, ...) are server configuration (DiskIndex in milvus.yaml)",
        ["GPU_BRUTE_FORCE"] = "it compares the query with every vector on the GPU",
    };

    // Keys people reach for that MilvusOps takes elsewhere or not at all.
    private static readonly Dictionary<string, string> BuildHints = new(StringComparer.OrdinalIgnoreCase)
    {
        ["index_type"] = "the index type is -IndexType",
        ["metric_type"] = "the metric is -Metric",
        ["dim"] = "the dimension is -Dimension",
    };

    private static readonly Dictionary<string, string> SearchHints = new(StringComparer.OrdinalIgnoreCase)
    {
        ["radius"] = "range search is not supported by MilvusOps; use -Top and -Filter",
        ["range_filter"] = "range search is not supported by MilvusOps; use -Top and -Filter",
        ["metric_type"] = "a search always uses the collection's metric",
        ["limit"] = "the number of hits is -Top",
        ["topk"] = "the number of hits is -Top",
        ["offset"] = "paging through hits is not supported; raise -Top",
        ["group_by_field"] = "grouping search is not supported by MilvusOps",
    };

    /// <summary>True for the index types that only a GPU build of Milvus (the milvus -gpu image) has.</summary>
    public static bool IsGpu(string indexType) => indexType.StartsWith("GPU_", StringComparison.Ordinal);

    /// <summary>The metrics an index type supports: GPU indexes in Milvus 2.5 take only L2 and IP.</summary>
    public static IReadOnlyList<MetricType> Metrics(string indexType) =>
        IsGpu(indexType) ? [MetricType.L2, MetricType.IP] : [MetricType.L2, MetricType.IP, MetricType.COSINE];

    /// <summary>Fails with InvalidIndexType unless Milvus 2.5 builds this index type (names are upper case).</summary>
    public static void CheckIndexType(string indexType)
    {
        if (!IndexTypes.Contains(indexType, StringComparer.Ordinal))
            throw Invalid("InvalidIndexType", $"Index type '{indexType}' is not known. Use one of: {string.Join(", ", IndexTypes)}.", indexType);
    }

    /// <summary>Fails with MetricNotSupportedByIndex when the index type cannot use the metric.</summary>
    public static void CheckMetric(string indexType, MetricType metric)
    {
        CheckIndexType(indexType);
        if (!Metrics(indexType).Contains(metric))
            throw Invalid("MetricNotSupportedByIndex",
                $"{indexType} supports only L2 and IP, not {metric}. For cosine similarity, normalize the vectors and use IP.", indexType);
    }

    /// <summary>
    /// Checks an index's build parameters and returns them in canonical form (integers as long,
    /// booleans as "true"/"false", choices upper case), keyed in ordinal order. Fails with
    /// UnknownIndexParameter for a key the index does not take and InvalidIndexParameter for a value
    /// of the wrong type, out of range, or in conflict (IVF_PQ needs m, and m must divide the dimension;
    /// GPU_CAGRA's graph_degree must be less than intermediate_graph_degree).
    /// </summary>
    public static IReadOnlyDictionary<string, object> ValidateBuildParameters(string indexType, int dimension, IReadOnlyDictionary<string, object?>? parameters)
    {
        CheckIndexType(indexType);
        var rules = BuildRules.GetValueOrDefault(indexType, []);
        var result = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (string key in SortedKeys(parameters))
        {
            var rule = rules.FirstOrDefault(r => r.Name == key)
                ?? throw UnknownBuildParameter(indexType, key, rules);
            result[key] = Convert(rule, parameters![key], indexType, "InvalidIndexParameter", "Index parameter", minNote: null);
        }
        CheckBuildRelations(indexType, dimension, result);
        return result;
    }

    /// <summary>
    /// The build parameters as the JSON object Milvus gets as the index's <c>params</c>: only the keys
    /// given, validated and in canonical form; Milvus applies its own defaults for the rest.
    /// </summary>
    public static string BuildParamsJson(string indexType, int dimension, IReadOnlyDictionary<string, object?>? parameters) =>
        Metadata.Serialize(ValidateBuildParameters(indexType, dimension, parameters));

    /// <summary>The build parameters of a spec as the JSON object Milvus gets as the index's <c>params</c>.</summary>
    public static string BuildParamsJson(CollectionSpec spec) =>
        BuildParamsJson(spec.IndexType, spec.Dimension, CollectionSpec.ParseIndexParameters(spec.IndexParametersJson));

    /// <summary>
    /// The largest top-k Milvus 2.5 serves from this index: 1024 for GPU_CAGRA (unless built with
    /// adapt_for_cpu, which searches on the CPU) and GPU_IVF_PQ, 2048 for GPU_IVF_FLAT (gpu_index.md,
    /// knowhere's cuVS configs), and <see cref="SearchRequest.MaxTop"/> for everything else.
    /// </summary>
    public static int MaxTop(string indexType, IReadOnlyDictionary<string, object?>? buildParameters) => indexType switch
    {
        "GPU_CAGRA" when !BuildView.Of(buildParameters).AdaptForCpu => 1024,
        "GPU_IVF_PQ" => 1024,
        "GPU_IVF_FLAT" => 2048,
        _ => SearchRequest.MaxTop,
    };

    /// <summary>Fails with InvalidTop unless 1 ≤ top ≤ <see cref="SearchRequest.MaxTop"/> (Milvus's topk bound).</summary>
    public static void CheckTop(int top)
    {
        if (top < 1 || top > SearchRequest.MaxTop)
            throw Invalid("InvalidTop", $"-Top must be between 1 and {SearchRequest.MaxTop}; it was {top}.", top);
    }

    /// <summary>Fails with InvalidTop when top is outside Milvus's bound or the index's own limit (<see cref="MaxTop"/>).</summary>
    public static void CheckTop(string indexType, IReadOnlyDictionary<string, object?>? buildParameters, int top)
    {
        CheckTop(top);
        int max = MaxTop(indexType, buildParameters);
        if (top > max)
            throw Invalid("InvalidTop", $"-Top {top} is too large for a {indexType} index: Milvus returns at most {max} hits per query from it. Use -Top 1 to {max}.", top);
    }

    /// <summary>
    /// Checks search parameters against the collection's index and returns the parameters a search
    /// uses: the caller's, validated, plus a default for each one the caller left out where MilvusOps
    /// chooses one. All search parameters are integers.
    /// </summary>
    /// <remarks>
    /// <para>What each index takes (Milvus 2.5): HNSW ef in [top, 2^31-1]; IVF_FLAT, IVF_SQ8, IVF_PQ,
    /// GPU_IVF_FLAT and GPU_IVF_PQ nprobe in [1, nlist]; SCANN nprobe and reorder_k in [top, 2^31-1];
    /// DISKANN search_list in [top, 2^31-1]; GPU_CAGRA itopk_size in [top, 2^31-1] (Milvus rounds it up to a
    /// multiple of 32 itself; a power of two is customary, not required), search_width ≥ 1,
    /// min_iterations and max_iterations ≥ 0 (0 = automatic; min ≤ max when both are set), team_size in
    /// {0, 2, 4, 8, 16, 32}; a GPU_CAGRA index built with adapt_for_cpu searches on the CPU and takes ef
    /// in [top, 2^31-1] instead; AUTOINDEX level in [1, 5]; FLAT and GPU_BRUTE_FORCE take none. The
    /// generic range-search keys radius and range_filter are refused: MilvusOps does not do range search.</para>
    /// <para>Defaults, and why: HNSW ef, DISKANN search_list and (adapt_for_cpu) GPU_CAGRA ef =
    /// max(top, 64): knowhere's own default is max(top, 16), which loses recall for small top-k; 64 is the
    /// floor knowhere uses for CAGRA. GPU_CAGRA itopk_size = the smallest power of two ≥ max(top, 64):
    /// knowhere's default is max(top, 64) rounded up to a multiple of 32, and the Milvus GPU docs advise a
    /// power of two. nprobe = min(8, nlist): Milvus 2.5's documented default; nlist is the collection's,
    /// or 128 when it set none. Everything else is left to Milvus (SCANN reorder_k defaults to top there,
    /// AUTOINDEX level to 1, CAGRA search_width is derived from top).</para>
    /// <para>Fails with UnknownSearchParameter for a key the index does not take, InvalidSearchParameter
    /// for a value of the wrong type or out of range, InvalidTop for a top-k over the index's limit, and
    /// InvalidIndexType for an index type Milvus 2.5 does not build.</para>
    /// </remarks>
    public static IReadOnlyDictionary<string, long> SearchParameters(string indexType, IReadOnlyDictionary<string, object?>? buildParameters, int top,
        IReadOnlyDictionary<string, object?>? userParameters)
    {
        CheckIndexType(indexType);
        CheckTop(indexType, buildParameters, top);
        var build = BuildView.Of(buildParameters);
        var rules = SearchRules(indexType, build, top);
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string key in SortedKeys(userParameters))
        {
            var rule = rules.FirstOrDefault(r => r.Name == key)
                ?? throw UnknownSearchParameter(indexType, key, rules, build);
            string? minNote = rule.AtLeastTop ? $"at least -Top {top}" : null;
            result[key] = (long)Convert(rule, userParameters![key], indexType, "InvalidSearchParameter", "Search parameter", minNote);
        }
        if (result.TryGetValue("min_iterations", out long minIterations) && result.TryGetValue("max_iterations", out long maxIterations)
            && maxIterations > 0 && minIterations > maxIterations)
            throw Invalid("InvalidSearchParameter",
                $"Search parameter min_iterations = {minIterations} is more than max_iterations = {maxIterations} for {indexType}. Set min_iterations ≤ max_iterations, or max_iterations = 0 to let Milvus choose.", "min_iterations");
        foreach (var (key, value) in Defaults(indexType, build, top))
            result.TryAdd(key, value);
        return result;
    }

    /// <summary>
    /// The JSON object Milvus gets as the search's <c>params</c> (search_params["params"]): the caller's
    /// search parameters validated for the collection's index, plus MilvusOps's defaults, e.g.
    /// <c>{"ef":64}</c> for an HNSW search with top 10. See
    /// <see cref="SearchParameters(string, IReadOnlyDictionary{string, object}, int, IReadOnlyDictionary{string, object})"/>
    /// for the rules, the defaults and the errors.
    /// </summary>
    /// <param name="indexType">The collection's index type, e.g. HNSW.</param>
    /// <param name="metric">The collection's metric; a GPU index with COSINE fails with MetricNotSupportedByIndex.</param>
    /// <param name="buildParameters">The index's build parameters (the collection's IndexParameters); only nlist
    /// and adapt_for_cpu are read, leniently. Values may be numbers or strings, as DescribeIndex returns them.</param>
    /// <param name="top">The search's top-k (limit).</param>
    /// <param name="userParameters">-SearchParameter: int, long, double or string values.</param>
    public static string SearchParamsJson(string indexType, MetricType metric, IReadOnlyDictionary<string, object?>? buildParameters, int top,
        IReadOnlyDictionary<string, object?>? userParameters)
    {
        CheckMetric(indexType, metric);
        return Metadata.Serialize(SearchParameters(indexType, buildParameters, top, userParameters));
    }

    /// <summary>
    /// <see cref="SearchParamsJson(string, MetricType, IReadOnlyDictionary{string, object}, int, IReadOnlyDictionary{string, object})"/>
    /// for a described collection.
    /// </summary>
    public static string SearchParamsJson(PatternCollection collection, int top, IReadOnlyDictionary<string, object?>? userParameters) =>
        SearchParamsJson(collection.IndexType, SearchMetric(collection.Name, collection.IndexType, collection.Metric), collection.IndexParameters, top, userParameters);

    /// <summary>The <see cref="PatternCollection.IndexType"/> of a collection whose vector field has no index.</summary>
    public const string NoIndex = "NONE";

    /// <summary>
    /// The metric a collection is searched by. A collection described without one cannot be searched: its vector
    /// field has no index (Milvus cannot load it), or the index's metric is one for other kinds of vectors.
    /// </summary>
    public static MetricType SearchMetric(string collection, string indexType, MetricType? metric) =>
        metric ?? throw (indexType == NoIndex
            ? new MilvusOpsException("IndexNotFound", ErrorKind.ObjectNotFound,
                $"Collection '{collection}' has no index on its vector field, so Milvus can neither load nor search it. Build one first (in Attu, or with pymilvus create_index).", collection)
            : new MilvusOpsException("CollectionSchemaNotSupported", ErrorKind.InvalidOperation,
                $"Collection '{collection}' has a {indexType} index whose metric MilvusOps does not search by: it searches float vectors by L2, IP or COSINE.", collection));

    private static IReadOnlyList<ParamRule> SearchRules(string indexType, BuildView build, int top)
    {
        // nprobe beyond nlist would be clipped silently; the collection's nlist (or the default) is known, so say so.
        var nprobe = Int("nprobe", 1, build.NList, $"at most the index's nlist = {build.NList}{(build.NListGiven ? "" : ", Milvus's default")}");
        return indexType switch
        {
            "HNSW" => [TopBound("ef", top)],
            "IVF_FLAT" or "IVF_SQ8" or "IVF_PQ" or "GPU_IVF_FLAT" or "GPU_IVF_PQ" => [nprobe],
            "SCANN" => [nprobe, TopBound("reorder_k", top)],
            "DISKANN" => [TopBound("search_list", top)],
            "GPU_CAGRA" when build.AdaptForCpu => [TopBound("ef", top) with { Note = "built with adapt_for_cpu, GPU_CAGRA searches on the CPU" }],
            "GPU_CAGRA" =>
            [
                TopBound("itopk_size", top), Int("search_width", 1, IntMax), Int("min_iterations", 0, IntMax, "0 lets Milvus choose"),
                Int("max_iterations", 0, IntMax, "0 lets Milvus choose"),
                new ParamRule("team_size", ValueKind.Integer, 0, 32, Allowed: CagraTeamSizes, Note: "0 lets Milvus choose"),
            ],
            "AUTOINDEX" => [Int("level", 1, 5)],
            _ => [],
        };
    }

    private static IEnumerable<(string Key, long Value)> Defaults(string indexType, BuildView build, int top)
    {
        long candidates = Math.Max(top, DefaultCandidateFloor);
        switch (indexType)
        {
            case "HNSW":
                yield return ("ef", candidates);
                break;
            case "DISKANN":
                yield return ("search_list", candidates);
                break;
            case "GPU_CAGRA" when build.AdaptForCpu:
                yield return ("ef", candidates);
                break;
            case "GPU_CAGRA":
                yield return ("itopk_size", NextPowerOfTwo(candidates));
                break;
            case "IVF_FLAT" or "IVF_SQ8" or "IVF_PQ" or "SCANN" or "GPU_IVF_FLAT" or "GPU_IVF_PQ":
                yield return ("nprobe", Math.Min(DefaultNProbe, build.NList));
                break;
        }
    }

    private static void CheckBuildRelations(string indexType, int dimension, SortedDictionary<string, object> parameters)
    {
        switch (indexType)
        {
            case "IVF_PQ" when !parameters.ContainsKey("m"):
                throw Invalid("InvalidIndexParameter",
                    $"IVF_PQ needs the index parameter m, the number of sub-vectors: a divisor of the dimension {dimension} ({DivisorHint(dimension, dimension / 2)}).", "m");
            case "IVF_PQ" or "GPU_IVF_PQ" when parameters.TryGetValue("m", out var m) && (long)m != 0 && dimension % (long)m != 0:
                throw Invalid("InvalidIndexParameter",
                    $"Index parameter m = {m} does not divide the dimension {dimension}, so {indexType} cannot split vectors into m sub-vectors. Use {DivisorHint(dimension, (long)m)}.", "m");
            case "GPU_CAGRA" when parameters.TryGetValue("graph_degree", out var graph) && parameters.TryGetValue("intermediate_graph_degree", out var intermediate)
                && (long)graph >= (long)intermediate:
                throw Invalid("InvalidIndexParameter",
                    $"Index parameter graph_degree = {graph} must be less than intermediate_graph_degree = {intermediate} for GPU_CAGRA: the graph is pruned from the intermediate degree down to graph_degree.", "graph_degree");
        }
    }

    // The divisors of the dimension nearest the requested m, so the message offers values that work.
    private static string DivisorHint(int dimension, long near)
    {
        var divisors = Enumerable.Range(1, dimension).Where(d => dimension % d == 0)
            .OrderBy(d => Math.Abs(d - near)).ThenBy(d => d).Take(3).OrderBy(d => d);
        return "e.g. " + string.Join(", ", divisors);
    }

    private static long NextPowerOfTwo(long value)
    {
        long power = 1;
        while (power < value) power <<= 1;
        return power;
    }

    private static object Convert(ParamRule rule, object? value, string indexType, string errorId, string role, string? minNote)
    {
        switch (rule.Kind)
        {
            case ValueKind.Integer:
                if (!TryInteger(value, out long number))
                    throw Invalid(errorId, $"{role} {rule.Name} = {Show(value)} is not an integer; {indexType} takes {Describe(rule, minNote)}.", rule.Name);
                bool inRange = rule.Allowed is { } allowed ? allowed.Contains(number) : number >= rule.Min && number <= rule.Max;
                if (!inRange)
                    throw Invalid(errorId, $"{role} {rule.Name} = {number} is out of range for {indexType}: Milvus accepts {Describe(rule, minNote)}.", rule.Name);
                return number;
            case ValueKind.Boolean:
                return value switch
                {
                    bool b => b ? "true" : "false",
                    string s when s.Equals("true", StringComparison.OrdinalIgnoreCase) => "true",
                    string s when s.Equals("false", StringComparison.OrdinalIgnoreCase) => "false",
                    _ => throw Invalid(errorId, $"{role} {rule.Name} = {Show(value)} is not a boolean; {indexType} takes true or false (or the strings \"true\" / \"false\").", rule.Name),
                };
            default:
                string? choice = value is string text ? rule.Choices!.FirstOrDefault(c => c.Equals(text, StringComparison.OrdinalIgnoreCase)) : null;
                return choice ?? throw Invalid(errorId, $"{role} {rule.Name} = {Show(value)} is not one of {string.Join(", ", rule.Choices!)} for {indexType}.", rule.Name);
        }
    }

    private static string Describe(ParamRule rule, string? minNote)
    {
        string range = rule.Allowed is { } allowed ? "one of " + string.Join(", ", allowed) : $"{rule.Min} to {rule.Max}";
        var notes = new[] { minNote, rule.Note }.Where(n => n is not null).ToList();
        return notes.Count == 0 ? range : $"{range} ({string.Join("; ", notes)})";
    }

    /// <summary>Integers, integral numbers and strings of decimal digits; nothing else is an integer to Milvus.</summary>
    internal static bool TryInteger(object? value, out long result)
    {
        switch (value)
        {
            case int or long or short or sbyte or byte or ushort or uint:
                result = System.Convert.ToInt64(value, CultureInfo.InvariantCulture);
                return true;
            case ulong u when u <= long.MaxValue:
                result = (long)u;
                return true;
            case double or float:
                double d = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                // Beyond 2^53 a double no longer names one integer.
                if (double.IsFinite(d) && Math.Floor(d) == d && Math.Abs(d) <= 9007199254740992d)
                {
                    result = (long)d;
                    return true;
                }
                break;
            case decimal m when decimal.Truncate(m) == m && m >= long.MinValue && m <= long.MaxValue:
                result = (long)m;
                return true;
            case string s:
                return long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out result);
        }
        result = 0;
        return false;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        bool b => b ? "$true" : "$false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => $"{value} ({value.GetType().Name})",
    };

    private static MilvusOpsException UnknownBuildParameter(string indexType, string key, IReadOnlyList<ParamRule> rules)
    {
        var message = new StringBuilder();
        message.Append(rules.Count == 0
            ? $"{indexType} takes no index parameters ({NoBuildParameters[indexType]}), so '{key}' cannot be used."
            : $"{indexType} has no index parameter '{key}'.");
        AppendSuggestion(message, indexType, key, rules, BuildHints, OtherOwners(key, indexType, type => BuildRules.GetValueOrDefault(type, [])));
        if (rules.Count > 0) message.Append($" {indexType} takes: {string.Join(", ", rules.Select(r => r.Name))}.");
        return Invalid("UnknownIndexParameter", message.ToString(), key);
    }

    private static MilvusOpsException UnknownSearchParameter(string indexType, string key, IReadOnlyList<ParamRule> rules, BuildView build)
    {
        var message = new StringBuilder();
        message.Append(rules.Count == 0
            ? $"{indexType} takes no search parameters, so '{key}' cannot be used."
            : $"{indexType} has no search parameter '{key}'.");
        var owners = OtherOwners(key, indexType, type => SearchRules(type, BuildView.Default, 1));
        AppendSuggestion(message, indexType, key, rules, SearchHints, owners);
        if (rules.Count > 0) message.Append($" {indexType} takes: {string.Join(", ", rules.Select(r => r.Name))}.");
        if (indexType == "GPU_CAGRA" && build.AdaptForCpu && SearchRules(indexType, BuildView.Default, 1).Any(r => r.Name == key))
            message.Append(" This index was built with adapt_for_cpu, so it searches on the CPU and takes ef instead.");
        return Invalid("UnknownSearchParameter", message.ToString(), key);
    }

    private static void AppendSuggestion(StringBuilder message, string indexType, string key, IReadOnlyList<ParamRule> rules, Dictionary<string, string> hints, IReadOnlyList<string> owners)
    {
        if (hints.TryGetValue(key, out var hint))
        {
            message.Append($" Note: {hint}.");
            return;
        }
        // A case slip or a near-typo of a key this index takes is the likeliest mistake.
        var closest = rules.Select(r => r.Name)
            .Select(name => (Name: name, Distance: name.Equals(key, StringComparison.OrdinalIgnoreCase) ? 0 : EditDistance(name.ToLowerInvariant(), key.ToLowerInvariant())))
            .Where(c => c.Distance <= 2).OrderBy(c => c.Distance).Select(c => c.Name).FirstOrDefault();
        if (closest is not null)
        {
            message.Append($" Did you mean '{closest}'? Parameter names are case-sensitive.");
            return;
        }
        if (owners.Count > 0)
        {
            message.Append($" '{key}' belongs to {string.Join(", ", owners)}.");
            // e.g. itopk_size on HNSW: the operator wants GPU graph search but made a CPU index.
            if (owners.All(IsGpu) && !IsGpu(indexType))
                message.Append($" Those are GPU indexes, built only by a GPU build of Milvus (the milvus -gpu image); {indexType} is a CPU index. On a GPU stack, -IndexType GPU_CAGRA does graph search on the GPU.");
        }
    }

    private static IReadOnlyList<string> OtherOwners(string key, string indexType, Func<string, IReadOnlyList<ParamRule>> rulesOf) =>
        IndexTypes.Where(type => type != indexType && rulesOf(type).Any(r => r.Name == key)).ToList();

    private static int EditDistance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }

    // Hashtables enumerate in no fixed order; sorting makes the first error reported the same every time.
    private static IEnumerable<string> SortedKeys(IReadOnlyDictionary<string, object?>? parameters) =>
        parameters is null ? [] : parameters.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();

    private static ParamRule Int(string name, long min, long max, string? note = null) => new(name, ValueKind.Integer, min, max, Note: note);

    // A candidate-list size that Milvus requires to be at least the top-k.
    private static ParamRule TopBound(string name, int top) => new(name, ValueKind.Integer, top, IntMax, AtLeastTop: true);

    private static ParamRule Bool(string name) => new(name, ValueKind.Boolean);

    private static ParamRule NList() => Int("nlist", 1, MaxNList);

    private static MilvusOpsException Invalid(string errorId, string message, object? target) =>
        new(errorId, ErrorKind.InvalidArgument, message, target);

    private enum ValueKind
    {
        Integer,
        Boolean,
        Choice,
    }

    private sealed record ParamRule(string Name, ValueKind Kind, long Min = 0, long Max = 0,
        IReadOnlyList<string>? Choices = null, IReadOnlyList<long>? Allowed = null, string? Note = null, bool AtLeastTop = false);

    /// <summary>
    /// What search needs from the build parameters. Read leniently: a stored collection made before these
    /// rules, or one described by a Milvus server, must stay searchable, so an unreadable value means
    /// Milvus's default.
    /// </summary>
    private sealed record BuildView(long NList, bool NListGiven, bool AdaptForCpu)
    {
        public static readonly BuildView Default = new(DefaultNList, false, false);

        public static BuildView Of(IReadOnlyDictionary<string, object?>? parameters)
        {
            if (parameters is null) return Default;
            long nlist = DefaultNList;
            bool nlistGiven = parameters.TryGetValue("nlist", out var nlistValue) && TryInteger(nlistValue, out nlist) && nlist >= 1 && nlist <= MaxNList;
            if (!nlistGiven) nlist = DefaultNList;
            bool adapt = parameters.TryGetValue("adapt_for_cpu", out var adaptValue)
                && (adaptValue is true || adaptValue is string s && s.Equals("true", StringComparison.OrdinalIgnoreCase));
            return new BuildView(nlist, nlistGiven, adapt);
        }
    }
}
