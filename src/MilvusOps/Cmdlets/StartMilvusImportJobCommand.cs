using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Engine.Stack;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Bulk-imports an export set into a Milvus collection: verifies the set's checksums, uploads its Parquet shards to the
/// object storage Milvus reads (MinIO, over the S3 API) unless the same bytes are already there, and starts one Milvus
/// import job (REST /v2/vectordb/jobs/import/create). With -Wait it follows the job to its end and checks the
/// collection against the set with the Fidelity check; otherwise Wait-MilvusImportJob does that later.
/// </summary>
/// <example>
/// <code>
/// $minio = Get-Credential minioadmin
/// Export-PatternCollection patterns ./exports/patterns -Connection ./rehearsal.db |
///     Start-MilvusImportJob -StorageUri http://localhost:9000 -StorageCredential $minio -CreateCollection -Wait -Connection http://localhost:19530
/// </code>
/// <para>Loads a collection rehearsed on the embedded store into Milvus through its bulk import, and proves every pattern arrived.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "MilvusImportJob", SupportsShouldProcess = true)]
[OutputType(typeof(ImportJob))]
public sealed class StartMilvusImportJobCommand : ImportJobCmdlet
{
    /// <summary>The export set's folder (Parquet).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    /// <summary>The collection to load; without it, the collection the set was exported from.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string? Collection { get; set; }

    /// <summary>The object storage's S3 endpoint, the one Milvus is configured with (MinIO: http://localhost:9000 in the compose stack).</summary>
    [Parameter(Mandatory = true)]
    public Uri StorageUri { get; set; } = null!;

    /// <summary>The access key (user name) and secret key (password) of the object storage.</summary>
    [Parameter(Mandatory = true)]
    [Credential]
    public PSCredential StorageCredential { get; set; } = null!;

    /// <summary>The bucket Milvus reads: its minio.bucketName (default a-bucket).</summary>
    [Parameter]
    public string Bucket { get; set; } = ObjectStorageTarget.DefaultBucket;

    /// <summary>The folder in the bucket under which each export set gets a folder of its own.</summary>
    [Parameter]
    public string Prefix { get; set; } = BulkImportOptions.DefaultPrefix;

    /// <summary>Make the collection, with the schema and index the set's manifest records, when it does not exist.</summary>
    [Parameter]
    public SwitchParameter CreateCollection { get; set; }

    /// <summary>Load into a collection that already holds patterns (refused otherwise, BulkImportTargetNotEmpty): Milvus's bulk import adds rows and replaces none, so only a set whose ids are new to the collection belongs here.</summary>
    [Parameter]
    public SwitchParameter Append { get; set; }

    /// <summary>Follow the job to its end, then check the collection against the set.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>How many seconds to follow the job before giving up the wait (ImportJobTimeout; the job goes on in Milvus).</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int TimeoutSec { get; set; } = 3600;

    /// <summary>A piped export set is a source of files, not the store to load: the target is -Connection or the session's.</summary>
    private protected override MilvusConnection? PipedConnection => null;

    protected override void ProcessRecord()
    {
        string folder = GetUnresolvedProviderPathFromPSPath(Path);
        var storage = new ObjectStorageTarget(Call(() => StackHttp.Check(StorageUri, nameof(StorageUri))), Bucket,
            StorageCredential.UserName, StorageCredential.GetNetworkCredential().Password);
        if (!ShouldProcess($"{folder} -> {storage}/{Prefix} -> collection '{(Collection ?? "(the set's)")}' in {Target}", "Upload and start a Milvus import job")) return;
        string activity = $"Uploading {System.IO.Path.GetFileName(folder)} to {storage}";
        var job = Call(() =>
        {
            var options = new BulkImportOptions(folder, storage) { Collection = Collection, Prefix = Prefix, CreateCollection = CreateCollection, Append = Append, RestUri = Rest };
            return BulkImporter.Start(Session, options, step =>
            {
                var record = new ProgressRecord(1, activity, $"shard {step.Shard} of {step.Shards}: {step.BytesDone / 1048576.0:N1} of {step.BytesTotal / 1048576.0:N1} MB");
                if (step.BytesTotal > 0) record.PercentComplete = (int)Math.Min(100, 100 * step.BytesDone / step.BytesTotal);
                WriteProgress(record);
            });
        });
        WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        if (Wait) Follow(job.JobId, job.SourcePath, TimeSpan.FromSeconds(TimeoutSec), Append);
        else WriteJob(job);
    }
}
