namespace MilvusOps.Engine.Session;

// The operations side of a session: health, indexes, loading and aliases. Names are checked here, as for collections;
// optional capabilities go through Require, so a backend without one answers NotSupportedByBackend.
public sealed partial class PatternSession
{
    // ---------------------------------------------------------------- health

    /// <summary>The store's own checks. A store that stopped answering is one failed check, not an error.</summary>
    public IReadOnlyList<HealthCheck> CheckHealth()
    {
        try
        {
            return Store.CheckHealth(Cancellation);
        }
        catch (MilvusOpsException ex) when (ex.ErrorId is not "ConnectionClosed")
        {
            return [HealthCheck.Fail(Connection.Backend == StoreBackend.Milvus ? "Milvus" : "store file", "CheckHealth",
                HealthSeverity.Critical, ex.ErrorId, ex.Message, Connection.Uri)];
        }
    }

    // ---------------------------------------------------------------- indexes

    public IReadOnlyList<CollectionIndex> DescribeIndexes(string collection, string? field = null)
    {
        collection = CollectionSpec.CheckName(collection);
        return Require<IIndexCapability>().DescribeIndexes(collection, field, Cancellation);
    }

    /// <summary>Checks an index against the collection's vector field with New-PatternCollection's rules.</summary>
    public static IndexSpec Check(IndexSpec spec, PatternCollection target)
    {
        if (spec.Field != target.VectorField)
            throw new MilvusOpsException("InvalidIndexField", ErrorKind.InvalidArgument,
                $"'{spec.Field}' is not the vector field of collection '{target.Name}' ({target.VectorField ?? "none"}): MilvusOps builds vector indexes only.", spec.Field);
        IndexRules.CheckIndexType(spec.IndexType);
        IndexRules.CheckMetric(spec.IndexType, spec.Metric);
        IndexRules.ValidateBuildParameters(spec.IndexType, target.Dimension, CollectionSpec.ParseIndexParameters(spec.ParametersJson));
        if (!string.IsNullOrEmpty(spec.IndexName)) CollectionSpec.CheckIndexName(spec.IndexName);
        return spec;
    }

    /// <summary>Builds an index that <see cref="Check(IndexSpec, PatternCollection)"/> passed; with a wait, returns once the
    /// build has finished, reporting each poll.</summary>
    public CollectionIndex CreateIndex(string collection, IndexSpec checkedSpec, TimeSpan? wait = null, Action<CollectionIndex>? progress = null)
    {
        collection = CollectionSpec.CheckName(collection);
        var indexes = Require<IIndexCapability>();
        indexes.CreateIndex(collection, checkedSpec, Cancellation);
        return Built(indexes, collection, checkedSpec.Field, checkedSpec.Name, wait, progress);
    }

    /// <summary>Builds the JSON path index that reads by <paramref name="timeKey"/> filter on (named time_&lt;key&gt; unless
    /// named); with a wait, as <see cref="CreateIndex"/>.</summary>
    public CollectionIndex CreateTimeIndex(string collection, string timeKey, string? indexName = null, TimeSpan? wait = null,
        Action<CollectionIndex>? progress = null)
    {
        collection = CollectionSpec.CheckName(collection);
        string key = PatternTime.CheckKey(timeKey);
        string name = CollectionSpec.CheckIndexName(string.IsNullOrEmpty(indexName) ? "time_" + key : indexName);
        var indexes = Require<IIndexCapability>();
        indexes.CreateTimeIndex(collection, key, name, Cancellation);
        return Built(indexes, collection, PatternSchema.TemporalContext, name, wait, progress);
    }

    private CollectionIndex Built(IIndexCapability indexes, string collection, string field, string name, TimeSpan? wait, Action<CollectionIndex>? progress)
    {
        CollectionIndex Current() => indexes.DescribeIndexes(collection, field, Cancellation).FirstOrDefault(i => i.IndexName == name)
            ?? throw new MilvusOpsException("IndexNotFound", ErrorKind.ObjectNotFound,
                $"Index '{name}' on '{collection}' was gone right after it was built: another client dropped it.", name);
        var index = Current();
        if (wait is { } limit)
            index = Follow(index, Current, progress, limit,
                current => current.State == "Failed"
                    ? throw new MilvusOpsException("IndexBuildFailed", ErrorKind.InvalidOperation,
                        $"Building index '{current.IndexName}' on '{collection}' failed: {current.FailReason}", collection)
                    : current.State == "Finished",
                current => new MilvusOpsException("IndexBuildTimeout", ErrorKind.OperationTimeout,
                    $"Index '{current.IndexName}' on '{collection}' had {current.PendingRows} rows still to build after {limit.TotalSeconds:0} s. The server goes on building it; follow it with Get-MilvusIndex.", collection));
        return index;
    }

    public void DropIndex(string collection, string indexName)
    {
        collection = CollectionSpec.CheckName(collection);
        indexName = CollectionSpec.CheckIndexName(indexName);
        Require<IIndexCapability>().DropIndex(collection, indexName, Cancellation);
    }

    // ---------------------------------------------------------------- loading

    public CollectionLoadState GetLoadState(string collection)
    {
        collection = CollectionSpec.CheckName(collection);
        return Require<ILoadCapability>().GetLoadState(collection, Cancellation);
    }

    /// <summary>Starts loading; with a wait, returns once the collection is loaded, reporting each poll.</summary>
    public CollectionLoadState Load(string collection, int replicas, TimeSpan? wait = null, Action<CollectionLoadState>? progress = null)
    {
        if (replicas < 1)
            throw new MilvusOpsException("InvalidReplicaNumber", ErrorKind.InvalidArgument, $"A collection loads with at least one replica, not {replicas}.", replicas);
        collection = CollectionSpec.CheckName(collection);
        var loading = Require<ILoadCapability>();
        loading.Load(collection, replicas, Cancellation);
        var state = loading.GetLoadState(collection, Cancellation);
        if (wait is { } limit)
            state = Follow(state, () => loading.GetLoadState(collection, Cancellation), progress, limit, current => current.State == LoadStatus.Loaded,
                current => new MilvusOpsException("LoadTimeout", ErrorKind.OperationTimeout,
                    $"Collection '{collection}' was still {current.Progress} % loaded after {limit.TotalSeconds:0} s. Milvus goes on loading it; follow it with Get-MilvusLoadState.", collection));
        return state;
    }

    public void Release(string collection)
    {
        collection = CollectionSpec.CheckName(collection);
        Require<ILoadCapability>().Release(collection, Cancellation);
    }

    // ---------------------------------------------------------------- aliases

    public void CreateAlias(string alias, string collection)
    {
        alias = CollectionSpec.CheckAliasName(alias);
        collection = CollectionSpec.CheckName(collection);
        Require<IAliasCapability>().CreateAlias(alias, collection, Cancellation);
    }

    public void AlterAlias(string alias, string collection)
    {
        alias = CollectionSpec.CheckAliasName(alias);
        collection = CollectionSpec.CheckName(collection);
        Require<IAliasCapability>().AlterAlias(alias, collection, Cancellation);
    }

    public void DropAlias(string alias)
    {
        alias = CollectionSpec.CheckAliasName(alias);
        Require<IAliasCapability>().DropAlias(alias, Cancellation);
    }

    public CollectionAlias DescribeAlias(string alias)
    {
        alias = CollectionSpec.CheckAliasName(alias);
        return Require<IAliasCapability>().DescribeAlias(alias, Cancellation);
    }

    public IReadOnlyList<CollectionAlias> ListAliases(string? collection = null)
    {
        collection = collection is null ? null : CollectionSpec.CheckName(collection);
        return Require<IAliasCapability>().ListAliases(collection, Cancellation);
    }

    // ---------------------------------------------------------------- compaction and segments

    /// <summary>Starts a compaction; with a wait, returns once every plan has finished, reporting each poll.</summary>
    public CompactionJob Compact(string collection, bool l0, TimeSpan? wait = null, Action<CompactionJob>? progress = null)
    {
        collection = CollectionSpec.CheckName(collection);
        var maintenance = Require<IMaintenanceCapability>();
        var job = maintenance.Compact(collection, l0, Cancellation);
        if (wait is { } limit && job.State != CompactionJob.NothingToCompact)
        {
            var name = job.Collection;
            job = Follow(job, () => maintenance.GetCompaction(job.CompactionId, Cancellation), progress, limit, current => current.State == "Completed",
                current => new MilvusOpsException("CompactionTimeout", ErrorKind.OperationTimeout,
                    $"Compaction {current.CompactionId} of '{collection}' still had {current.ExecutingPlans} plan(s) running after {limit.TotalSeconds:0} s. The server goes on; follow it with Get-MilvusCompaction {current.CompactionId}.", collection));
            job.Collection = name;
            if (job.FailedPlans > 0 || job.TimedOutPlans > 0)
                throw new MilvusOpsException("CompactionFailed", ErrorKind.InvalidOperation,
                    $"Compaction {job.CompactionId} of '{collection}' ended with {job.FailedPlans} failed and {job.TimedOutPlans} timed-out plan(s); the server's log says why.", collection);
        }
        return job;
    }

    public CompactionJob GetCompaction(long compactionId) => Require<IMaintenanceCapability>().GetCompaction(compactionId, Cancellation);

    public IReadOnlyList<CollectionSegment> Segments(string collection, bool loaded)
    {
        collection = CollectionSpec.CheckName(collection);
        return Require<IMaintenanceCapability>().ListSegments(collection, loaded, Cancellation);
    }

    // ---------------------------------------------------------------- databases

    public IReadOnlyList<StoreDatabase> ListDatabases() => Require<IDatabaseCapability>().ListDatabases(Cancellation);

    public StoreDatabase DescribeDatabase(string name)
    {
        name = StoreDatabase.CheckName(name);
        return Require<IDatabaseCapability>().DescribeDatabase(name, Cancellation);
    }

    public void CreateDatabase(string name)
    {
        name = StoreDatabase.CheckName(name);
        Require<IDatabaseCapability>().CreateDatabase(name, Cancellation);
    }

    public void DropDatabase(string name)
    {
        name = StoreDatabase.CheckName(name);
        Require<IDatabaseCapability>().DropDatabase(name, Cancellation);
    }

    // ---------------------------------------------------------------- waits

    /// <summary>Follows work the server does in the background (a build, a load, a compaction) until it is done:
    /// reports each poll, and reads the state again between polls, with <see cref="Poll"/>'s backoff, limit and Ctrl+C.</summary>
    private T Follow<T>(T state, Func<T> refresh, Action<T>? progress, TimeSpan limit, Func<T, bool> done, Func<T, MilvusOpsException> timedOut)
    {
        Poll.Until(() =>
            {
                progress?.Invoke(state);
                return done(state) || done(state = refresh());
            }, limit, () => timedOut(state), Cancellation);
        return state;
    }

    // ---------------------------------------------------------------- backups

    /// <summary>Copies the whole store, as one moment saw it, into a new file (the embedded store's online backup).</summary>
    public void BackupFile(string path, Action<long, long>? progress) => Require<IFileBackupCapability>().BackupTo(path, progress, Cancellation);

    // ---------------------------------------------------------------- bulk import

    /// <summary>Refuses a backend without bulk import (NotSupportedByBackend) before any work towards one is done.</summary>
    public void RequireBulkImport() => Require<IBulkImportCapability>();

    /// <summary>Starts a bulk-import job of files already in the server's object storage (Milvus only).</summary>
    public string StartImportJob(string collection, IReadOnlyList<string> files, Uri? restUri) =>
        Require<IBulkImportCapability>().StartImportJob(CollectionSpec.CheckName(collection), files, restUri, Cancellation);

    public ImportJob DescribeImportJob(string jobId, Uri? restUri) => Require<IBulkImportCapability>().DescribeImportJob(jobId, restUri, Cancellation);

    public IReadOnlyList<ImportJob> ListImportJobs(string? collection, Uri? restUri) =>
        Require<IBulkImportCapability>().ListImportJobs(collection is null ? null : CollectionSpec.CheckName(collection), restUri, Cancellation);
}
