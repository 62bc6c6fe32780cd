using System.Collections;

namespace MilvusOps.Module.Tests.Contract;

// Moving collections through export sets: from the target to the reference store (the embedded store) and back, so a
// Milvus target (the peer, or a real server) is exported from and imported into.
public abstract partial class ContractTests
{
    [SkippableFact]
    public void An_export_set_moves_a_collection_between_the_target_and_the_embedded_store_bit_for_bit()
    {
        var rows = ContractData.FilterRows(40);
        string name = Create("move", 4, index: "HNSW", indexParameters: new Hashtable { ["M"] = 8, ["efConstruction"] = 64 }, reference: false);
        Load(name, rows, reference: false);
        string folder = Directory.CreateTempSubdirectory("milvusops-contract-move-").FullName;
        try
        {
            // Target -> Parquet set -> the reference store.
            string outward = Path.Combine(folder, "outward"), copy = NewName("copy");
            var set = OnTarget("Export-PatternCollection $args[0] $args[1] -ShardSize 1MB @cx", name, outward).Single();
            Assert.Equal((40L, "Parquet"), ((long)set.Properties["Rows"].Value, set.Properties["Format"].Value.ToString()));
            var report = OnReference("Import-PatternCollection $args[0] -Collection $args[1] -CreateCollection @cx", outward, copy).Single();
            Assert.Equal((40L, 0L), ((long)report.Properties["RowsWritten"].Value, (long)report.Properties["RowsRejected"].Value));
            Assert.True(Fidelity(OnReference, copy, outward), "the reference store's copy differs from the export set");
            var made = OnReference("Get-PatternCollection $args[0] @cx", copy).Single();
            Assert.Equal(("HNSW", "8"), (made.Properties["IndexType"].Value, ((IDictionary)made.Properties["IndexParameters"].Value)["M"]!.ToString()));

            // The reference store -> JSON Lines set -> back to the target.
            string back = Path.Combine(folder, "back"), returned = NewName("back");
            OnReference("Export-PatternCollection $args[0] $args[1] -Format JsonLines @cx | Out-Null", copy, back);
            OnTarget("Import-PatternCollection $args[0] -Collection $args[1] -CreateCollection @cx | Out-Null", back, returned);
            Assert.True(Fidelity(OnTarget, returned, back), "the target's copy differs from the export set");
            Assert.True(Fidelity(OnTarget, returned, outward), "the round trip changed a pattern");
            Assert.Equal(40L, EntityCount(returned));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Test-PatternCoherence's Fidelity check of a collection against an export set.</summary>
    private static bool Fidelity(Func<string, object?[], System.Collections.ObjectModel.Collection<System.Management.Automation.PSObject>> on, string collection, string set) =>
        (bool)on("Test-PatternCoherence $args[0] -SourcePath $args[1] -Metric quantum_coherence -MinCount 0 -ErrorAction SilentlyContinue @cx | Where-Object Check -eq 'Fidelity'",
            [collection, set]).Single().Properties["Passed"].Value;
}
