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

            // Within the target (Milvus to Milvus on one server): no -Destination.
            string within = NewName("within");
            var inside = OnTarget("Copy-PatternCollection $args[0] $args[1] -CreateCollection -RejectPath $args[2] @cx", name, within, Path.Combine(folder, "within.jsonl")).Single();
            Assert.True((bool)Verification(inside).Properties["Passed"].Value);
            Assert.Equal(40L, EntityCount(within));

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

    [SkippableFact]
    public void A_backup_of_target_collections_restores_into_the_embedded_store_and_back_and_proves_each_restore()
    {
        var rows = ContractData.FilterRows(30);
        string name = Create("backup", 4, index: "HNSW", indexParameters: new Hashtable { ["M"] = 8, ["efConstruction"] = 64 }, reference: false);
        Load(name, rows, reference: false);
        string folder = Directory.CreateTempSubdirectory("milvusops-contract-backup-").FullName;
        try
        {
            var backup = OnTarget("Backup-PatternStore $args[0] -Path $args[1] -Keep 2 @cx", name, folder).Single();
            Assert.Equal(("ExportSets", 30L), (backup.Properties["Kind"].Value.ToString(), (long)backup.Properties["Rows"].Value));

            // Restored elsewhere: the collection is made with its index, and each pattern is checked against the backup.
            var restored = OnTarget("$args[0] | Restore-PatternBackup -Destination $global:ContractReference -RejectPath (Join-Path $args[1] 'out.jsonl') @cx", backup, folder).Single();
            Assert.True((bool)Verification(restored).Properties["Passed"].Value, (string)Verification(restored).Properties["Message"].Value);
            var made = OnReference("Get-PatternCollection $args[0] @cx", name).Single();
            Assert.Equal(("HNSW", 30L), (made.Properties["IndexType"].Value, (long)made.Properties["EntityCount"].Value));

            // The target lost the collection (an upgrade gone wrong): the backup brings it back there.
            OnTarget("Remove-PatternCollection $args[0] -Confirm:$false @cx", name);
            var back = OnTarget("Restore-PatternBackup $args[0] -RejectPath (Join-Path $args[1] 'back.jsonl') @cx", backup.Properties["Path"].Value, folder).Single();
            Assert.True((bool)Verification(back).Properties["Passed"].Value, (string)Verification(back).Properties["Message"].Value);
            Assert.Equal(30L, EntityCount(name));
            Assert.Single(OnTarget("Get-PatternBackup $args[0]", folder));
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
