using System.Collections;

namespace MilvusOps.Module.Tests;

public sealed class PatternTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public PatternTests() => _session.Run("Connect-Milvus ./patterns.db -Create | Out-Null");

    public void Dispose() => _session.Dispose();

    private void AddPatterns(string collection, params Hashtable[] patterns) =>
        _session.Run("$args[1] | ForEach-Object { [pscustomobject]$_ } | Add-Pattern $args[0]", collection, patterns);

    [Fact]
    public void New_collection_has_the_seed_schema_and_Get_reports_exact_counts()
    {
        var created = _session.Run("New-PatternCollection correlation_patterns -IndexParameter @{ M = 16; efConstruction = 200 }")[0];
        Assert.Equal(512, created.Properties["Dimension"].Value);
        Assert.Equal("L2", created.Properties["Metric"].Value.ToString());
        Assert.Equal("HNSW", created.Properties["IndexType"].Value);
        var fields = ((IEnumerable)created.Properties["Fields"].Value).Cast<object>().Select(f => f.ToString()).ToList();
        Assert.Equal(["pattern_id VarChar(100)", "vector FloatVector(512)", "pattern_type VarChar(100) NULL", "coherence_metrics JSON NULL", "temporal_context JSON NULL"], fields);

        AddPatterns("correlation_patterns", Vectors.Pattern("a", Vectors.Random(1)), Vectors.Pattern("b", Vectors.Random(2)));
        var listed = _session.Run("Get-PatternCollection corr*")[0];
        Assert.Equal(2L, listed.Properties["EntityCount"].Value);
    }

    [Fact]
    public void Creating_an_existing_collection_fails_unless_IfNotExists_and_the_schema_matches()
    {
        _session.Run("New-PatternCollection p -Dimension 8 -Metric IP | Out-Null");
        var exists = _session.Fail("New-PatternCollection p -Dimension 8 -Metric IP -ErrorAction Stop");
        Assert.StartsWith("CollectionExists,", exists.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, exists.CategoryInfo.Category);
        Assert.Equal("p", _session.Run("(New-PatternCollection p -Dimension 8 -Metric IP -IfNotExists).Name")[0].ToString());
        var differs = _session.Fail("New-PatternCollection p -Dimension 16 -Metric IP -IfNotExists -ErrorAction Stop");
        Assert.StartsWith("CollectionSchemaMismatch,", differs.FullyQualifiedErrorId);
    }

    [Fact]
    public void Metadata_accepts_hashtables_objects_and_json_and_reads_back_as_indexable_dictionaries()
    {
        _session.Run("New-PatternCollection p -Dimension 3 | Out-Null");
        _session.Run("""
            [pscustomobject]@{ PatternId = 'h'; Vector = 1,2,3; PatternType = 't'; CoherenceMetrics = @{ quantum_coherence = 0.95 } },
            [pscustomobject]@{ Id = 'o'; Embedding = 1,2,3; CoherenceMetrics = [pscustomobject]@{ quantum_coherence = 0.91; nested = [pscustomobject]@{ k = 'v' } } },
            [pscustomobject]@{ pattern_id = 'j'; Vector = 1,2,3; coherence_metrics = '{"quantum_coherence": 0.5}'; temporal_context = '{"at":"2025-02-03T04:05:06Z"}' } |
                Add-Pattern p
            """);
        var values = _session.Run("""
            $h, $j, $o = Get-Pattern p
            $h.CoherenceMetrics.quantum_coherence
            $o.CoherenceMetrics.quantum_coherence
            $o.CoherenceMetrics.nested.k
            $j.CoherenceMetrics['quantum_coherence']
            $j.TemporalContext.at
            $h.PatternType
            """).Select(v => v?.BaseObject).ToList();
        Assert.Equal([0.95, 0.91, "v", 0.5, "2025-02-03T04:05:06Z", "t"], values);
    }

    [Fact]
    public void Get_Pattern_piped_to_Add_Pattern_copies_every_pattern_bit_exactly()
    {
        _session.Run("New-PatternCollection a -Dimension 512 | Out-Null; New-PatternCollection b -Dimension 512 | Out-Null");
        var patterns = Enumerable.Range(0, 300).Select(i => Vectors.Pattern($"p{i:D3}", Vectors.Random(i), coherence: 0.9 + i / 10000.0)).ToArray();
        AddPatterns("a", patterns);
        _session.Run("Get-Pattern a | Add-Pattern b");
        var copied = _session.Run("Get-Pattern b").Select(p => p.BaseObject).ToList();
        Assert.Equal(300, copied.Count);
        for (int i = 0; i < 300; i++)
        {
            dynamic pattern = copied[i];
            Assert.Equal($"p{i:D3}", (string)pattern.PatternId);
            Assert.Equal(Vectors.Random(i), Vectors.Of(pattern.Vector));   // bit-exact
            Assert.Equal(0.9 + i / 10000.0, (double)pattern.CoherenceMetrics["quantum_coherence"]);
            Assert.Equal("b", (string)pattern.Collection);
        }
    }

    [Fact]
    public void Add_Pattern_upserts_by_id_and_PassThru_returns_what_was_written()
    {
        _session.Run("New-PatternCollection p -Dimension 2 | Out-Null");
        _session.Run("[pscustomobject]@{ PatternId = 'x'; Vector = 1,1; PatternType = 'old' } | Add-Pattern p");
        var written = _session.Run("[pscustomobject]@{ PatternId = 'x'; Vector = 2,2; PatternType = 'new' } | Add-Pattern p -PassThru");
        Assert.Single(written);
        var stored = _session.Run("Get-Pattern p");
        Assert.Single(stored);
        Assert.Equal("new", stored[0].Properties["PatternType"].Value);
        Assert.Equal(new float[] { 2, 2 }, Vectors.Of(stored[0].Properties["Vector"].Value));
    }

    [Fact]
    public void Bad_objects_get_InvalidData_errors_naming_the_pattern_and_the_rest_still_land()
    {
        _session.Run("New-PatternCollection p -Dimension 3 | Out-Null");
        var result = _session.Invoke("""
            [pscustomobject]@{ PatternId = 'ok1'; Vector = 1,2,3 },
            [pscustomobject]@{ PatternId = 'short'; Vector = 1,2 },
            [pscustomobject]@{ PatternId = 'nan'; Vector = 1,[double]::NaN,3 },
            [pscustomobject]@{ PatternId = 'inf'; Vector = 1,[double]::PositiveInfinity,3 },
            [pscustomobject]@{ PatternId = ('x' * 101); Vector = 1,2,3 },
            [pscustomobject]@{ PatternId = 'json'; Vector = 1,2,3; CoherenceMetrics = '{"quantum_coherence": 0.9' },
            [pscustomobject]@{ Vector = 1,2,3 },
            [pscustomobject]@{ PatternId = 'ok2'; Vector = 4,5,6 } | Add-Pattern p
            """);
        var errors = result.Errors.Select(e => (Id: e.FullyQualifiedErrorId.Split(',')[0], e.CategoryInfo.Category)).ToList();
        Assert.Equal(
            [("VectorDimensionMismatch", ErrorCategory.InvalidData), ("VectorNotFinite", ErrorCategory.InvalidData),
             ("VectorNotFinite", ErrorCategory.InvalidData), ("PatternIdTooLong", ErrorCategory.InvalidData),
             ("InvalidJson", ErrorCategory.InvalidData), ("MissingPatternId", ErrorCategory.InvalidData)], errors);
        Assert.Contains("'short'", result.Errors[0].Exception.Message);
        Assert.Equal("short", ((PSObject)result.Errors[0].TargetObject).Properties["PatternId"].Value);
        var ids = _session.Run("(Get-Pattern p).PatternId").Select(o => o.ToString());
        Assert.Equal(["ok1", "ok2"], ids);
    }

    [Fact]
    public void ErrorAction_Stop_terminates_at_the_bad_object_and_keeps_what_came_before()
    {
        _session.Run("New-PatternCollection p -Dimension 2 | Out-Null");
        var error = _session.Fail("""
            [pscustomobject]@{ PatternId = 'a'; Vector = 1,2 },
            [pscustomobject]@{ PatternId = 'b'; Vector = 1,2,3 },
            [pscustomobject]@{ PatternId = 'c'; Vector = 1,2 } | Add-Pattern p -ErrorAction Stop
            """);
        Assert.StartsWith("VectorDimensionMismatch,", error.FullyQualifiedErrorId);
        Assert.Equal(["a"], _session.Run("(Get-Pattern p).PatternId").Select(o => o.ToString()));
    }

    [Fact]
    public void Unknown_collection_is_ObjectNotFound()
    {
        foreach (string script in new[] { "Get-Pattern nope", "[pscustomobject]@{ PatternId = 'a'; Vector = 1 } | Add-Pattern nope", "Find-SimilarPattern nope -Vector 1", "Remove-PatternCollection nope -Confirm:$false -ErrorAction Stop" })
        {
            var error = _session.Fail(script);
            Assert.StartsWith("CollectionNotFound,", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
            Assert.Equal("nope", error.TargetObject);
        }
    }

    [Fact]
    public void Get_Pattern_by_id_reports_missing_ids_and_filters_limit_and_offset()
    {
        _session.Run("New-PatternCollection p -Dimension 2 | Out-Null");
        AddPatterns("p", Enumerable.Range(0, 10).Select(i => Vectors.Pattern($"id{i}", [i, 1], type: i % 2 == 0 ? "even" : "odd", coherence: i / 10.0)).ToArray());
        var result = _session.Invoke("Get-Pattern p id3, missing, id1");
        Assert.Equal(["id3", "id1"], result.Output.Select(p => p.Properties["PatternId"].Value));
        Assert.Equal("PatternNotFound,MilvusOps.Cmdlets.GetPatternCommand", Assert.Single(result.Errors).FullyQualifiedErrorId);

        var filtered = _session.Run("""(Get-Pattern p -Filter 'pattern_type == "even" and coherence_metrics["quantum_coherence"] >= 0.4' -Limit 2 -Offset 1).PatternId""");
        Assert.Equal(["id6", "id8"], filtered.Select(o => o.ToString()));
    }

    [Fact]
    public void An_invalid_filter_is_a_ParserError_naming_the_position()
    {
        _session.Run("New-PatternCollection p -Dimension 2 | Out-Null");
        var error = _session.Fail("Get-Pattern p -Filter 'pattern_type == '");
        Assert.StartsWith("FilterSyntaxError,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ParserError, error.CategoryInfo.Category);
        Assert.Contains("position", error.Exception.Message);
        var unknown = _session.Fail("Get-Pattern p -Filter 'colour == \"red\"'");
        Assert.StartsWith("FilterFieldNotFound,", unknown.FullyQualifiedErrorId);
    }

    [Fact]
    public void Remove_Pattern_by_id_and_filter_honours_WhatIf()
    {
        _session.Run("New-PatternCollection p -Dimension 2 | Out-Null");
        AddPatterns("p", Enumerable.Range(0, 6).Select(i => Vectors.Pattern($"id{i}", [i, 1], type: i < 3 ? "low" : "high")).ToArray());
        _session.Run("Remove-Pattern p id0 -WhatIf; Remove-Pattern p -Filter 'pattern_type == \"high\"' -WhatIf");
        Assert.Equal(6L, _session.Run("(Get-PatternCollection p).EntityCount")[0].BaseObject);
        _session.Run("Remove-Pattern p id0, id1");
        _session.Run("Remove-Pattern p -Filter 'pattern_type == \"high\"'");
        Assert.Equal(["id2"], _session.Run("(Get-Pattern p).PatternId").Select(o => o.ToString()));
        // Search hits bind to Remove-Pattern by property name (Collection, PatternId).
        _session.Run("Find-SimilarPattern p -Vector 2,1 -Top 1 | Remove-Pattern");
        Assert.Empty(_session.Run("Get-Pattern p"));
    }

    [Fact]
    public void Remove_PatternCollection_is_high_impact_and_binds_names_from_the_pipeline()
    {
        _session.Run("New-PatternCollection keep -Dimension 2 | Out-Null; New-PatternCollection drop1 -Dimension 2 | Out-Null; New-PatternCollection drop2 -Dimension 2 | Out-Null");
        _session.Run("Get-PatternCollection drop* | Remove-PatternCollection -WhatIf");
        Assert.Equal(3, _session.Run("Get-PatternCollection").Count);
        // Unconfirmed in a non-interactive host: the prompt fails instead of hanging, and nothing is dropped.
        Assert.Contains("cannot prompt", Assert.Single(_session.Invoke("Remove-PatternCollection drop1").Errors).Exception.Message);
        Assert.Equal(3, _session.Run("Get-PatternCollection").Count);
        _session.Run("Get-PatternCollection drop* | Remove-PatternCollection -Confirm:$false");
        Assert.Equal(["keep"], _session.Run("(Get-PatternCollection).Name").Select(o => o.ToString()));
    }

    [Fact]
    public void Format_views_abbreviate_vectors_and_show_collections()
    {
        _session.Run("New-PatternCollection p | Out-Null");
        AddPatterns("p", Vectors.Pattern("shown", Vectors.Random(7)));
        _session.Run("Get-Pattern p | Out-Default; Get-PatternCollection | Out-Default; Find-SimilarPattern p -Id shown | Out-Default");
        string text = _session.Rendered;
        Assert.Contains("(512-d)", text);
        Assert.Contains("shown", text);
        Assert.Contains("EntityCount", text);
        Assert.Contains("quantum_coherence", text);
        Assert.DoesNotContain(Vectors.Random(7)[10].ToString(System.Globalization.CultureInfo.InvariantCulture), text);
    }

    [Fact]
    public void At_80_columns_a_search_hit_keeps_its_rank_and_distance_and_cuts_a_long_id_instead()
    {
        _session.Run("New-PatternCollection p -Dimension 4 | Out-Null");
        string longId = "correlation_pattern_" + new string('x', 80);
        AddPatterns("p", Vectors.Pattern(longId, [1, 0, 0, 0]), Vectors.Pattern("near", [1, 0.5f, 0, 0]));
        var text = (string)_session.Run("Find-SimilarPattern p -Vector ([float[]](1, 0, 0, 0)) -Top 2 | Out-String -Width 80")[0].BaseObject;
        Assert.All(text.Split('\n'), line => Assert.True(line.TrimEnd('\r').Length <= 80, line));
        Assert.Contains("Rank Distance", text);
        Assert.Matches(@"\n\s*1\s+0\s+0\.95\s+correlation_pattern_x", text);
        Assert.Matches(@"\n\s*2\s+0\.25\s", text);
    }
}
