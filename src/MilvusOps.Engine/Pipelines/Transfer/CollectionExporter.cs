using System.Diagnostics;
using MilvusOps.Engine.Sources;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources.ExportSets;

namespace MilvusOps.Engine.Pipelines.Transfer;

/// <summary>What an export is asked to do (Export-PatternCollection's parameters, without PowerShell).</summary>
public sealed record ExportOptions(string Collection, string Path, ExportFormat Format)
{
    /// <summary>Export only the patterns this filter matches.</summary>
    public PatternFilter? Filter { get; init; }

    /// <summary>A shard is closed once its patterns reach this many bytes (<see cref="WriteBatch.SizeOf"/>, before compression).</summary>
    public long ShardBytes { get; init; } = DefaultShardBytes;

    /// <summary>Rows per Parquet row group at most (a group is also cut at <see cref="WriteBatch.MaxBytes"/>).</summary>
    public int RowGroupRows { get; init; } = 10_000;

    public const long DefaultShardBytes = 256L << 20;
}

/// <summary>Counts after each written batch, for progress.</summary>
public readonly record struct ExportProgress(long RowsDone, long TotalRows, int ShardsDone, double RowsPerSecond);

/// <summary>
/// Writes a collection (or the patterns a filter matches) to an export set: shards of about
/// <see cref="ExportOptions.ShardBytes"/>, read in primary-key order while the previous batch is written, then a
/// manifest with each shard's rows, size and SHA-256. The folder must be new or empty; the export creates every file in
/// it, and a run that fails or is stopped removes them again, so a folder holds a whole export set or none.
/// It is a logical copy: rows written to the collection while it runs may or may not be in it.
/// </summary>
public static class CollectionExporter
{
    public const string InvalidPathId = "ExportPathInvalid";

    public static ExportSet Run(PatternSession session, ExportOptions options, Action<ExportProgress>? onBatch = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ShardBytes, 1);
        var cancel = session.Cancellation;
        var created = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var collection = session.Describe(options.Collection);
        long total = session.Count(collection.Name, options.Filter);   // checks the filter before a file is made
        string folder = System.IO.Path.GetFullPath(options.Path);
        bool createdFolder = Prepare(folder, session.Connection);
        var files = new List<string>();
        try
        {
            var shards = new List<ExportShard>();
            long rows = 0;
            ShardWriter? writer = null;
            FileStream? file = null;
            long shardRows = 0, shardBytes = 0;
            void CloseShard()
            {
                writer!.Complete();
                writer.Dispose();
                file!.Flush(flushToDisk: true);   // a manifest, and retention after it, never count on bytes still in a cache
                file.Dispose();
                shards.Add(Describe(files[^1], shardRows, cancel));
                (writer, file, shardRows, shardBytes) = (null, null, 0, 0);
            }
            try
            {
                var batches = WriteBatcher<Pattern>.ForWriters(options.RowGroupRows).Cut(session.Query(collection.Name, options.Filter), p => p);
                foreach (var batch in BackgroundBatches.Read(batches))
                {
                    if (writer is null)
                    {
                        string path = System.IO.Path.Combine(folder, $"part-{shards.Count:D5}{ShardWriter.ExtensionOf(options.Format)}");
                        file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                        files.Add(path);
                        writer = ShardWriter.Create(options.Format, file, collection);
                    }
                    writer.Write(batch);
                    rows += batch.Count;
                    shardRows += batch.Count;
                    shardBytes += batch.Sum(WriteBatch.SizeOf);
                    if (shardBytes >= options.ShardBytes) CloseShard();
                    onBatch?.Invoke(new ExportProgress(rows, total, shards.Count, rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-3)));
                    cancel.ThrowIfCancellationRequested();
                }
                if (writer is not null) CloseShard();
            }
            finally
            {
                writer?.Dispose();
                file?.Dispose();
            }
            var spec = collection.ToSpec(collection.Name);
            var set = new ExportSet
            {
                Path = folder,
                Format = options.Format,
                Collection = collection.Name,
                SourceUri = session.Connection.Uri,
                SourceDatabase = session.Connection.Database,
                SourceVersion = session.Connection.ServerVersion,
                Filter = options.Filter?.Expression,
                FilterParameters = options.Filter is { Parameters.Count: > 0 } f ? f.Parameters : null,
                Dimension = collection.Dimension,
                Metric = collection.Metric,
                IndexType = collection.IndexType,
                IndexParameters = collection.IndexParameters,
                Description = collection.Description,
                MaxIdLength = spec.MaxIdLength,
                MaxPatternTypeLength = spec.MaxPatternTypeLength,
                Partitioning = spec.Partitioning,
                Rows = rows,
                Shards = shards,
                CreatedAt = created,
                Duration = clock.Elapsed,
                RowsPerSecond = rows / Math.Max(clock.Elapsed.TotalSeconds, 1e-3),
            };
            files.Add(System.IO.Path.Combine(folder, ExportSet.ManifestName + ".tmp"));
            ExportManifest.Write(set);
            return set;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Remove(folder, files, createdFolder);
            throw new MilvusOpsException("ExportWriteFailed", ErrorKind.ResourceUnavailable,
                $"Writing the export set to '{folder}' failed ({ex.Message}); the files it had written are removed.", folder, ex);
        }
        catch
        {
            Remove(folder, files, createdFolder);
            throw;
        }
    }

    /// <summary>A closed shard's entry: its size and the SHA-256 of the bytes on disk.</summary>
    private static ExportShard Describe(string path, long rows, CancellationToken cancellation) =>
        new(System.IO.Path.GetFileName(path), rows, new FileInfo(path).Length, FileHash.Sha256(path, cancellation));

    /// <summary>
    /// Makes sure the folder is new or empty, and not the store's own file; creates it when it does not exist.
    /// Returns whether it was created.
    /// </summary>
    private static bool Prepare(string folder, MilvusConnection source)
    {
        if (File.Exists(folder))
            throw Invalid(folder, "it is a file; an export set is a folder");
        if (source.Backend == StoreBackend.Embedded && StorePath.Comparer.Equals(System.IO.Path.GetFullPath(source.Uri), folder))
            throw Invalid(folder, "it is the store file");
        if (Directory.Exists(folder))
        {
            if (Directory.EnumerateFileSystemEntries(folder).Any())
                throw Invalid(folder, "it is not empty, and an export never writes beside or over files it did not create");
            return false;
        }
        string? parent = System.IO.Path.GetDirectoryName(folder);
        if (parent is not null && !Directory.Exists(parent))
            throw Invalid(folder, $"its parent folder '{parent}' does not exist");
        Directory.CreateDirectory(folder);
        return true;
    }

    private static MilvusOpsException Invalid(string folder, string why) =>
        new(InvalidPathId, ErrorKind.InvalidArgument, $"Cannot export to '{folder}': {why}. Choose a new or empty folder.", folder);

    /// <summary>Removes what a failed or stopped export wrote: only its own files, and the folder if it made it.</summary>
    private static void Remove(string folder, IEnumerable<string> files, bool createdFolder)
    {
        try
        {
            foreach (string file in files) File.Delete(file);
            if (createdFolder && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The export's own error is the one to report; what is left is named by that error's folder.
        }
    }
}
