using System.Collections;
using System.Text.Json;

namespace MilvusOps.Module.Tests.Contract;

public abstract partial class ContractTests
{
    private const string Search = """
        $s = if ($args[3]) { @{ SearchParameter = $args[3] } } else { @{} }
        $args[1] | Find-SimilarPattern $args[0] -Top $args[2] @s @cx
        """;

    /// <summary>30 fresh vectors and 10 stored ones, each named by its PatternId (which becomes the QueryId).</summary>
    private static List<ContractRow> Queries(IReadOnlyList<ContractRow> rows, int dimension) =>
        Enumerable.Range(0, 30).Select(i => new ContractRow($"q{i:D2}", Vectors.Random(50_000 + i, dimension)))
            .Concat(rows.Where((_, i) => i % 40 == 7).Select(r => new ContractRow("self_" + r.Id, r.Vector)))
            .ToList();

    private static void RequireSeparated(string metric, IEnumerable<ContractRow> queries, IReadOnlyList<ContractRow> rows, int top)
    {
        foreach (var query in queries)
            Assert.True(ContractData.WellSeparated(metric, query.Vector, rows, top, out string detail),
                $"Test data: query {query.Id} has a near tie ({detail}), so backends may order it either way; change the seeds.");
    }

    /// <summary>Every query's hits, on the target and on the reference, against the brute force.</summary>
    private void AssertSearch(string collection, string metric, IReadOnlyList<ContractRow> queries, Func<ContractRow, bool> keep,
        IReadOnlyList<ContractRow> rows, int top, Hashtable? searchParameters = null, string extra = "")
    {
        string script = Search.Replace("@s @cx", "@s " + extra + " @cx", StringComparison.Ordinal);
        var piped = queries.Select(q => q.ToPSObject()).ToArray();
        var onTarget = ContractData.ByQuery(OnTarget(script, collection, piped, top, searchParameters));
        var onReference = ContractData.ByQuery(OnReference(script, collection, piped, top, searchParameters));
        Assert.Equal(queries.Select(q => q.Id), onTarget.Keys);   // one result list per query, in query order
        foreach (var query in queries)
        {
            var expected = ContractData.BruteForce(metric, query.Vector, rows.Where(keep), top);
            SameHits(expected, onTarget.GetValueOrDefault(query.Id), $"{Target.Name} {metric} query {query.Id}");
            SameHits(expected, onReference.GetValueOrDefault(query.Id), $"embedded {metric} query {query.Id}");
        }
    }

    [SkippableTheory]
    [InlineData("L2", "FLAT")]
    [InlineData("IP", "FLAT")]
    [InlineData("COSINE", "FLAT")]
    [InlineData("L2", "IVF_FLAT")]   // nprobe = nlist: every list is scanned, so the search is exact
    [InlineData("IP", "HNSW")]       // ef >= row count: the beam visits every row it reaches; the embedded store then searches exactly
    public void Search_with_many_piped_queries_returns_the_exact_ids_order_and_distances(string metric, string index)
    {
        const int count = 400, dimension = 24, top = 10;
        var (build, search) = index switch
        {
            "IVF_FLAT" => (new Hashtable { ["nlist"] = 8 }, new Hashtable { ["nprobe"] = 8 }),
            "HNSW" => (new Hashtable { ["M"] = 16, ["efConstruction"] = 200 }, new Hashtable { ["ef"] = count }),
            _ => ((Hashtable?)null, (Hashtable?)null),
        };
        var rows = ContractData.SearchRows(count, dimension);
        var queries = Queries(rows, dimension);
        string name = Create("search", dimension, metric, index, build);
        RequireSeparated(metric, queries, rows, top);
        Load(name, rows);
        AssertSearch(name, metric, queries, _ => true, rows, top, search);
    }

    /// <summary>
    /// An approximate index is held to a recall bound against the exact answer, not to identical ids: a small graph
    /// (M = 8, efConstruction = 40) searched with ef = -Top may miss true neighbours, but must find most of them, and
    /// every hit it returns carries its exact distance, best first.
    /// </summary>
    [SkippableTheory]
    [InlineData("L2")]
    [InlineData("COSINE")]
    public void An_approximate_index_finds_most_true_neighbours_each_with_its_exact_distance(string metric)
    {
        const int count = 2000, dimension = 32, top = 10;
        var data = new MilvusOps.Tests.Shared.StructuredVectors(dimension, seed: 21);
        var rows = Enumerable.Range(0, count).Select(i => new ContractRow($"h{i:D4}", data.Row(i))).ToList();
        var queries = Enumerable.Range(0, 40).Select(q => new ContractRow($"q{q:D2}", data.Row(1_000_000 + q))).ToList();
        string name = Create("recall", dimension, metric, "HNSW", new Hashtable { ["M"] = 8, ["efConstruction"] = 40 });
        Load(name, rows);
        var piped = queries.Select(q => q.ToPSObject()).ToArray();
        var byId = rows.ToDictionary(r => r.Id);
        var ef = new Hashtable { ["ef"] = top };
        foreach (var (side, hits) in new[] { (Target.Name, OnTarget(Search, name, piped, top, ef)), ("embedded", OnReference(Search, name, piped, top, ef)) })
        {
            var byQuery = ContractData.ByQuery(hits);
            int found = 0;
            foreach (var query in queries)
            {
                var truth = ContractData.BruteForce(metric, query.Vector, rows, top).Select(t => t.Id).ToHashSet();
                var mine = byQuery.GetValueOrDefault(query.Id) ?? [];
                Assert.Equal(top, mine.Count);
                foreach (var hit in mine)
                {
                    double exact = Vectors.Distance(metric, query.Vector, byId[hit.PatternId].Vector);
                    Assert.True(ContractData.Close(exact, hit.Distance), $"{side} {query.Id}: {hit.PatternId} at {hit.Distance:R}, exactly {exact:R}");
                }
                Assert.True(mine.Zip(mine.Skip(1)).All(p => metric == "L2" ? p.First.Distance <= p.Second.Distance : p.First.Distance >= p.Second.Distance),
                    $"{side} {query.Id}: hits are not best first");
                found += mine.Count(h => truth.Contains(h.PatternId));
            }
            double recall = (double)found / (queries.Count * top);
            Assert.True(recall >= 0.8, $"{side} {metric}: recall@{top} {recall:0.000} is under the bound 0.8");
        }
    }

    [SkippableFact]
    public void Search_quality_is_measured_against_the_exact_neighbours_over_a_sweep()
    {
        const int count = 1500, dimension = 32;
        var data = new MilvusOps.Tests.Shared.StructuredVectors(dimension, seed: 23);
        string name = Create("quality", dimension, "L2", "HNSW", new Hashtable { ["M"] = 8, ["efConstruction"] = 40 }, reference: false);
        Load(name, Enumerable.Range(0, count).Select(i => new ContractRow($"h{i:D4}", data.Row(i))), reference: false);
        string plots = Path.Combine(Path.GetTempPath(), "milvusops-quality-" + Guid.NewGuid().ToString("N"));
        try
        {
            var results = OnTarget("Measure-SearchQuality $args[0] -QueryCount 30 -Sweep @{ ef = 10, 1500 } -Concurrency 2 -PlotPath $args[1] @cx", name, plots);
            Assert.Equal(2, results.Count);
            Assert.Equal(["10", "1500"], results.Select(r => r.Properties["Value"].Value.ToString()));
            foreach (var result in results)
            {
                Assert.Equal(("ef", 30, 10, 2), ((string)result.Properties["Parameter"].Value, (int)result.Properties["Queries"].Value,
                    (int)result.Properties["Top"].Value, (int)result.Properties["Concurrency"].Value));
                double p50 = (double)result.Properties["LatencyP50Ms"].Value, p99 = (double)result.Properties["LatencyP99Ms"].Value;
                Assert.True(0 < p50 && p50 <= p99 && (double)result.Properties["QueriesPerSecond"].Value > 0, $"{Target.Name}: p50 {p50}, p99 {p99}");
            }
            // ef at least the rows visits every row the graph reaches: the exact answer, as for the HNSW contract above.
            Assert.Equal(1.0, (double)results[1].Properties["Recall"].Value);
            Assert.InRange((double)results[0].Properties["Recall"].Value, 0.8, 1.0);
            Assert.Equal([$"{name}-latency.png", $"{name}-recall-qps.png"], Directory.GetFiles(plots).Select(Path.GetFileName).Order());
        }
        finally
        {
            if (Directory.Exists(plots)) Directory.Delete(plots, recursive: true);
        }
    }

    [SkippableFact]
    public void Search_with_a_filter_ranks_only_the_matching_rows()
    {
        const int count = 400, dimension = 24;
        var rows = ContractData.SearchRows(count, dimension);
        var queries = Queries(rows, dimension);
        string name = Create("fsearch", dimension);
        Load(name, rows);

        bool Triad(ContractRow r) => r.Type == "triad" && ContractData.Coherence(r) >= 0.5;
        RequireSeparated("L2", queries, rows.Where(Triad).ToList(), 8);
        AssertSearch(name, "L2", queries, Triad, rows, 8, extra: "-Filter 'pattern_type == \"triad\"' -MinCoherence 0.5");

        // Fewer matches than -Top: each query gets just those.
        string[] few = ["s0003", "s0100", "s0217"];
        AssertSearch(name, "L2", queries, r => few.Contains(r.Id), rows, 10, extra: "-Filter 'pattern_id in [\"s0003\", \"s0100\", \"s0217\"]'");
    }

    [SkippableFact]
    public void Search_hits_carry_the_stored_fields_and_a_stored_pattern_finds_itself_first()
    {
        var rows = ContractData.FilterRows(40);
        string name = Create("hits", 4, reference: false);
        Load(name, rows, reference: false);
        string[] ids = ["f002", "f003", "f006", "f009"];   // null context; null type and metrics; null metrics; nothing null

        var hits = OnTarget("Find-SimilarPattern $args[0] -Id $args[1] -Top 3 @cx", name, ids);
        var byQuery = ContractData.ByQuery(hits);
        Assert.Equal(ids, byQuery.Keys);
        foreach (string id in ids)
        {
            var self = rows.Single(r => r.Id == id);
            SameHits(ContractData.BruteForce("L2", self.Vector, rows, 3), byQuery[id], $"{Target.Name} query {id}");
            Assert.Equal((id, 0d), (byQuery[id][0].PatternId, byQuery[id][0].Distance));
        }
        foreach (var hit in hits.Select(h => (dynamic)h.BaseObject))
        {
            var row = rows.Single(r => r.Id == (string)hit.PatternId);
            Assert.Equal(row.Type, (string?)hit.PatternType);
            Assert.Equal(name, (string)hit.Collection);
            Assert.Equal(row.Metrics is null, hit.CoherenceMetrics is null);
            Assert.Equal(row.Context is null, hit.TemporalContext is null);
            if (row.Metrics is not null)
                Assert.Equal(ContractData.Coherence(row), (double)hit.CoherenceMetrics["quantum_coherence"]);
        }
    }

    // ------------------------------------------------------------------ migration

    private static readonly string[] RejectedKinds =
        ["null_vector", "wrong_dimension", "nan", "malformed_ctx", "duplicate_key", "long_key", "empty_key", "json_too_large"];

    [SkippableFact]
    public void Import_from_a_legacy_file_is_bit_exact_and_passes_the_Fidelity_check()
    {
        var (path, summary) = Target.LegacyFile();
        string name = NewName("legacy");
        const string import = LegacyFiles.ColumnMap + "; Import-SqlitePattern $args[0] $args[1] -ColumnMap $map -CreateCollection -RejectPath $args[2] -BatchSize 150 @cx";
        var report = OnTarget(import, path, name, $"./{name}.target.rejects.jsonl")[0];
        OnReference(import, path, name, $"./{name}.reference.rejects.jsonl");

        long read = Convert.ToInt64(report.Properties["RowsRead"].Value), written = Convert.ToInt64(report.Properties["RowsWritten"].Value);
        int rejected = RejectedKinds.Sum(kind => summary.GetProperty("bad").TryGetProperty(kind, out var n) ? n.GetInt32() : 0);
        Assert.Equal(ContractTarget.LegacyRows, read);
        Assert.Equal(rejected, Convert.ToInt64(report.Properties["RowsRejected"].Value));
        Assert.Equal(read - rejected, written);
        Assert.Equal(written, EntityCount(name));

        const string fidelity = LegacyFiles.ColumnMap + "; Test-PatternCoherence $args[0] -SourcePath $args[1] -ColumnMap $map @cx | Where-Object Check -eq Fidelity";
        var check = OnTarget(fidelity, name, path)[0];
        Assert.True((bool)check.Properties["Passed"].Value, (string)check.Properties["Message"].Value);

        // The target holds what the embedded store holds after the same import.
        var stored = OnTarget("Get-Pattern $args[0] @cx", name).Select(p => (dynamic)p.BaseObject).ToList();
        var reference = OnReference("Get-Pattern $args[0] @cx", name).Select(p => (dynamic)p.BaseObject).ToList();
        Assert.Equal(reference.Count, stored.Count);
        for (int i = 0; i < stored.Count; i++)
        {
            Assert.Equal((string)reference[i].PatternId, (string)stored[i].PatternId);
            Assert.Equal(ContractData.Bits(Vectors.Of(reference[i].Vector)), ContractData.Bits(Vectors.Of(stored[i].Vector)));
            Assert.Equal((string?)reference[i].PatternType, (string?)stored[i].PatternType);
            Assert.True(ContractData.SameJson((string?)reference[i].CoherenceMetricsJson, (string?)stored[i].CoherenceMetricsJson));
            Assert.True(ContractData.SameJson((string?)reference[i].TemporalContextJson, (string?)stored[i].TemporalContextJson));
        }
        Assert.Contains(stored, p => p.PatternType is null);   // the file's NULL kinds arrive as null

        // One ulp in one component is enough for the check to name the pattern: it can fail on this backend.
        dynamic victim = stored[stored.Count / 2];
        var nudged = (float[])(Vectors.Of(victim.Vector)).Clone();
        nudged[3] = MathF.BitIncrement(nudged[3]);
        Load(name, [new ContractRow((string)victim.PatternId, nudged, (string?)victim.PatternType, (string?)victim.CoherenceMetricsJson, (string?)victim.TemporalContextJson)], reference: false);
        check = OnTarget(fidelity, name, path)[0];
        Assert.False((bool)check.Properties["Passed"].Value);
        dynamic violation = ((IEnumerable)check.Properties["Violations"].Value).Cast<object>().Single();
        Assert.Equal(((string)victim.PatternId, "vector[3]"), ((string)violation.PatternId, (string)violation.Field));
    }

    // ------------------------------------------------------------------ errors

    [SkippableFact]
    public void An_unknown_collection_is_CollectionNotFound_and_ObjectNotFound_for_every_cmdlet() =>
        AssertEveryCollectionCmdletFails(NewName("nope"), "CollectionNotFound", ErrorCategory.ObjectNotFound);

    /// <summary>Runs every cmdlet that names a collection on <paramref name="name"/>; each must fail with this error, naming it.</summary>
    private void AssertEveryCollectionCmdletFails(string name, string errorId, ErrorCategory category, params string[] moreScripts)
    {
        string[] scripts =
        [
            .. moreScripts,
            "Get-Pattern $args[0] @cx",
            "Get-Pattern $args[0] a @cx",
            "[pscustomobject]@{ PatternId = 'a'; Vector = 1, 2 } | Add-Pattern $args[0] @cx",
            "Find-SimilarPattern $args[0] -Vector 1, 2 @cx",
            "Remove-Pattern $args[0] a @cx",
            "Remove-Pattern $args[0] -Filter 'pattern_id == \"a\"' @cx",
            "Remove-PatternCollection $args[0] -Confirm:$false -ErrorAction Stop @cx",
            "Get-PatternCollection $args[0] -ErrorAction Stop @cx",
            "Test-PatternCoherence $args[0] @cx",
        ];
        foreach (string script in scripts)
        {
            var error = FailOnTarget(script, name);
            Assert.True(ErrorId(error) == errorId && error.CategoryInfo.Category == category,
                $"{script}: {error.FullyQualifiedErrorId} ({error.CategoryInfo.Category}): {error.Exception.Message}");
            Assert.Equal(name, error.TargetObject);
        }
    }

    [SkippableFact]
    public void A_bad_filter_is_a_ParserError_or_InvalidArgument_and_changes_nothing()
    {
        string name = Create("badfilter", 4, reference: false);
        Load(name, ContractData.FilterRows(10), reference: false);
        string[] cmdlets =
        [
            "Get-Pattern $args[0] -Filter $args[1] @cx",
            "Find-SimilarPattern $args[0] -Vector 1,2,3,4 -Filter $args[1] @cx",
            "Remove-Pattern $args[0] -Filter $args[1] @cx",
        ];
        var cases = new (string Filter, string ErrorId, ErrorCategory Category)[]
        {
            ("pattern_type == ", "FilterSyntaxError", ErrorCategory.ParserError),
            ("pattern_type == \"a\" and (", "FilterSyntaxError", ErrorCategory.ParserError),
            ("colour == \"red\"", "FilterFieldNotFound", ErrorCategory.InvalidArgument),
            ("pattern_type == [1, 2]", "FilterTypeMismatch", ErrorCategory.InvalidArgument),
        };
        foreach (string cmdlet in cmdlets)
            foreach (var (filter, errorId, category) in cases)
            {
                var error = FailOnTarget(cmdlet, name, filter);
                Assert.True(ErrorId(error) == errorId && error.CategoryInfo.Category == category,
                    $"{cmdlet} with '{filter}': {error.FullyQualifiedErrorId} ({error.CategoryInfo.Category}), expected {errorId} ({category})");
                if (category == ErrorCategory.ParserError) Assert.Contains("position", error.Exception.Message);
            }
        Assert.Equal(10L, EntityCount(name));
    }
}
