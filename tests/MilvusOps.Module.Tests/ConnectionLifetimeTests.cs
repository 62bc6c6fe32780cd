using System.Management.Automation;

namespace MilvusOps.Module.Tests;

/// <summary>
/// Connections have a lifetime and objects carry their store: a mistyped path never becomes a store, a closed connection
/// refuses calls, the engine is out of reach of scripts, and a piped object is acted on in the store it came from.
/// </summary>
public sealed class ConnectionLifetimeTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public void Dispose() => _session.Dispose();

    /// <summary>Two stores, A (kept in $a) and B (the session default), each holding collection p with patterns.</summary>
    private void TwoStores()
    {
        _session.Run("""
            $global:a = Connect-Milvus ./a.db -Create -NoDefault
            $global:b = Connect-Milvus ./b.db -Create
            foreach ($c in $global:a, $global:b) {
                New-PatternCollection p -Dimension 2 -Connection $c | Out-Null
                1..3 | ForEach-Object { [pscustomobject]@{ PatternId = "id$_"; Vector = $_, 1 } } | Add-Pattern p -Connection $c
            }
            """);
    }

    private long Count(string connection) => Convert.ToInt64(_session.Run($"(Get-PatternCollection p -Connection {connection}).EntityCount")[0].BaseObject);

    [Fact]
    public void A_path_that_names_no_file_is_StoreNotFound_creates_nothing_and_keeps_the_default()
    {
        _session.Run("Connect-Milvus ./patterns.db -Create | Out-Null; New-PatternCollection p -Dimension 2 | Out-Null");
        var error = _session.Fail("Connect-Milvus ./patterns.bd");
        Assert.Equal(("StoreNotFound", ErrorCategory.ObjectNotFound), (error.FullyQualifiedErrorId.Split(',')[0], error.CategoryInfo.Category));
        Assert.Contains("-Create", error.Exception.Message);
        Assert.False(File.Exists(Path.Combine(_session.Folder, "patterns.bd")));
        Assert.Equal("p", _session.Run("(Get-PatternCollection).Name")[0].ToString());   // the default is still patterns.db

        var implicitError = _session.Fail("Get-PatternCollection -Connection ./typo.db");
        Assert.StartsWith("StoreNotFound,", implicitError.FullyQualifiedErrorId);
        Assert.False(File.Exists(Path.Combine(_session.Folder, "typo.db")));
    }

    [Fact]
    public void Create_makes_a_new_store_and_says_so()
    {
        var result = _session.Invoke("Connect-Milvus ./new.db -Create");
        Assert.True(File.Exists(Path.Combine(_session.Folder, "new.db")));
        Assert.Contains(result.Other, m => m.Contains("Created a new, empty store", StringComparison.Ordinal));
        var again = _session.Invoke("Connect-Milvus ./new.db -Create");
        Assert.DoesNotContain(again.Other, m => m.Contains("Created", StringComparison.Ordinal));
    }

    [Fact]
    public void NoDefault_returns_a_connection_and_keeps_the_session_default()
    {
        _session.Run("Connect-Milvus ./b.db -Create | Out-Null; New-PatternCollection inb -Dimension 2 | Out-Null");
        _session.Run("$global:a = Connect-Milvus ./a.db -Create -NoDefault; New-PatternCollection ina -Dimension 2 -Connection $global:a | Out-Null");
        Assert.Equal(["inb"], _session.Run("(Get-PatternCollection).Name").Select(n => n.ToString()));
        Assert.Equal(["ina"], _session.Run("(Get-PatternCollection -Connection $global:a).Name").Select(n => n.ToString()));
    }

    [Fact]
    public void Disconnect_closes_what_it_is_given_or_the_default_and_returns_it_closed()
    {
        TwoStores();
        var closed = _session.Run("$global:a | Disconnect-Milvus").Single();
        Assert.Equal("Closed", closed.Properties["State"].Value.ToString());
        Assert.Equal(Path.Combine(_session.Folder, "a.db"), closed.Properties["Uri"].Value);
        var refused = _session.Fail("Get-PatternCollection -Connection $global:a");
        Assert.Equal(("ConnectionClosed", ErrorCategory.InvalidOperation), (refused.FullyQualifiedErrorId.Split(',')[0], refused.CategoryInfo.Category));
        Assert.Equal(3L, Count("$global:b"));   // the default is still open

        var closedDefault = _session.Run("Disconnect-Milvus").Single();
        Assert.Equal(Path.Combine(_session.Folder, "b.db"), closedDefault.Properties["Uri"].Value);
        Assert.StartsWith("NotConnected,", _session.Fail("Get-PatternCollection").FullyQualifiedErrorId);
        Assert.StartsWith("ConnectionClosed,", _session.Fail("Get-PatternCollection -Connection $global:b").FullyQualifiedErrorId);
        Assert.Empty(_session.Run("Disconnect-Milvus"));   // nothing left to close
    }

    [Fact]
    public void The_store_behind_a_connection_is_not_reachable_from_scripts()
    {
        _session.Run("$global:c = Connect-Milvus ./c.db -Create");
        // The hosted engine has no Get-Member; PSObject lists every member a script can reach.
        var members = _session.Run("$global:c.PSObject.Members.Name").Select(m => m.ToString()).ToList();
        Assert.Contains("Uri", members);
        Assert.DoesNotContain("Store", members);
        Assert.Null(_session.Run("$global:c.Store")[0]);
        var collectionMembers = _session.Run("(New-PatternCollection p -Dimension 2).PSObject.Members.Name").Select(m => m.ToString()).ToList();
        Assert.Contains("Connection", collectionMembers);
        Assert.DoesNotContain("Store", _session.Run("(New-PatternCollection q -Dimension 2).Connection.PSObject.Members.Name").Select(m => m.ToString()));
    }

    [Fact]
    public void Every_emitted_object_carries_the_connection_it_came_from()
    {
        TwoStores();
        string a = Path.Combine(_session.Folder, "a.db");
        string legacy = Path.Combine(_session.Folder, "legacy.db");
        LegacyFiles.Generate(legacy, rows: 5, bad: false, dimension: 2);
        var uris = _session.Run(LegacyFiles.ColumnMap + """

            $hit = Find-SimilarPattern p -Vector 1, 1 -Top 1 -Connection $global:a
            $pattern = Get-Pattern p id1 -Connection $global:a
            $collection = Get-PatternCollection p -Connection $global:a
            $check = @(Test-PatternCoherence p -Connection $global:a -Metric none -Threshold 0)[0]
            $report = Import-SqlitePattern $args[0] p -ColumnMap $map -Connection $global:a -WhatIf
            foreach ($o in $hit, $pattern, $collection, $check, $report) { $o.GetType().Name + '=' + $o.Connection.Uri }
            """, legacy).Select(o => o.ToString()).ToList();
        Assert.Equal(["SearchHit=" + a, "Pattern=" + a, "PatternCollection=" + a, "CoherenceCheckResult=" + a, "MigrationReport=" + a], uris);
    }

    [Fact]
    public void Piped_objects_are_acted_on_in_their_own_store_not_the_session_default()
    {
        TwoStores();
        _session.Run("Find-SimilarPattern p -Vector 1, 1 -Top 1 -Connection $global:a | Remove-Pattern");
        _session.Run("Get-Pattern p id2 -Connection $global:a | Remove-Pattern");
        Assert.Equal(1L, Count("$global:a"));
        Assert.Equal(3L, Count("$global:b"));

        var checkedIn = _session.Run("Get-PatternCollection p -Connection $global:a | Test-PatternCoherence -Metric none -Threshold 0 | ForEach-Object Checked");
        Assert.Equal(1L, Convert.ToInt64(checkedIn[0].BaseObject));

        _session.Run("Get-PatternCollection p -Connection $global:a | Remove-PatternCollection -Confirm:$false");
        Assert.Empty(_session.Run("Get-PatternCollection -Connection $global:a"));
        Assert.Equal(3L, Count("$global:b"));
    }

    [Fact]
    public void A_Connection_that_names_another_store_than_the_piped_object_is_an_error_and_changes_nothing()
    {
        TwoStores();
        var error = _session.Fail("Get-PatternCollection p -Connection $global:a | Remove-PatternCollection -Connection $global:b -Confirm:$false");
        Assert.Equal(("ConnectionConflict", ErrorCategory.InvalidArgument), (error.FullyQualifiedErrorId.Split(',')[0], error.CategoryInfo.Category));
        Assert.Contains("a.db", error.Exception.Message);
        Assert.Contains("b.db", error.Exception.Message);
        Assert.Equal(3L, Count("$global:a"));
        Assert.Equal(3L, Count("$global:b"));

        // The same store named twice (another connection object, or its path) is no conflict.
        _session.Run("Get-Pattern p id1 -Connection $global:a | Remove-Pattern -Connection ./a.db");
        Assert.Equal(2L, Count("$global:a"));
    }

    [Fact]
    public void Objects_kept_from_a_command_that_opened_its_own_connection_still_reach_their_store()
    {
        TwoStores();
        // The connection -Connection ./a.db opened closed with its command; the objects still name a.db, not the default.
        _session.Run("$global:kept = Get-Pattern p id1, id2 -Connection ./a.db");
        Assert.Equal(["Closed", "Closed"], _session.Run("$global:kept.Connection.State").Select(s => s.ToString()));
        _session.Run("$global:kept | Remove-Pattern");
        Assert.Equal(1L, Count("$global:a"));
        Assert.Equal(3L, Count("$global:b"));

        // One that Disconnect-Milvus closed stays closed.
        _session.Run("$global:gone = Get-Pattern p id3 -Connection $global:a; Disconnect-Milvus $global:a | Out-Null");
        Assert.StartsWith("ConnectionClosed,", _session.Fail("$global:gone | Remove-Pattern").FullyQualifiedErrorId);
        // Naming the same store explicitly uses that connection instead.
        _session.Run("$global:gone | Remove-Pattern -Connection ./a.db");
        Assert.Equal(0L, Count("./a.db"));
    }

    [Fact]
    public void WhatIf_names_the_store_the_collection_and_the_count()
    {
        TwoStores();
        string b = Path.Combine(_session.Folder, "b.db");
        _session.Run("Remove-Pattern p -Filter 'pattern_id in [\"id1\", \"id2\"]' -WhatIf; Remove-PatternCollection p -WhatIf; Get-Pattern p id3 | Remove-Pattern -WhatIf");
        string shown = _session.Rendered;
        Assert.Contains($"2 patterns where pattern_id in [\"id1\", \"id2\"] in collection 'p' in {b}", shown);
        Assert.Contains($"collection 'p' (3 patterns) in {b}", shown);
        Assert.Contains($"pattern 'id3' in collection 'p' in {b}", shown);
        Assert.Equal(3L, Count("$global:b"));
    }
}
