using System.Collections.Concurrent;
using System.Diagnostics;
using MilvusOps.Engine.Legacy;

namespace MilvusOps.Engine.Migration;

/// <summary>What an import is asked to do (Import-SqlitePattern's parameters, without PowerShell).</summary>
public sealed record ImportOptions(LegacySourceOptions Source, string Collection, string RejectPath)
{
    public int BatchSize { get; init; } = 1000;

    /// <summary>Batches are cut at this many bytes of patterns too, well under any request limit.</summary>
    public long MaxBatchBytes { get; init; } = 8L << 20;
    public long? MaxRejects { get; init; }
    public bool Resume { get; init; }
    public bool CreateCollection { get; init; }
    public bool WhatIf { get; init; }
    public string CheckpointPath => RejectPath + ".checkpoint";
}

/// <summary>Counts after each committed batch, for progress.</summary>
public readonly record struct ImportProgress(long RowsDone, long TotalRows, long RowsWritten, long RowsRejected, TimeSpan Elapsed)
{
    public double RowsPerSecond => RowsDone / Math.Max(Elapsed.TotalSeconds, 1e-3);
}

/// <summary>
/// Streams a legacy SQLite source into a collection: a reader task decodes and validates the next
/// batch while the calling thread writes the current one. Each batch is one upsert, then its rejects
/// are made durable, then the checkpoint moves past it, so a run killed at any moment resumes with
/// nothing lost and nothing duplicated. <paramref name="onBatch"/> runs on the calling thread.
/// </summary>
public static class SqliteImporter
{
    public static MigrationReport Run(IPatternStore store, ImportOptions options, Action<ImportProgress>? onBatch = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        using var source = LegacySource.Open(options.Source);
        var mapping = source.Mapping;
        string sourcePath = options.Source.Path;
        int dimension = mapping.Dimension ?? throw new MilvusOpsException("VectorDimensionUnknown", ErrorKind.InvalidData,
            $"The source '{options.Source.Path}' has no vectors to infer a dimension from; pass -Dimension.", options.Source.Path);
        var target = ResolveTarget(store, options, dimension);
        var start = StartingPoint(options, sourcePath, mapping);
        var reasons = new Dictionary<string, long>(start.RejectReasons, StringComparer.Ordinal);
        long written = start.RowsWritten, rejected = start.RowsRejected, read = 0, lastRow = start.LastSourceRow;

        using var rejects = options.WhatIf ? null : new RejectWriter(options.RejectPath, start.RejectBytes);
        using var batches = new BlockingCollection<Batch>(boundedCapacity: 2);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var reader = Task.Run(() => ReadBatches(source, start.LastSourceRow, target, options, batches, stop.Token), stop.Token);
        bool completed = false;
        try
        {
            foreach (var batch in batches.GetConsumingEnumerable())
            {
                if (!options.WhatIf && batch.Patterns.Count > 0) store.Upsert(options.Collection, batch.Patterns);
                foreach (var rejection in batch.Rejections)
                {
                    rejects?.Write(rejection);
                    reasons[rejection.ErrorId] = reasons.GetValueOrDefault(rejection.ErrorId) + 1;
                }
                read += batch.RowsRead;
                written += batch.Patterns.Count;
                rejected += batch.Rejections.Count;
                lastRow = batch.LastSourceRow;
                if (rejects is not null)
                {
                    rejects.Commit();
                    new Checkpoint(sourcePath, mapping.Table, mapping.Query, options.Collection, lastRow, written, rejected,
                        rejects.Length, reasons, Completed: batch.IsLast).Save(options.CheckpointPath);
                }
                completed = batch.IsLast;
                onBatch?.Invoke(new ImportProgress(start.LastSourceRowCount + read, mapping.RowCount, written, rejected, clock.Elapsed));
                if (options.MaxRejects is long max && rejected > max)
                    throw new MilvusOpsException("TooManyRejects", ErrorKind.LimitsExceeded,
                        $"{rejected} rows were rejected, more than -MaxRejects {max}. The import stopped after source row {lastRow}; " +
                        $"the rejects are in '{options.RejectPath}'. Fix the source or raise -MaxRejects, then run again with -Resume.", options.RejectPath);
                if (cancel.IsCancellationRequested) break;
            }
        }
        finally
        {
            stop.Cancel();
            try { reader.Wait(); }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException)) { }
            catch (AggregateException ex) when (ex.InnerException is MilvusOpsException inner) { throw inner; }
        }
        completed |= start.Completed;
        return new MigrationReport
        {
            Source = sourcePath,
            Table = mapping.Table,
            Query = mapping.Query,
            Collection = options.Collection,
            Mapping = mapping.ToMarkdown(),
            Dimension = dimension,
            RowsRead = read,
            RowsSkipped = start.LastSourceRowCount,
            RowsWritten = written,
            RowsRejected = rejected,
            RejectReasons = reasons,
            RejectPath = options.WhatIf ? null : options.RejectPath,
            CheckpointPath = options.WhatIf ? null : options.CheckpointPath,
            Duration = clock.Elapsed,
            RowsPerSecond = read / Math.Max(clock.Elapsed.TotalSeconds, 1e-3),
            Completed = completed,
            WhatIf = options.WhatIf,
        };
    }

    private sealed record Batch(List<Pattern> Patterns, List<Rejection> Rejections, long RowsRead, long LastSourceRow, bool IsLast);

    /// <summary>The producer: decodes, validates and batches rows on a worker thread.</summary>
    private static void ReadBatches(LegacySource source, long afterRow, PatternCollection target,
        ImportOptions options, BlockingCollection<Batch> output, CancellationToken cancel)
    {
        try
        {
            var duplicates = new DuplicateTracker(source, afterRow);
            var patterns = new List<Pattern>(options.BatchSize);
            var rejections = new List<Rejection>();
            long rows = 0, bytes = 0, lastRow = afterRow;
            foreach (var record in source.Read(afterRow))
            {
                rows++;
                lastRow = record.SourceRow;
                if (Validate(source, record, target, duplicates) is { } rejection) rejections.Add(rejection);
                else
                {
                    var pattern = record.Pattern!;
                    patterns.Add(pattern);
                    bytes += pattern.Vector.Length * sizeof(float) + pattern.PatternId.Length
                        + (pattern.CoherenceMetricsJson?.Length ?? 0) + (pattern.TemporalContextJson?.Length ?? 0);
                }
                if (patterns.Count >= options.BatchSize || bytes >= options.MaxBatchBytes || rejections.Count >= options.BatchSize)
                {
                    output.Add(new Batch(patterns, rejections, rows, lastRow, IsLast: false), cancel);
                    patterns = new List<Pattern>(options.BatchSize);
                    rejections = [];
                    rows = bytes = 0;
                }
            }
            output.Add(new Batch(patterns, rejections, rows, lastRow, IsLast: true), cancel);
        }
        finally
        {
            output.CompleteAdding();
        }
    }

    /// <summary>The importer's own checks on top of the reader's: duplicates in the source, and the target's limits.</summary>
    private static Rejection? Validate(LegacySource source, SourceRecord record, PatternCollection target, DuplicateTracker duplicates)
    {
        if (record.Pattern is not { } pattern)
            return new Rejection(record.SourceRow, record.PatternId, record.ErrorId!, record.Reason!, record.OriginalValues);
        if (duplicates.FirstRow(pattern.PatternId, record.SourceRow) is long first)
            return new Rejection(record.SourceRow, pattern.PatternId, "DuplicatePatternId",
                $"Pattern id '{pattern.PatternId}' first appears at source row {first}; the first occurrence wins.", source.ValuesOf(record.SourceRow, pattern));
        try
        {
            PatternValidator.Validate(pattern, target);
            return null;
        }
        catch (MilvusOpsException ex)
        {
            return new Rejection(record.SourceRow, pattern.PatternId, ex.ErrorId, ex.Message, source.ValuesOf(record.SourceRow, pattern));
        }
    }

    private static PatternCollection ResolveTarget(IPatternStore store, ImportOptions options, int dimension)
    {
        PatternCollection? existing = null;
        try
        {
            existing = store.DescribeCollection(options.Collection);
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "CollectionNotFound" && options.CreateCollection)
        {
        }
        var spec = new CollectionSpec { Name = options.Collection, Dimension = dimension }.Validate();
        if (existing is null)
        {
            // A -WhatIf plan validates against the collection that -CreateCollection would make.
            return options.WhatIf
                ? new PatternCollection { Name = spec.Name, Dimension = dimension, Metric = spec.Metric, IndexType = spec.IndexType, Fields = PatternSchema.Fields(spec) }
                : store.CreateCollection(spec, ifNotExists: true);
        }
        if (existing.Dimension != dimension)
            throw new MilvusOpsException("DimensionMismatch", ErrorKind.InvalidArgument,
                $"The source's vectors are {dimension}-d but collection '{options.Collection}' is {existing.Dimension}-d. " +
                "Import into a collection of the source's dimension, or pass -Dimension if the inference was wrong.", options.Collection);
        return existing;
    }

    private sealed record Start(long LastSourceRow, long LastSourceRowCount, long RowsWritten, long RowsRejected, long RejectBytes,
        Dictionary<string, long> RejectReasons, bool Completed);

    private static Start StartingPoint(ImportOptions options, string sourcePath, SourceMapping mapping)
    {
        var fresh = new Start(0, 0, 0, 0, 0, new Dictionary<string, long>(StringComparer.Ordinal), false);
        if (!options.Resume || options.WhatIf) return fresh;
        var checkpoint = Checkpoint.Load(options.CheckpointPath);
        if (checkpoint is null) return fresh;
        if (!checkpoint.Matches(sourcePath, mapping.Table, mapping.Query, options.Collection))
            throw new MilvusOpsException("CheckpointMismatch", ErrorKind.InvalidArgument,
                $"The checkpoint '{options.CheckpointPath}' is for {checkpoint.Source} ({checkpoint.Table ?? checkpoint.Query}) -> {checkpoint.Collection}, not this import. " +
                "Use another -RejectPath, or run without -Resume to start over.", options.CheckpointPath);
        return new Start(checkpoint.LastSourceRow, checkpoint.RowsWritten + checkpoint.RowsRejected, checkpoint.RowsWritten,
            checkpoint.RowsRejected, checkpoint.RejectBytes, checkpoint.RejectReasons, checkpoint.Completed);
    }
}
