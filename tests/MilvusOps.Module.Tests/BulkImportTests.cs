using MilvusOps.Tests.Shared;

namespace MilvusOps.Module.Tests;

/// <summary>
/// Milvus's bulk import as an operator runs it: an export set of a rehearsal store piped to Start-MilvusImportJob -Wait,
/// against the peer with an S3 API (s3rver) and the import REST API; a job Milvus fails is an ImportJobFailed error.
/// </summary>
public sealed class BulkImportTests : IDisposable
{
    private readonly ModuleSession _session = new();
    private readonly ConformancePeer? _peer;

    public BulkImportTests()
    {
        if (ConformancePeer.SkipReason is null) _peer = ConformancePeer.Start("--stateful", "--bulk");
    }

    public void Dispose()
    {
        _session.Dispose();
        _peer?.Dispose();
    }

    private const string Storage = "-StorageUri $args[1] -StorageCredential ([pscredential]::new('S3RVER', (ConvertTo-SecureString 'S3RVER' -AsPlainText -Force))) -RestUri $args[2]";

    [SkippableFact]
    public void An_export_set_piped_to_Start_MilvusImportJob_Wait_arrives_and_is_verified()
    {
        Skip.If(_peer is null, ConformancePeer.SkipReason);
        _session.Run("""
            Connect-Milvus ./rehearsal.db -Create | Out-Null
            New-PatternCollection patterns -Dimension 4 -IndexType HNSW -IndexParameter @{ M = 8; efConstruction = 64 } | Out-Null
            1..60 | ForEach-Object { [pscustomobject]@{ PatternId = "p$_"; Vector = [float[]](1, 2, 3, $_); CoherenceMetrics = @{ quantum_coherence = 0.95 } } } | Add-Pattern patterns
            """);
        var result = _session.Invoke(
            $"Export-PatternCollection patterns ./set | Start-MilvusImportJob {Storage} -CreateCollection -Wait -Connection $args[0]",
            _peer!.Address, _peer.S3Address, _peer.RestAddress);
        Assert.Empty(result.Errors);
        var job = result.Output.Single();
        Assert.Equal(("Completed", 60L), ((string)job.Properties["State"].Value, (long)job.Properties["ImportedRows"].Value));
        var verification = System.Management.Automation.PSObject.AsPSObject(job.Properties["Verification"].Value);
        Assert.True((bool)verification.Properties["Passed"].Value, (string)verification.Properties["Message"].Value);
        Assert.Contains(result.Progress, p => p.StatusDescription.StartsWith("shard 1 of 1", StringComparison.Ordinal));
        Assert.Equal(60L, (long)_session.Run("(Get-PatternCollection patterns -Connection $args[0]).EntityCount", _peer.Address).Single().BaseObject);

        // Listed, then described by id through the pipeline.
        var listed = _session.Run("Get-MilvusImportJob -Collection patterns -RestUri $args[1] -Connection $args[0] | Get-MilvusImportJob",
            _peer.Address, _peer.RestAddress).Single();
        Assert.Equal(job.Properties["JobId"].Value, listed.Properties["JobId"].Value);
    }

    [SkippableFact]
    public void A_job_Milvus_fails_is_written_with_its_reason_as_ImportJobFailed()
    {
        Skip.If(_peer is null, ConformancePeer.SkipReason);
        _session.Run("""
            Connect-Milvus ./rehearsal.db -Create | Out-Null
            New-PatternCollection long_ids -Dimension 4 | Out-Null
            [pscustomobject]@{ PatternId = 'much-too-long'; Vector = [float[]](1, 2, 3, 4) } | Add-Pattern long_ids
            Export-PatternCollection long_ids ./long | Out-Null
            """);
        _session.Run("New-PatternCollection long_ids -Dimension 4 -MaxIdLength 4 -Connection $args[0] | Out-Null", _peer!.Address);
        // The job carries its store and REST address down the pipeline: Wait-MilvusImportJob needs neither again.
        var result = _session.Invoke($"Start-MilvusImportJob ./long {Storage} -Connection $args[0] | Wait-MilvusImportJob",
            _peer.Address, _peer.S3Address, _peer.RestAddress);
        Assert.Equal("Failed", (string)result.Output.Single().Properties["State"].Value);
        var error = result.Errors.Single();
        Assert.StartsWith("ImportJobFailed,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("length of varchar field pattern_id exceeds max length", error.Exception.Message, StringComparison.Ordinal);
    }
}
