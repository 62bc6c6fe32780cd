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

    [SkippableFact]
    public void Copy_PatternCollection_copies_between_the_target_and_the_embedded_store_and_proves_the_copy()
    {
        var rows = ContractData.FilterRows(40);
        string name = Create("copy", 4, index: "HNSW", indexParameters: new Hashtable { ["M"] = 8, ["efConstruction"] = 64 }, reference: false);
        Load(name, rows, reference: false);
        string there = NewName("there"), back = NewName("back"), extra = NewName("extra");
        string folder = Directory.CreateTempSubdirectory("milvusops-contract-copy-").FullName;
        const string copy = "Copy-PatternCollection $args[0] $args[1] -Destination $args[2] -CreateCollection -RejectPath $args[3] @cx";
        try
        {
            // Target -> the reference (embedded) store, then back into a new collection on the target.
            var report = OnTarget(copy.Replace("$args[2]", "$global:ContractReference"), name, there, null, Path.Combine(folder, "there.jsonl")).Single();
            Assert.Equal((40L, 0L), ((long)report.Properties["RowsWritten"].Value, (long)report.Properties["RowsRejected"].Value));
            var verification = Verification(report);
            Assert.True((bool)verification.Properties["Passed"].Value, (string)verification.Properties["Message"].Value);
            Assert.Equal(40L, (long)verification.Properties["Checked"].Value);
            var made = OnReference("Get-PatternCollection $args[0] @cx", there).Single();
            Assert.Equal(("HNSW", "8"), (made.Properties["IndexType"].Value, ((IDictionary)made.Properties["IndexParameters"].Value)["M"]!.ToString()));
            var returned = OnReference(copy.Replace("$args[2]", "$global:ContractTarget"), there, back, null, Path.Combine(folder, "back.jsonl")).Single();
            Assert.True((bool)Verification(returned).Properties["Passed"].Value);
            Assert.Equal(40L, EntityCount(back));

            // Into a collection that already holds another pattern: the check counts it, the copy is not called good.
            OnReference("New-PatternCollection $args[0] -Dimension 4 @cx | Out-Null; [pscustomobject]@{ PatternId = 'stranger'; Vector = 1, 2, 3, 4 } | Add-Pattern $args[0] @cx", extra);
            var mixed = InvokeOnTarget(copy.Replace("$args[2]", "$global:ContractReference"), name, extra, null, Path.Combine(folder, "extra.jsonl"));
            Assert.False((bool)Verification(mixed.Output.Single()).Properties["Passed"].Value);
            Assert.Equal("CoherenceCheckFailed", ErrorId(mixed.Errors.Single()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A copy's report's Verification: the Fidelity check's result.</summary>
    private static System.Management.Automation.PSObject Verification(System.Management.Automation.PSObject report) =>
        System.Management.Automation.PSObject.AsPSObject(report.Properties["Verification"].Value);

    /// <summary>Test-PatternCoherence's Fidelity check of a collection against an export set.</summary>
    private static bool Fidelity(Func<string, object?[], System.Collections.ObjectModel.Collection<System.Management.Automation.PSObject>> on, string collection, string set) =>
        (bool)on("Test-PatternCoherence $args[0] -SourcePath $args[1] -Metric quantum_coherence -MinCount 0 -ErrorAction SilentlyContinue @cx | Where-Object Check -eq 'Fidelity'",
            [collection, set]).Single().Properties["Passed"].Value;
}
