namespace MilvusOps.Module.Tests.Contract;

// Operating the store through the module: health, aliases (both backends), and indexes and loading (Milvus; one clear
// refusal on the embedded store).
public abstract partial class ContractTests
{
    private bool IsEmbedded => Target.Name == "Embedded";

    /// <summary>A unique alias name; aliases are dropped by the test that made them.</summary>
    private static string NewAlias(string purpose) => $"ca_{purpose}_{Guid.NewGuid():N}"[..(16 + purpose.Length)];

    [SkippableFact]
    public void A_healthy_store_passes_every_health_check_and_Quiet_says_so_in_one_bool()
    {
        var checks = OnTarget("Test-MilvusHealth @cx");
        Assert.NotEmpty(checks);
        foreach (var check in checks)
            Assert.True((bool)check.Properties["Passed"].Value, $"{check.Properties["Component"].Value}: {check.Properties["Message"].Value}");
        Assert.Equal(true, Assert.Single(OnTarget("Test-MilvusHealth -Quiet @cx")).BaseObject);
    }

    [SkippableFact]
    public void An_alias_switch_moves_searches_at_once_and_no_drop_leaves_an_alias_pointing_nowhere()
    {
        string blue = Create("blue", 4, index: "FLAT", reference: false), green = Create("green", 4, index: "FLAT", reference: false);
        Load(blue, [new ContractRow("b1", [1, 0, 0, 0])], reference: false);
        Load(green, [new ContractRow("g1", [1, 0, 0, 0]), new ContractRow("g2", [0, 1, 0, 0])], reference: false);
        string live = NewAlias("live");
        const string search = "Find-SimilarPattern $args[0] -Vector ([float[]](1,0,0,0)) -Top 5 @cx | ForEach-Object PatternId";

        var created = Assert.Single(OnTarget("New-MilvusAlias $args[0] $args[1] @cx", live, blue));
        Assert.Equal((live, blue), ((string)created.Properties["Alias"].Value, (string)created.Properties["Collection"].Value));
        try
        {
            Assert.Equal(["b1"], OnTarget(search, live).Select(o => (string)o.BaseObject));
            var described = Assert.Single(OnTarget("Get-PatternCollection $args[0] @cx", live));
            Assert.Equal(blue, described.Properties["Name"].Value);
            Assert.Equal(new[] { live }, ((IEnumerable<string>)described.Properties["Aliases"].Value).ToArray());

            InvokeOnTarget("Set-MilvusAlias $args[0] $args[1] -WhatIf @cx", live, green);
            Assert.Equal(["b1"], OnTarget(search, live).Select(o => (string)o.BaseObject));
            OnTarget("Set-MilvusAlias $args[0] $args[1] -Confirm:$false @cx | Out-Null", live, green);
            Assert.Equal(["g1", "g2"], OnTarget(search, live).Select(o => (string)o.BaseObject));
            Assert.Equal(2L, EntityCount(live));

            Assert.Equal(live, Assert.Single(OnTarget("Get-MilvusAlias -Collection $args[0] @cx", green)).Properties["Alias"].Value);
            Assert.Empty(OnTarget("Get-MilvusAlias -Collection $args[0] @cx", blue));

            Assert.Equal("CollectionHasAliases", ErrorId(Session.Invoke(OnTargetStore + "Remove-PatternCollection $args[0] -Confirm:$false @cx", [green]).Errors.Single()));
            Assert.Equal("DropByAlias", ErrorId(Session.Invoke(OnTargetStore + "Remove-PatternCollection $args[0] -Confirm:$false @cx", [live]).Errors.Single()));
            var conflict = InvokeOnTarget("New-MilvusAlias $args[0] $args[1] @cx", blue, green).Errors.Single();
            Assert.Equal(("AliasConflict", ErrorCategory.ResourceExists), (ErrorId(conflict), conflict.CategoryInfo.Category));
            Assert.Equal("AliasConflict", ErrorId(InvokeOnTarget("New-PatternCollection $args[0] -Dimension 4 -IndexType FLAT @cx", live).Errors.Single()));
        }
        finally
        {
            OnTarget("Get-MilvusAlias -Collection $args[0] @cx | Remove-MilvusAlias -Confirm:$false", green);
        }
        var gone = InvokeOnTarget("Get-MilvusAlias $args[0] @cx", live).Errors.Single();
        Assert.Equal(("AliasNotFound", ErrorCategory.ObjectNotFound), (ErrorId(gone), gone.CategoryInfo.Category));
    }

    [SkippableFact]
    public void Index_and_load_state_are_described_and_managed_on_Milvus_and_refused_by_name_on_the_embedded_store()
    {
        string name = Create("ops", 4, index: "FLAT", reference: false);
        Load(name, [new ContractRow("o1", [1, 0, 0, 0]), new ContractRow("o2", [0, 1, 0, 0])], reference: false);
        if (IsEmbedded)
        {
            foreach (var script in new[] { "Get-MilvusIndex $args[0] @cx", "Get-MilvusLoadState $args[0] @cx", "Dismount-MilvusCollection $args[0] -Confirm:$false @cx" })
            {
                var refused = InvokeOnTarget(script, name).Errors.Single();
                Assert.Equal(("NotSupportedByBackend", ErrorCategory.NotImplemented), (ErrorId(refused), refused.CategoryInfo.Category));
                Assert.Contains("embedded store", refused.Exception.Message);
            }
            return;
        }

        var index = Assert.Single(OnTarget("Get-MilvusIndex $args[0] @cx", name));
        Assert.Equal(("FLAT", "Finished", "vector"), ((string)index.Properties["IndexType"].Value, (string)index.Properties["State"].Value, (string)index.Properties["Field"].Value));
        var loaded = Assert.Single(OnTarget("Get-MilvusLoadState $args[0] @cx", name));
        Assert.Equal(("Loaded", 100L, 1), (loaded.Properties["State"].Value.ToString(), (long)loaded.Properties["Progress"].Value, (int)loaded.Properties["Replicas"].Value));

        // Milvus drops an index only from a released collection, and a released collection cannot be searched.
        Assert.Equal("CollectionLoaded", ErrorId(InvokeOnTarget("Remove-MilvusIndex $args[0] vector -Confirm:$false @cx", name).Errors.Single()));
        var released = Assert.Single(OnTarget("Dismount-MilvusCollection $args[0] -Confirm:$false @cx", name));
        Assert.Equal("NotLoad", released.Properties["State"].Value.ToString());
        var notLoaded = FailOnTarget("Find-SimilarPattern $args[0] -Vector ([float[]](1,0,0,0)) -ErrorAction Stop @cx", name);
        Assert.Equal("CollectionNotLoaded", ErrorId(notLoaded));

        // The rebuild: drop, build another index (checked first), load with progress, search again.
        OnTarget("Get-MilvusIndex $args[0] @cx | Remove-MilvusIndex -Confirm:$false", name);
        Assert.Empty(OnTarget("Get-MilvusIndex $args[0] @cx", name));
        var unknown = InvokeOnTarget("New-MilvusIndex $args[0] -IndexType HNSW -Metric L2 -IndexParameter @{ efconstruction = 64 } @cx", name).Errors.Single();
        Assert.Equal("UnknownIndexParameter", ErrorId(unknown));
        var rebuilt = Assert.Single(OnTarget("New-MilvusIndex $args[0] -IndexType HNSW -Metric L2 -IndexParameter @{ M = 8; efConstruction = 64 } -Wait @cx", name));
        Assert.Equal(("HNSW", "Finished"), ((string)rebuilt.Properties["IndexType"].Value, (string)rebuilt.Properties["State"].Value));
        var mount = InvokeOnTarget("Mount-MilvusCollection $args[0] @cx", name);
        Assert.Equal("Loaded", Assert.Single(mount.Output).Properties["State"].Value.ToString());
        Assert.NotEmpty(mount.Progress);
        Assert.Equal("o1", OnTarget("Find-SimilarPattern $args[0] -Vector ([float[]](1,0,0,0)) -Top 1 @cx | ForEach-Object PatternId", name)[0].BaseObject);
    }

    [SkippableFact]
    public void Flush_segments_and_a_compaction_that_the_deleted_ratio_calls_for_purge_deleted_rows_on_Milvus()
    {
        string name = Create("maint", 4, index: "FLAT", reference: false);
        Load(name, Enumerable.Range(0, 10).Select(i => new ContractRow($"m{i}", [i, 1, 0, 0])), reference: false);
        OnTarget("Sync-MilvusCollection $args[0] @cx", name);   // both backends: the embedded store is durable already
        if (IsEmbedded)
        {
            var refused = InvokeOnTarget("Optimize-MilvusCollection $args[0] @cx", name).Errors.Single();
            Assert.Equal(("NotSupportedByBackend", ErrorCategory.NotImplemented), (ErrorId(refused), refused.CategoryInfo.Category));
            return;
        }

        long Stored() => OnTarget("Get-MilvusSegment $args[0] @cx", name).Where(s => (string)s.Properties["Level"].Value != "L0")
            .Sum(s => (long)s.Properties["Rows"].Value);
        Assert.Equal(10L, Stored());
        Assert.All(OnTarget("Get-MilvusSegment $args[0] @cx", name), s => Assert.Equal("Flushed", s.Properties["State"].Value));
        var flush = Assert.Single(OnTarget("Repair-MilvusCollection $args[0] -Flush -Confirm:$false @cx", name));
        Assert.Equal(("Flush", true), ((string)flush.Properties["Action"].Value, (bool)flush.Properties["Performed"].Value));

        // Deleted rows stay in their segments: 4 of 10 is 40 %, past a 30 % threshold.
        OnTarget("Remove-Pattern $args[0] -Id m0, m1, m2, m3 -Confirm:$false @cx", name);
        Assert.Empty(OnTarget("Repair-MilvusCollection $args[0] -CompactDeletedRatio 0.5 @cx", name));
        var planned = Assert.Single(OnTarget("Repair-MilvusCollection $args[0] -CompactDeletedRatio 0.3 -WhatIf @cx", name));
        Assert.Equal(("Compact", false), ((string)planned.Properties["Action"].Value, (bool)planned.Properties["Performed"].Value));
        Assert.Contains("40 %", (string)planned.Properties["Reason"].Value);
        Assert.Equal(10L, Stored());

        var repaired = Assert.Single(OnTarget("Repair-MilvusCollection $args[0] -CompactDeletedRatio 0.3 -Confirm:$false @cx", name));
        Assert.True((bool)repaired.Properties["Performed"].Value);
        Assert.Matches(@"^compaction \d+ Completed$", (string)repaired.Properties["Result"].Value);
        Assert.Equal(6L, Stored());
        Assert.Equal(6L, EntityCount(name));
    }

    [SkippableFact]
    public void A_released_collection_is_reloaded_only_by_an_explicit_repair_and_reported_as_an_alert_until_then()
    {
        string name = Create("reload", 4, index: "FLAT", reference: false);
        if (IsEmbedded)
        {
            Assert.Equal("NotSupportedByBackend", ErrorId(InvokeOnTarget("Repair-MilvusCollection $args[0] -Reload @cx", name).Errors.Single()));
            return;
        }
        OnTarget("Dismount-MilvusCollection $args[0] -Confirm:$false @cx | Out-Null", name);
        var alert = Assert.Single(OnTarget("Get-MilvusLoadState $args[0] @cx | Send-MilvusAlert", name));
        Assert.Equal("Critical", alert.Properties["Severity"].Value.ToString());

        var reload = Assert.Single(OnTarget("Repair-MilvusCollection $args[0] -Reload -Confirm:$false @cx", name));
        Assert.Equal(("Reload", true, "Loaded"), ((string)reload.Properties["Action"].Value, (bool)reload.Properties["Performed"].Value, (string)reload.Properties["Result"].Value));
        Assert.Empty(OnTarget("Get-MilvusLoadState $args[0] @cx | Send-MilvusAlert", name));
        Assert.Empty(OnTarget("Repair-MilvusCollection $args[0] -Reload @cx", name));
    }

    [SkippableFact]
    public void Databases_are_created_listed_used_and_dropped_only_when_empty_on_Milvus()
    {
        if (IsEmbedded)
        {
            Assert.Equal("NotSupportedByBackend", ErrorId(InvokeOnTarget("Get-MilvusDatabase @cx").Errors.Single()));
            return;
        }
        string database = NewAlias("db");
        var created = Assert.Single(OnTarget("New-MilvusDatabase $args[0] @cx", database));
        Assert.Equal(database, created.Properties["Name"].Value);
        try
        {
            Assert.Contains(database, OnTarget("Get-MilvusDatabase @cx").Select(d => (string)d.Properties["Name"].Value));
            Assert.Contains("default", OnTarget("Get-MilvusDatabase 'def*' @cx").Select(d => (string)d.Properties["Name"].Value));
            OnTarget("""
                $inside = Connect-Milvus $global:ContractTarget.Uri -Database $args[0] -NoDefault
                New-PatternCollection held -Dimension 4 -IndexType FLAT -Connection $inside | Out-Null
                Disconnect-Milvus $inside | Out-Null
                """, database);
            Assert.NotEmpty(InvokeOnTarget("Remove-MilvusDatabase $args[0] -Confirm:$false @cx", database).Errors);
            Assert.Contains(database, OnTarget("Get-MilvusDatabase @cx").Select(d => (string)d.Properties["Name"].Value));
            Assert.Empty(OnTarget("Get-PatternCollection held -ErrorAction SilentlyContinue @cx"));   // another database's collection
        }
        finally
        {
            OnTarget("""
                $inside = Connect-Milvus $global:ContractTarget.Uri -Database $args[0] -NoDefault
                Remove-PatternCollection held -Confirm:$false -Connection $inside -ErrorAction SilentlyContinue
                Disconnect-Milvus $inside | Out-Null
                Remove-MilvusDatabase $args[0] -Confirm:$false @cx
                """, database);
        }
        Assert.DoesNotContain(database, OnTarget("Get-MilvusDatabase @cx").Select(d => (string)d.Properties["Name"].Value));
        Assert.Equal("DatabaseNotFound", ErrorId(InvokeOnTarget("Get-MilvusDatabase $args[0] @cx", database).Errors.Single()));
    }
}
