using System.Diagnostics;
using MilvusOps.Engine.Legacy;

namespace MilvusOps.Engine.Migration;

/// <summary>What an import is asked to do (Import-SqlitePattern's parameters, without PowerShell).</summary>
public sealed record ImportOptions(LegacySourceOptions Source, string Collection, string RejectPath)
{
    public int BatchSize { get; init; } = 1000;

    /// <summary>Batches are cut at this many bytes of patterns too (<see cref="WriteBatch.SizeOf"/>).</summary>
    public long MaxBatchBytes { get; init; } = WriteBatch.MaxBytes;
    public long? MaxRejects { get; init; }
    public bool Resume { get; init; }
    public bool CreateCollection { get; init; }
    public bool WhatIf { get; init; }
    public string CheckpointPath => RejectPath + ".checkpoint";
}

/// <summary>Counts after each committed batch, for progress. The rate counts this run's rows only.</summary>
public readonly record struct ImportProgress(long RowsDone, long TotalRows, long RowsWritten, long RowsRejected, double RowsPerSecond);

/// <summary>
/// Streams a legacy SQLite source into a collection: a worker decodes and validates the next batch
/// while the calling thread writes the current one. Each batch is one upsert, then its rejects
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
        var duplicates = new DuplicateTracker(source, start.LastSourceRow);
        var rows = source.Read(start.LastSourceRow).Select(record => (Record: record, Rejection: Validate(source, record, target, duplicates)));
        // The rejects first, then the checkpoint that names their length (a -WhatIf plan keeps neither).
        void SaveCheckpoint(bool completed)
        {
            if (rejects is null) return;
            rejects.Commit();
            new Checkpoint(sourcePath, mapping.Table, mapping.Query, options.Collection, lastRow, written, rejected,
                rejects.Length, reasons, completed).Save(options.CheckpointPath);
        }
        double RowsPerSecond() => read / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
        long batchBytes = 0;
        bool IsFull(List<(SourceRecord Record, Rejection? Rejection)> batch)
        {
            if (batch[^1].Record.Pattern is { } pattern && batch[^1].Rejection is null) batchBytes += WriteBatch.SizeOf(pattern);
            if (batch.Count < options.BatchSize && batchBytes < options.MaxBatchBytes) return false;
            batchBytes = 0;
            return true;
        }
        foreach (var batch in BackgroundBatches.Read(rows, IsFull))
        {
            var patterns = batch.Where(r => r.Rejection is null).Select(r => r.Record.Pattern!).ToList();
            if (!options.WhatIf && patterns.Count > 0) store.Upsert(options.Collection, patterns);
            foreach (var (_, rejection) in batch)
            {
                if (rejection is null) continue;
                rejects?.Write(rejection);
                reasons[rejection.ErrorId] = reasons.GetValueOrDefault(rejection.ErrorId) + 1;
                rejected++;
            }
            read += batch.Count;
            written += patterns.Count;
            lastRow = batch[^1].Record.SourceRow;
            SaveCheckpoint(completed: false);
            onBatch?.Invoke(new ImportProgress(start.RowsDone + read, mapping.RowCount, written, rejected, RowsPerSecond()));
            if (options.MaxRejects is long max && rejected > max)
                throw new MilvusOpsException("TooManyRejects", ErrorKind.LimitsExceeded,
                    $"{rejected} rows were rejected, more than -MaxRejects {max}. The import stopped after source row {lastRow}; " +
                    $"the rejects are in '{options.RejectPath}'. Fix the source or raise -MaxRejects, then run again with -Resume.", options.RejectPath);
            if (cancel.IsCancellationRequested) break;
        }
        bool completed = !cancel.IsCancellationRequested;
        // Once, at the end: Milvus rate-limits flushes, and upserted rows are searchable before one.
        if (completed && !options.WhatIf) store.Flush(options.Collection);
        if (completed) SaveCheckpoint(completed: true);
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
            RowsSkipped = start.RowsDone,
            RowsWritten = written,
            RowsRejected = rejected,
            RejectReasons = reasons,
            RejectPath = options.WhatIf ? null : options.RejectPath,
            CheckpointPath = options.WhatIf ? null : options.CheckpointPath,
            Duration = clock.Elapsed,
            RowsPerSecond = RowsPerSecond(),
            Completed = completed,
            WhatIf = options.WhatIf,
        };
    }

    /// <summary>The importer's own checks on top of the reader's: duplicates in the source, and the target's limits.</summary>
    private static Rejection? Validate(LegacySource source, SourceRecord record, PatternCollection target, DuplicateTracker duplicates)
    {
        if (record.Pattern is not { } pattern)
            return new Rejection(record.SourceRow, record.PatternId, record.ErrorId!, record.Reason!, record.DecodedFields, record.OriginalValues);
        if (duplicates.FirstRow(pattern.PatternId, record.SourceRow) is long first)
            return new Rejection(record.SourceRow, pattern.PatternId, "DuplicatePatternId",
                $"Pattern id '{pattern.PatternId}' first appears at source row {first}; the first occurrence wins.",
                Rejection.FieldsOf(pattern), source.ValuesOf(record.SourceRow));
        try
        {
            PatternValidator.CheckLimits(pattern, target);   // the reader already checked the vector and the JSON
            return null;
        }
        catch (MilvusOpsException ex)
        {
            return new Rejection(record.SourceRow, pattern.PatternId, ex.ErrorId, ex.Message, Rejection.FieldsOf(pattern), source.ValuesOf(record.SourceRow));
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

    private sealed record Start(long LastSourceRow, long RowsDone, long RowsWritten, long RowsRejected, long RejectBytes,
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
