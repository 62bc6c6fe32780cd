using MilvusOps.Tests.Shared;

namespace MilvusOps.Module.Tests;

/// <summary>A collection partitioned into Hilbert cells, as a user makes and searches one: -Partitioning at creation,
/// @{ cells = n } in a search or a Measure-SearchQuality sweep, on either backend.</summary>
public sealed class CellPartitionTests : IDisposable
{
    private readonly ModuleSession _session = new();
    private readonly List<ConformancePeer> _peers = [];

    public void Dispose()
    {
        _session.Dispose();
        foreach (var peer in _peers) peer.Dispose();
    }

    private void Partitioned(int rows)
    {
        _session.Run("Connect-Milvus ./cells.db -Create | Out-Null");
        _session.Run("New-PatternCollection cells -Dimension 16 -IndexType FLAT -Partitioning Hilbert | Out-Null");
        var data = new StructuredVectors(16, seed: 8);
        var patterns = Enumerable.Range(0, rows).Select(i => Vectors.Pattern($"p{i:D4}", data.Row(i))).ToArray();
        _session.Run("$args[0] | ForEach-Object { [pscustomobject]$_ } | Add-Pattern cells", [patterns]);
    }

    [Fact]
    public void A_partitioned_collection_says_so_and_a_search_over_every_cell_is_the_exact_search()
    {
        Partitioned(1_500);
        Assert.Equal("Hilbert", _session.Run("(Get-PatternCollection cells).Partitioning.ToString()")[0].BaseObject);
        var exact = _session.Run("Find-SimilarPattern cells -Id p0042 -Top 10 | ForEach-Object PatternId").Select(o => (string)o.BaseObject).ToArray();
        var allCells = _session.Run("Find-SimilarPattern cells -Id p0042 -Top 10 -SearchParameter @{ cells = 4096 } | ForEach-Object PatternId").Select(o => (string)o.BaseObject).ToArray();
        Assert.Equal(exact, allCells);
        Assert.Equal("p0042", allCells[0]);
    }

    [Fact]
    public void A_sweep_over_cells_measures_each_and_every_cell_finds_the_true_neighbours()
    {
        Partitioned(1_500);
        var results = _session.Run("Measure-SearchQuality cells -QueryCount 30 -Sweep @{ cells = 8, 4096 }");
        Assert.Equal(2, results.Count);
        Assert.Equal(("cells", 8), ((string)results[0].Properties["Parameter"].Value, Convert.ToInt32(results[0].Properties["Value"].Value)));
        Assert.Contains("\"cells\":8", (string)results[0].Properties["SearchParameters"].Value);
        Assert.Equal(1.0, (double)results[1].Properties["Recall"].Value);
        Assert.True((double)results[0].Properties["Recall"].Value < 1.0);
    }

    [Fact]
    public void Cells_on_a_collection_that_is_not_partitioned_fail_with_the_parameter_named()
    {
        _session.Run("Connect-Milvus ./plain.db -Create | Out-Null; New-PatternCollection plain -Dimension 4 -IndexType FLAT | Out-Null");
        var error = _session.Fail("Find-SimilarPattern plain -Vector ([float[]](1,2,3,4)) -SearchParameter @{ cells = 8 }");
        Assert.StartsWith("InvalidSearchParameter,", error.FullyQualifiedErrorId);
        Assert.Equal((ErrorCategory.InvalidArgument, "cells"), (error.CategoryInfo.Category, error.TargetObject));
    }

    [SkippableFact]
    public void A_copy_to_Milvus_stays_partitioned_and_is_searched_by_cell_there()
    {
        Skip.If(ConformancePeer.SkipReason is not null, ConformancePeer.SkipReason);
        var peer = ConformancePeer.Start(["--stateful"]);
        _peers.Add(peer);
        Partitioned(1_500);
        _session.Run("Copy-PatternCollection cells -Destination $args[0] -CreateCollection | Out-Null", peer.Address);
        _session.Run("Connect-Milvus $args[0] | Out-Null", peer.Address);
        Assert.Equal("Hilbert", _session.Run("(Get-PatternCollection cells).Partitioning.ToString()")[0].BaseObject);
        Assert.Contains(peer.Calls, call => call.StartsWith("CALL AlterCollection OK", StringComparison.Ordinal));   // the cell model, stored

        var verbose = _session.Run("Find-SimilarPattern cells -Id p0042 -Top 10 -SearchParameter @{ cells = 8 } -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message");
        Assert.Contains(verbose, line => ((string)line.BaseObject).Contains("Searched the 8 cells nearest each query", StringComparison.Ordinal));
        var results = _session.Run("Measure-SearchQuality cells -QueryCount 20 -Sweep @{ cells = 8, 4096 }");
        Assert.Equal(1.0, (double)results[1].Properties["Recall"].Value);
        Assert.True((double)results[0].Properties["Recall"].Value < 1.0);
    }
}
