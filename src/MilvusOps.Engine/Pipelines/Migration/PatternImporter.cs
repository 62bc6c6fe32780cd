using System.Diagnostics;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources;

namespace MilvusOps.Engine.Pipelines.Migration;

/// <summary>What an import is asked to do (Import-SqlitePattern's and Import-PatternCollection's parameters, without PowerShell).</summary>
public sealed record ImportOptions(string Collection, string RejectPath)
{
    public int BatchSize { get; init; } = 1000;

    /// <summary>Batches are cut at this many bytes of patterns too (<see cref="WriteBatch.SizeOf"/>).</summary>
    public long MaxBatchBytes { get; init; } = WriteBatch.MaxBytes;
    public long? MaxRejects { get; init; }
    public bool Resume { get; init; }
    public bool CreateCollection { get; init; }

    /// <summary>The collection -CreateCollection makes when the target does not exist (its name is replaced by the
    /// target's); null: the default schema with the source's dimension.</summary>
    public CollectionSpec? NewCollection { get; init; }
    public bool WhatIf { get; init; }
    public string CheckpointPath => RejectPath + ".checkpoint";
}

/// <summary>Counts after each committed batch, for progress. The rate counts this run's rows only.</summary>
public readonly record struct ImportProgress(long RowsDone, long TotalRows, long RowsWritten, long RowsRejected, double RowsPerSecond);

/// <summary>
/// Streams a source (a legacy SQLite file, an export set) into a collection: a worker decodes and validates the next batch
/// while the calling thread writes the current one. Each batch is one upsert, then its rejects
/// are made durable, then the checkpoint moves past it, so a run killed at any moment resumes with
/// nothing lost and nothing duplicated. The checkpoint and the rejects file belong to one source and
/// one target (<see cref="ImportIdentity"/>), and the rejects path is checked before anything is opened
/// for writing (<see cref="RejectFile"/>). <paramref name="onBatch"/> and <paramref name="onWarning"/> run
/// on the calling thread; the warnings are in the report too.
/// </summary>
public static class PatternImporter
{
    /// <summary>Imports <paramref name="source"/>, which the caller opened and disposes.</summary>
    public static MigrationReport Run(PatternSession session, IPatternSource source, ImportOptions options, Action<ImportProgress>? onBatch = null,
        Action<string>? onWarning = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(source);
        var store = session.Connection;   // where the patterns go: it names the checkpoint and the report
        var cancel = session.Cancellation;
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        var warnings = new List<string>();
        void Warn(string warning)
        {
            warnings.Add(warning);
            onWarning?.Invoke(warning);
        }
        string sourcePath = source.Path;   // a full path or a server URI
        RejectFile.CheckPlace(options.RejectPath, sourcePath, store);
        int dimension = source.Dimension ?? throw new MilvusOpsException("VectorDimensionUnknown", ErrorKind.InvalidData,
            $"The source '{source.Path}' has no vectors to infer a dimension from; pass -Dimension.", source.Path);
        var identity = new ImportIdentity(sourcePath, source.Table, source.Query, store.Uri, store.Database, options.Collection);
        var start = StartingPoint(options, identity, Warn, out bool checkpointIsOurs);
        // A checkpoint of this import vouches for the file beside it, even for a first line torn by a crash.
        if (!checkpointIsOurs) RejectFile.CheckOwner(options.RejectPath, sourcePath);
        using var rejects = options.WhatIf ? null : OpenRejects(options, start, sourcePath);
        var target = ResolveTarget(session, options, dimension);
        var reasons = new Dictionary<string, long>(start.RejectReasons, StringComparer.Ordinal);
        long written = start.RowsWritten, rejected = start.RowsRejected, read = 0, lastRow = start.LastSourceRow;
        long rowsDone = start.RowsWritten + start.RowsRejected;

        var duplicates = new DuplicateTracker(source, start.LastSourceRow);
        var rows = source.Read(start.LastSourceRow).Select(record => (Record: record, Rejection: Validate(source, record, target, duplicates)));
        // The rejects first, then the checkpoint that names their length (a -WhatIf plan keeps neither).
        void SaveCheckpoint(bool completed)
        {
            if (rejects is null) return;
            rejects.Commit();
            new Checkpoint(identity, lastRow, written, rejected, rejects.Length, reasons, completed).Save(options.CheckpointPath);
        }
        double RowsPerSecond() => read / Math.Max(clock.Elapsed.TotalSeconds, 1e-3);
        // A reject takes a row of its batch but no bytes: it is not written.
        var batches = WriteBatcher<(SourceRecord Record, Rejection? Rejection)>.ForWriters(options.BatchSize, options.MaxBatchBytes)
            .Cut(rows, row => row.Rejection is null ? row.Record.Pattern : null);
        foreach (var batch in BackgroundBatches.Read(batches))
        {
            var patterns = batch.Where(r => r.Rejection is null).Select(r => r.Record.Pattern!).ToList();
            if (!options.WhatIf && patterns.Count > 0) session.Upsert(options.Collection, patterns);
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
            onBatch?.Invoke(new ImportProgress(rowsDone + read, source.RowCount, written, rejected, RowsPerSecond()));
            if (options.MaxRejects is long max && rejected > max)
                throw new MilvusOpsException("TooManyRejects", ErrorKind.LimitsExceeded,
                    $"{rejected} rows were rejected, more than -MaxRejects {max}. The import stopped after source row {lastRow}; " +
                    $"the rejects are in '{options.RejectPath}'. Fix the source or raise -MaxRejects, then run again with -Resume.", options.RejectPath);
            if (cancel.IsCancellationRequested) break;
        }
        bool completed = !cancel.IsCancellationRequested;
        // Once, at the end: Milvus rate-limits flushes, and upserted rows are searchable before one.
        if (completed && !options.WhatIf) session.Flush(options.Collection);
        if (completed) SaveCheckpoint(completed: true);
        completed |= start.Completed;
        return new MigrationReport
        {
            Source = sourcePath,
            Table = source.Table,
            Query = source.Query,
            Collection = options.Collection,
            TargetUri = store.Uri,
            TargetDatabase = store.Database,
            Mapping = source.DescribeMapping(),
            Dimension = dimension,
            RowsRead = read,
            RowsSkipped = rowsDone,
            RowsWritten = written,
            RowsRejected = rejected,
            RejectReasons = reasons,
            RejectPath = options.WhatIf ? null : options.RejectPath,
            CheckpointPath = options.WhatIf ? null : options.CheckpointPath,
            Duration = clock.Elapsed,
            RowsPerSecond = RowsPerSecond(),
            Completed = completed,
            WhatIf = options.WhatIf,
            Warnings = warnings,
        };
    }

    /// <summary>The importer's own checks on top of the reader's: duplicates in the source, and the target's limits.</summary>
    private static Rejection? Validate(IPatternSource source, SourceRecord record, PatternCollection target, DuplicateTracker duplicates)
    {
        if (record.Pattern is not { } pattern)
            return new Rejection(record.SourceRow, record.PatternId, record.ErrorId!, record.Reason!, record.DecodedFields, record.UndecodedFields, record.OriginalValues);
        if (duplicates.FirstRow(pattern.PatternId, record.SourceRow) is long first)
            return new Rejection(record.SourceRow, pattern.PatternId, RejectLine.DuplicateErrorId,
                $"Pattern id '{pattern.PatternId}' first appears at source row {first}; the first occurrence wins.",
                Rejection.FieldsOf(pattern), [], source.ValuesOf(record.SourceRow));
        try
        {
            PatternValidator.CheckLimits(pattern, target);   // the reader already checked the vector and the JSON
            return null;
        }
        catch (MilvusOpsException ex)
        {
            return new Rejection(record.SourceRow, pattern.PatternId, ex.ErrorId, ex.Message, Rejection.FieldsOf(pattern), [], source.ValuesOf(record.SourceRow));
        }
    }

    private static PatternCollection ResolveTarget(PatternSession session, ImportOptions options, int dimension) =>
        Target(session, options.Collection, dimension,
            options.CreateCollection ? options.NewCollection ?? new CollectionSpec { Name = options.Collection, Dimension = dimension } : null,
            options.WhatIf);

    /// <summary>The collection an import of <paramref name="dimension"/>-d vectors writes: the existing one, which must
    /// have that dimension (DimensionMismatch), or, when it is missing and <paramref name="create"/> is given, one made
    /// from that spec under the collection's name (described, not made, for a -WhatIf plan).</summary>
    public static PatternCollection Target(PatternSession session, string collection, int dimension, CollectionSpec? create, bool whatIf = false)
    {
        ArgumentNullException.ThrowIfNull(session);
        PatternCollection? existing = null;
        try
        {
            existing = session.Describe(collection);
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "CollectionNotFound" && create is not null)
        {
        }
        if (existing is null)
        {
            var spec = PatternSession.Check(create! with { Name = collection });
            // A -WhatIf plan validates against the collection that -CreateCollection would make.
            return whatIf
                ? new PatternCollection { Name = spec.Name, Dimension = dimension, Metric = spec.Metric, IndexType = spec.IndexType, Fields = PatternSchema.Fields(spec) }
                : session.Create(spec, ifNotExists: true);
        }
        if (existing.Dimension != dimension)
            throw new MilvusOpsException("DimensionMismatch", ErrorKind.InvalidArgument,
                $"The source's vectors are {dimension}-d but collection '{collection}' is {existing.Dimension}-d. " +
                "Import into a collection of the source's dimension, or pass -Dimension if the inference was wrong.", collection);
        return existing;
    }

    /// <summary>
    /// The checkpoint to continue from: the saved one with -Resume, else a fresh one. A checkpoint of another
    /// import is refused either way (continuing it would report rows this target never received; replacing it
    /// would lose that import's place), and an unfinished one of this import that a run without -Resume
    /// replaces is a warning.
    /// </summary>
    private static Checkpoint StartingPoint(ImportOptions options, ImportIdentity identity, Action<string> warn, out bool checkpointIsOurs)
    {
        var fresh = Checkpoint.Fresh(identity);
        var checkpoint = Checkpoint.Load(options.CheckpointPath);
        checkpointIsOurs = false;
        if (checkpoint is null) return fresh;
        if (checkpoint.Difference(identity) is { } difference)
        {
            throw options.Resume
                ? new MilvusOpsException("CheckpointMismatch", ErrorKind.InvalidArgument,
                    $"The checkpoint '{options.CheckpointPath}' belongs to another import; it differs in {difference}. -Resume continues only the import " +
                    "that wrote it. To import this source into this target, run without -Resume and without -RejectPath (the default rejects file is per target), " +
                    "or with another -RejectPath.", options.CheckpointPath)
                : RejectFile.Invalid(options.RejectPath, $"the checkpoint beside it ('{options.CheckpointPath}') belongs to another import, which differs in " +
                    $"{difference}; choose another -RejectPath, or delete that checkpoint and its rejects file if that import is abandoned");
        }
        checkpointIsOurs = true;
        if (options.WhatIf) return fresh;
        if (options.Resume) return checkpoint;
        if (!checkpoint.Completed)
            warn($"An earlier import of '{identity.Source}' into '{identity.Collection}' stopped after source row {checkpoint.LastSourceRow} " +
                $"({checkpoint.RowsWritten} written, {checkpoint.RowsRejected} rejected; checkpoint '{options.CheckpointPath}'). This run starts over from the first row " +
                "and replaces that checkpoint (writes are upserts, so nothing is duplicated). To continue an interrupted import instead, run the same command with -Resume.");
        return fresh;
    }

    /// <summary>
    /// Opens the rejects file, keeping what the checkpoint vouches for. A run that starts over saves its fresh
    /// checkpoint first, so the file it cuts is bound to this import from its first byte.
    /// </summary>
    private static RejectWriter OpenRejects(ImportOptions options, Checkpoint start, string sourcePath)
    {
        try
        {
            if (start.LastSourceRow == 0) start.Save(options.CheckpointPath);
            return new RejectWriter(options.RejectPath, start.RejectBytes, sourcePath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw RejectFile.NotWritable(options.RejectPath, ex);
        }
    }
}
