using System.Security.Cryptography;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources.ExportSets;
using MilvusOps.Engine.Stack;

namespace MilvusOps.Engine.Pipelines.Transfer;

/// <summary>A bulk import of an export set: the collection to load, the object storage Milvus reads, where in its bucket.</summary>
public sealed record BulkImportOptions(string SetPath, ObjectStorageTarget Storage)
{
    /// <summary>The collection to load; null for the one the set was exported from.</summary>
    public string? Collection { get; init; }

    /// <summary>The folder in the bucket under which each export set gets a folder of its own.</summary>
    public string Prefix { get; init; } = DefaultPrefix;

    /// <summary>Make the collection, with the schema and index the manifest records, when it does not exist.</summary>
    public bool CreateCollection { get; init; }

    /// <summary>Where Milvus's REST API answers; null for the server's own address.</summary>
    public Uri? RestUri { get; init; }

    /// <summary>Load into a collection that already holds patterns. Milvus's bulk import adds rows and replaces none, so a
    /// pattern whose id is already there is there twice afterwards: without this, such a collection is refused.</summary>
    public bool Append { get; init; }

    public const string DefaultPrefix = "milvusops-import";
}

/// <summary>Upload progress: shard <paramref name="Shard"/> of <paramref name="Shards"/>, bytes of all shards.</summary>
public readonly record struct UploadProgress(int Shard, int Shards, long BytesDone, long BytesTotal);

/// <summary>
/// Milvus's bulk import driven from an export set: the set's checksums are verified, its Parquet shards uploaded to the
/// server's object storage (skipped where an earlier upload already put the same bytes), one import job started, then
/// followed to its end and the collection checked against the set. Milvus, not this process, reads and writes the rows.
/// </summary>
public static class BulkImporter
{
    public static ImportJob Start(PatternSession session, BulkImportOptions options, Action<UploadProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        using var source = ExportSetSource.Open(options.SetPath, session.Cancellation);   // every shard's size and SHA-256, before anything is sent
        var set = source.Set;
        if (set.Format != ExportFormat.Parquet)
            throw new MilvusOpsException("BulkImportNeedsParquet", ErrorKind.InvalidArgument,
                $"The export set '{set.Path}' is {set.Format}; Milvus's bulk import reads the Parquet layout. Export it again with -Format Parquet.", set.Path);
        if (set.Shards.Count > Backends.Milvus.MilvusImportJobs.MaxFilesPerJob)
            throw new MilvusOpsException("BulkImportTooManyFiles", ErrorKind.LimitsExceeded,
                $"The export set '{set.Path}' has {set.Shards.Count} shards; one Milvus import job takes at most {Backends.Milvus.MilvusImportJobs.MaxFilesPerJob}. Export it with a larger -ShardSize.", set.Path);
        session.RequireBulkImport();   // before a byte is uploaded
        string name = options.Collection ?? set.Collection;
        // The collection is checked (or the spec that makes it) before the upload, and made only after it, so a failed or
        // stopped upload leaves no empty collection behind.
        var existing = Existing(session, name, options.CreateCollection);
        var spec = existing is null ? PatternSession.Check(set.ToSpec(name)) : null;
        // Milvus would need each row's cell, which the set's Parquet shards do not carry (nor the model that gives it).
        if ((existing?.Partitioning ?? spec!.Partitioning) != CollectionPartitioning.None)
            throw new MilvusOpsException("BulkImportIntoCells", ErrorKind.InvalidOperation,
                $"Collection '{name}' {(existing is null ? "would be" : "is")} partitioned into Hilbert cells, and a bulk import cannot give its rows their cells. " +
                "Load the set with Import-PatternCollection, which writes each row with its cell.", name);
        // Asked before the upload too: the REST API answers where it is looked for, and no job of this collection is still
        // running (its rows are not visible yet, so a count cannot see them; a second job would load them again).
        var jobs = session.ListImportJobs(existing is null ? null : name, options.RestUri);
        if (existing is not null && !options.Append && jobs.FirstOrDefault(j => !j.IsCompleted && !j.IsFailed) is { } running)
            throw new MilvusOpsException("BulkImportTargetNotEmpty", ErrorKind.InvalidOperation,
                $"Import job {running.JobId} into '{name}' is still {running.State}: its rows arrive when it completes. Follow it with 'Wait-MilvusImportJob {running.JobId}' " +
                "instead of starting another, or pass -Append if this set's ids are new to the collection.", name);
        if (existing is not null)
        {
            PatternImporter.Target(session, name, set.Dimension, create: null);   // DimensionMismatch
            if (!options.Append && session.Count(name) is > 0 and var held)
                throw new MilvusOpsException("BulkImportTargetNotEmpty", ErrorKind.InvalidOperation,
                    $"Collection '{name}' already holds {held} patterns, and Milvus's bulk import adds rows without replacing any: a pattern already there would be there twice. " +
                    "Load into an empty collection, or pass -Append if the set's ids are new to it.", name);
        }

        string folder = string.Join('/', new[] { options.Prefix.Trim('/'), Folder(set) }.Where(part => part.Length > 0));
        var keys = new List<string>();
        using (var storage = new ObjectStorage(options.Storage))
        {
            long total = set.Bytes, before = 0;
            for (int i = 0; i < set.Shards.Count; i++)
            {
                var shard = set.Shards[i];
                string key = $"{folder}/{shard.File}";
                var found = storage.Find(key, session.Cancellation);
                if (found is null)
                {
                    int index = i;
                    long done = before;
                    storage.Upload(key, Path.Combine(set.Path, shard.File), shard.Sha256,
                        (sent, _) => progress?.Invoke(new UploadProgress(index + 1, set.Shards.Count, done + sent, total)), session.Cancellation);
                }
                else if (found.Value.Bytes != shard.Bytes || found.Value.Sha256 != shard.Sha256)
                {
                    throw new MilvusOpsException("ObjectStorageConflict", ErrorKind.ResourceExists,
                        $"'{key}' in {storage.Target} exists with other bytes than the shard '{shard.File}' of '{set.Path}'; it is not overwritten. Give another -Prefix.", key);
                }
                before += shard.Bytes;
                progress?.Invoke(new UploadProgress(i + 1, set.Shards.Count, before, total));
                keys.Add(key);
            }
        }
        var collection = existing ?? session.Create(spec!, ifNotExists: true);
        string jobId = session.StartImportJob(collection.Name, keys, options.RestUri);
        ImportJob job;
        try
        {
            job = session.DescribeImportJob(jobId, options.RestUri);
        }
        catch (MilvusOpsException)
        {
            job = new ImportJob { JobId = jobId, Collection = collection.Name, State = "Pending" };   // started: its id must not be lost
        }
        job.SourcePath = set.Path;
        job.Appended = options.Append;
        job.RestUri = options.RestUri;
        return job;
    }

    /// <summary>The collection, or null when it is missing and may be made; missing without -CreateCollection is CollectionNotFound.</summary>
    private static PatternCollection? Existing(PatternSession session, string name, bool mayCreate)
    {
        try
        {
            return session.Describe(name);
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "CollectionNotFound" && mayCreate)
        {
            return null;
        }
    }

    /// <summary>Follows a job until it completes or fails, or <paramref name="limit"/> passes (ImportJobTimeout; the job goes on in Milvus).</summary>
    public static ImportJob Wait(PatternSession session, string jobId, Uri? restUri, TimeSpan limit, Action<ImportJob>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        var job = session.DescribeImportJob(jobId, restUri);
        Poll.Until(() =>
        {
            progress?.Invoke(job);
            if (job.IsCompleted || job.IsFailed) return true;
            job = session.DescribeImportJob(jobId, restUri);
            return job.IsCompleted || job.IsFailed;
        }, limit, () => new MilvusOpsException("ImportJobTimeout", ErrorKind.OperationTimeout,
            $"Import job {jobId} is still {job.State} ({job.Progress}%) after {limit}; it goes on in Milvus. Follow it with 'Wait-MilvusImportJob {jobId}'.", jobId),
            session.Cancellation);
        return job;
    }

    /// <summary>The Fidelity check of the collection against the export set: every id, every vector bit, every JSON value,
    /// and the count; for an appended set (<paramref name="appended"/>), the set's patterns only, since the collection held others.</summary>
    public static CoherenceCheckResult Verify(PatternSession session, string collection, string setPath, bool appended = false)
    {
        using var check = FidelityCheck.Open(session, collection, _ => ExportSetSource.Open(setPath, session.Cancellation), everyRow: true, wholeCollection: !appended);
        return check.Run();
    }

    /// <summary>The set's folder in the bucket: its collection, time and a hash of its manifest, so two sets never share one.</summary>
    private static string Folder(ExportSet set)
    {
        byte[] manifest = File.ReadAllBytes(Path.Combine(set.Path, ExportSet.ManifestName));
        string hash = Convert.ToHexString(SHA256.HashData(manifest), 0, 6).ToLowerInvariant();
        return $"{set.Collection}-{set.CreatedAt.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{hash}";
    }
}
