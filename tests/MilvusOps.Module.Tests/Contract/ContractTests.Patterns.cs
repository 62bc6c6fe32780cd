using System.Collections;
using System.Text.Json.Nodes;

namespace MilvusOps.Module.Tests.Contract;

public abstract partial class ContractTests
{
    private static JsonNode? At(JsonNode? document, params string[] path)
    {
        foreach (string key in path) document = document is JsonObject o && o.TryGetPropertyValue(key, out var next) ? next : null;
        return document;
    }

    // Milvus semantics: a comparison with a null field, a null document or a missing key is false.
    private static double? Number(JsonNode? document, params string[] path) =>
        At(document, path) is JsonValue v && v.TryGetValue<double>(out double d) ? d : null;

    private static string? Text(JsonNode? document, params string[] path) =>
        At(document, path) is JsonValue v && v.TryGetValue<string>(out string? s) ? s : null;

    private static bool Tagged(ContractRow r, string tag) =>
        At(r.ContextNode, "tags") is JsonArray tags && tags.Any(t => t?.GetValue<string>() == tag);

    /// <summary>
    /// Each filter with its meaning written out in C#. 'not' and 'not in' appear only where every field they
    /// touch is present: how they treat null rows is not something this contract pins down across backends.
    /// </summary>
    private static readonly (string Filter, Func<ContractRow, bool> Means)[] ScalarFilters =
    [
        ("pattern_type == \"alpha\"", r => r.Type == "alpha"),
        ("pattern_type != \"alpha\"", r => r.Type is not null && r.Type != "alpha"),
        ("pattern_type in [\"beta\", \"gamma_wave\"]", r => r.Type is "beta" or "gamma_wave"),
        ("pattern_type like \"gam%\"", r => r.Type?.StartsWith("gam", StringComparison.Ordinal) == true),
        ("pattern_id like \"f01%\"", r => r.Id.StartsWith("f01", StringComparison.Ordinal)),
        ("pattern_id in [\"f001\", \"f017\", \"f042\", \"nope\"]", r => r.Id is "f001" or "f017" or "f042"),
        ("pattern_id not in [\"f000\", \"f001\"] and pattern_type == \"beta\"", r => r.Id is not ("f000" or "f001") && r.Type == "beta"),
        ("pattern_type is null", r => r.Type is null),
        ("pattern_type is not null", r => r.Type is not null),
        ("pattern_type == \"delta\" or pattern_id == \"f002\"", r => r.Type == "delta" || r.Id == "f002"),
    ];

    private static readonly (string Filter, Func<ContractRow, bool> Means)[] JsonFilters =
    [
        ("coherence_metrics[\"quantum_coherence\"] >= 0.5", r => Number(r.MetricsNode, "quantum_coherence") >= 0.5),
        ("0.2 <= coherence_metrics[\"quantum_coherence\"] < 0.6", r => Number(r.MetricsNode, "quantum_coherence") is >= 0.2 and < 0.6),
        ("coherence_metrics[\"quantum_stability\"] < 0.3", r => Number(r.MetricsNode, "quantum_stability") < 0.3),
        ("temporal_context[\"phase\"] == \"warm\"", r => Text(r.ContextNode, "phase") == "warm"),
        ("temporal_context[\"window\"][\"start\"] > 2019", r => Number(r.ContextNode, "window", "start") > 2019),
        ("temporal_context[\"phase\"] in [\"cold\", \"dusk\"]", r => Text(r.ContextNode, "phase") is "cold" or "dusk"),
        ("json_contains(temporal_context[\"tags\"], \"seed\")", r => Tagged(r, "seed")),
        ("json_contains_any(temporal_context[\"tags\"], [\"seed\", \"core\"])", r => Tagged(r, "seed") || Tagged(r, "core")),
        ("exists coherence_metrics[\"quantum_stability\"]", r => At(r.MetricsNode, "quantum_stability") is not null),
        ("pattern_type == \"alpha\" and coherence_metrics[\"quantum_coherence\"] > 0.3 or temporal_context[\"phase\"] == \"dusk\"",
            r => (r.Type == "alpha" && Number(r.MetricsNode, "quantum_coherence") > 0.3) || Text(r.ContextNode, "phase") == "dusk"),
        ("pattern_type in [\"alpha\", \"beta\"] and not (temporal_context[\"phase\"] == \"warm\" || coherence_metrics[\"quantum_coherence\"] < 0.25)",
            r => r.Type is "alpha" or "beta" && !(Text(r.ContextNode, "phase") == "warm" || Number(r.MetricsNode, "quantum_coherence") < 0.25)),
        ("(pattern_type == \"delta\" || pattern_type == \"beta\") && temporal_context[\"window\"][\"end\"] <= 2020",
            r => r.Type is "delta" or "beta" && Number(r.ContextNode, "window", "end") <= 2020),
    ];

    public static TheoryData<string> FilterSets => new() { nameof(ScalarFilters), nameof(JsonFilters) };

    [SkippableTheory]
    [MemberData(nameof(FilterSets))]
    public void Filters_select_the_rows_their_definition_selects_in_primary_key_order(string set)
    {
        var filters = set == nameof(ScalarFilters) ? ScalarFilters : JsonFilters;
        var rows = ContractData.FilterRows();
        string name = Create("filter", 4);
        Load(name, rows.OrderByDescending(r => r.Id, StringComparer.Ordinal));   // written out of key order

        var failures = new List<string>();
        foreach (var (filter, means) in filters)
        {
            var expected = rows.Where(means).Select(r => r.Id).Order(StringComparer.Ordinal).ToList();
            var actual = Ids(OnTarget("Get-Pattern $args[0] -Filter $args[1] @cx", name, filter));
            var reference = Ids(OnReference("Get-Pattern $args[0] -Filter $args[1] @cx", name, filter));
            if (!actual.SequenceEqual(expected) || !reference.SequenceEqual(expected))
                failures.Add($"{filter}\n  expected  [{string.Join(", ", expected)}]\n  {Target.Name,-9} [{string.Join(", ", actual)}]\n  embedded  [{string.Join(", ", reference)}]");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {filters.Length} filters differ:\n" + string.Join("\n", failures));
    }

    [SkippableFact]
    public void Patterns_read_back_by_id_bit_exact_and_null_fields_stay_null()
    {
        var rows = ContractData.FilterRows(40);
        Assert.Contains(rows, r => r.Type is null);
        Assert.Contains(rows, r => r.Metrics is null);
        Assert.Contains(rows, r => r.Context is null);
        string name = Create("read", 4, reference: false);
        Load(name, rows, reference: false);

        var wanted = rows.Where(r => r.Type is null || r.Metrics is null || r.Context is null).Select(r => r.Id).Append("f001").ToList();
        var result = InvokeOnTarget("Get-Pattern $args[0] $args[1] @cx", name, wanted.Prepend("missing").ToArray());
        Assert.Equal(("PatternNotFound", ErrorCategory.ObjectNotFound), (ErrorId(Assert.Single(result.Errors)), result.Errors[0].CategoryInfo.Category));
        Assert.Equal("missing", result.Errors[0].TargetObject);
        Assert.Equal(wanted, Ids(result.Output));   // in the order asked

        foreach (var pattern in result.Output.Select(p => (dynamic)p.BaseObject))
        {
            var row = rows.Single(r => r.Id == (string)pattern.PatternId);
            Assert.Equal(ContractData.Bits(row.Vector), ContractData.Bits(Vectors.Of(pattern.Vector)));
            Assert.Equal(row.Type, (string?)pattern.PatternType);
            Assert.True(ContractData.SameJson(row.Metrics, (string?)pattern.CoherenceMetricsJson), $"{row.Id}: coherence_metrics {pattern.CoherenceMetricsJson}, expected {row.Metrics ?? "null"}");
            Assert.True(ContractData.SameJson(row.Context, (string?)pattern.TemporalContextJson), $"{row.Id}: temporal_context {pattern.TemporalContextJson}, expected {row.Context ?? "null"}");
            Assert.Equal(row.Metrics is null, pattern.CoherenceMetrics is null);
            Assert.Equal(name, (string)pattern.Collection);
        }

        // Without a filter: every pattern, in primary-key order, indexable as dictionaries.
        Assert.Equal(rows.Select(r => r.Id).Order(StringComparer.Ordinal), Ids(OnTarget("Get-Pattern $args[0] @cx", name)));
        Assert.Equal(Number(rows[1].MetricsNode, "quantum_coherence"),
            (double)OnTarget("(Get-Pattern $args[0] f001 @cx).CoherenceMetrics.quantum_coherence", name)[0].BaseObject);
    }

    [SkippableFact]
    public void Get_Pattern_pages_through_more_rows_than_one_page_in_primary_key_order()
    {
        const int count = 2500;
        // Unpadded numbers, written in a scrambled order: key order ("pg10" < "pg9") is neither.
        var rows = Enumerable.Range(0, count).Select(i => (i * 7919) % count)
            .Select(k => new ContractRow($"pg{k}", [k, -k, k % 7, 1], k % 2 == 0 ? "even" : "odd")).ToList();
        string name = Create("page", 4, reference: false);
        Load(name, rows, reference: false);
        Assert.Equal((long)count, EntityCount(name));

        var keyOrder = rows.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        var all = OnTarget("Get-Pattern $args[0] @cx", name);
        Assert.Equal(keyOrder.Select(r => r.Id), Ids(all));
        for (int i = 0; i < count; i++)
            Assert.Equal(ContractData.Bits(keyOrder[i].Vector), ContractData.Bits(Vectors.Of(all[i].Properties["Vector"].Value)));

        var pages = new List<string>();
        for (int offset = 0; offset < count; offset += 1000)
            pages.AddRange(Ids(OnTarget("Get-Pattern $args[0] -Limit 1000 -Offset $args[1] @cx", name, offset)));
        Assert.Equal(keyOrder.Select(r => r.Id), pages);

        var even = keyOrder.Where(r => r.Type == "even").Select(r => r.Id).ToList();
        Assert.Equal(even.Skip(300).Take(700), Ids(OnTarget("Get-Pattern $args[0] -Filter 'pattern_type == \"even\"' -Offset 300 -Limit 700 @cx", name)));
        Assert.Equal(even.Skip(1200), Ids(OnTarget("Get-Pattern $args[0] -Filter 'pattern_type == \"even\"' -Offset 1200 -Limit 1000 @cx", name)));
    }

    [SkippableFact]
    public void Add_Pattern_upserts_an_existing_id_replacing_every_field()
    {
        var rows = ContractData.FilterRows(8);
        string name = Create("upsert", 4, reference: false);
        Load(name, rows, reference: false);

        var changed = new ContractRow("f001", [9, 9, 9, 9], "replaced", """{"quantum_coherence":0.99}""", """{"phase":"new"}""");
        var emptied = new ContractRow("f004", [-9, 0, 9, 0]);   // every optional field unset: they become null, not kept
        Load(name, [changed, emptied], reference: false);

        Assert.Equal(8L, EntityCount(name));
        foreach (var row in new[] { changed, emptied })
        {
            dynamic stored = OnTarget("Get-Pattern $args[0] $args[1] @cx", name, row.Id)[0].BaseObject;
            Assert.Equal(ContractData.Bits(row.Vector), ContractData.Bits(Vectors.Of(stored.Vector)));
            Assert.Equal(row.Type, (string?)stored.PatternType);
            Assert.True(ContractData.SameJson(row.Metrics, (string?)stored.CoherenceMetricsJson), $"{row.Id}: {stored.CoherenceMetricsJson}");
            Assert.True(ContractData.SameJson(row.Context, (string?)stored.TemporalContextJson), $"{row.Id}: {stored.TemporalContextJson}");
        }
        // Search sees the new vector, not the old one.
        var hit = Hit.From(OnTarget("Find-SimilarPattern $args[0] -Vector 9,9,9,9 -Top 1 @cx", name)[0]);
        Assert.Equal(("f001", 0d), (hit.PatternId, hit.Distance));
        Assert.Equal(["f001"], Ids(OnTarget("Get-Pattern $args[0] -Filter 'pattern_type == \"replaced\"' @cx", name)));
    }

    [SkippableFact]
    public void Filter_parameters_fill_the_placeholders_of_every_cmdlet_and_never_become_text()
    {
        var rows = ContractData.FilterRows(30);
        string name = Create("template", 4, reference: false);
        Load(name, rows, reference: false);
        string[] picked = ["f001", "f005", "f006", "f009"];

        var betas = rows.Where(r => r.Type == "beta" && picked.Contains(r.Id)).Select(r => r.Id).ToList();
        Assert.Equal(betas, Ids(OnTarget("Get-Pattern $args[0] -Filter 'pattern_type == {type} and pattern_id in {ids}' -FilterParameter @{ type = 'beta'; ids = $args[1] } @cx", name, picked)));
        // A value is a value: quotes in it cannot widen the filter.
        Assert.Empty(Ids(OnTarget("Get-Pattern $args[0] -Filter 'pattern_type == {type}' -FilterParameter @{ type = 'beta\" or pattern_type != \"' } @cx", name)));
        var hits = OnTarget("Find-SimilarPattern $args[0] -Vector $args[1] -Top 30 -Filter 'pattern_type == {type}' -FilterParameter @{ type = 'alpha' } -MinCoherence 0.5 @cx", name, rows[0].Vector);
        Assert.Equal(rows.Where(r => r.Type == "alpha" && ContractData.Coherence(r) >= 0.5).Select(r => r.Id).Order(StringComparer.Ordinal),
            hits.Select(h => (string)h.Properties["PatternId"].Value).Order(StringComparer.Ordinal));

        var missing = FailOnTarget("Get-Pattern $args[0] -Filter 'pattern_type == {type}' -FilterParameter @{ typo = 'beta' } -ErrorAction Stop @cx", name);
        Assert.Equal(("FilterParameterInvalid", ErrorCategory.InvalidArgument), (ErrorId(missing), missing.CategoryInfo.Category));

        var removed = InvokeOnTarget("Remove-Pattern $args[0] -Filter 'pattern_type == {type}' -FilterParameter @{ type = 'beta' } -Confirm:$false -Verbose @cx", name);
        Assert.StartsWith($"Removed {rows.Count(r => r.Type == "beta")} patterns", Verbose(removed, "Removed"));
        Assert.Equal((long)rows.Count(r => r.Type != "beta"), EntityCount(name));
    }

    [SkippableFact]
    public void Remove_Pattern_by_id_and_by_filter_removes_and_counts_exactly_what_exists()
    {
        var rows = ContractData.FilterRows(30);
        string name = Create("remove", 4, reference: false);
        Load(name, rows, reference: false);
        var left = rows.Select(r => r.Id).ToHashSet();

        InvokeOnTarget("Remove-Pattern $args[0] f004 -WhatIf @cx; Remove-Pattern $args[0] -Filter 'pattern_type == \"beta\"' -WhatIf @cx", name);
        Assert.Equal(30L, EntityCount(name));

        var byId = InvokeOnTarget("Remove-Pattern $args[0] f000, f001, nope -Verbose @cx", name);
        Assert.Empty(byId.Errors);
        Assert.StartsWith("Removed 2 of 3 patterns", Verbose(byId, "Removed"));
        left.ExceptWith(["f000", "f001"]);
        Assert.Equal(28L, EntityCount(name));

        var beta = rows.Where(r => r.Type == "beta" && left.Contains(r.Id)).Select(r => r.Id).ToList();
        var byFilter = InvokeOnTarget("Remove-Pattern $args[0] -Filter 'pattern_type == \"beta\"' -Verbose @cx", name);
        Assert.StartsWith($"Removed {beta.Count} patterns", Verbose(byFilter, "Removed"));
        left.ExceptWith(beta);
        Assert.Equal((long)left.Count, EntityCount(name));

        // Search hits bind to Remove-Pattern by property name.
        OnTarget("Find-SimilarPattern $args[0] -Vector $args[1] -Top 1 @cx | Remove-Pattern @cx", name, rows[6].Vector);
        Assert.True(left.Remove("f006"));
        Assert.Equal(left.Order(StringComparer.Ordinal), Ids(OnTarget("Get-Pattern $args[0] @cx", name)));
        Assert.Equal((long)left.Count, EntityCount(name));
    }

    [SkippableFact]
    public void Bad_objects_get_InvalidData_errors_naming_them_and_the_rest_land()
    {
        string name = Create("bad", 3, reference: false);
        var result = InvokeOnTarget("""
            [pscustomobject]@{ PatternId = 'ok1'; Vector = 1,2,3 },
            [pscustomobject]@{ PatternId = 'short'; Vector = 1,2 },
            [pscustomobject]@{ PatternId = 'nan'; Vector = 1,[double]::NaN,3 },
            [pscustomobject]@{ PatternId = ('x' * 101); Vector = 1,2,3 },
            [pscustomobject]@{ PatternId = 'json'; Vector = 1,2,3; CoherenceMetrics = '{"quantum_coherence": 0.9' },
            [pscustomobject]@{ Vector = 1,2,3 },
            [pscustomobject]@{ PatternId = 'ok2'; Vector = 4,5,6 } | Add-Pattern $args[0] @cx
            """, name);
        Assert.Equal(["VectorDimensionMismatch", "VectorNotFinite", "PatternIdTooLong", "InvalidJson", "MissingPatternId"], result.Errors.Select(ErrorId));
        Assert.All(result.Errors, e => Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category));
        Assert.Contains("'short'", result.Errors[0].Exception.Message);
        Assert.Equal(["ok1", "ok2"], Ids(OnTarget("Get-Pattern $args[0] @cx", name)));
        Assert.Equal(2L, EntityCount(name));
    }

    [SkippableFact]
    public void Get_Pattern_piped_to_Add_Pattern_copies_from_the_embedded_store_and_within_the_target_bit_exactly()
    {
        var rows = ContractData.SearchRows(300, 16);
        string source = Create("src", 16);   // loaded on the reference only: the embedded store is the source
        OnReference("$args[1] | Add-Pattern $args[0] @cx", source, rows.Select(r => r.ToPSObject()).ToArray());
        string copy = Create("copy", 16, reference: false);
        string again = Create("again", 16, reference: false);

        OnTarget("Get-Pattern $args[0] -Connection $global:ContractReference | Add-Pattern $args[1] @cx", source, copy);
        OnTarget("Get-Pattern $args[0] @cx | Add-Pattern $args[1] @cx", copy, again);

        foreach (string collection in new[] { copy, again })
        {
            var stored = OnTarget("Get-Pattern $args[0] @cx", collection).Select(p => (dynamic)p.BaseObject).ToList();
            Assert.Equal(rows.Count, stored.Count);
            for (int i = 0; i < rows.Count; i++)
            {
                Assert.Equal(rows[i].Id, (string)stored[i].PatternId);
                Assert.Equal(ContractData.Bits(rows[i].Vector), ContractData.Bits(Vectors.Of(stored[i].Vector)));
                Assert.Equal(rows[i].Type, (string?)stored[i].PatternType);
                Assert.True(ContractData.SameJson(rows[i].Metrics, (string?)stored[i].CoherenceMetricsJson));
                Assert.True(ContractData.SameJson(rows[i].Context, (string?)stored[i].TemporalContextJson));
            }
        }
    }
}
