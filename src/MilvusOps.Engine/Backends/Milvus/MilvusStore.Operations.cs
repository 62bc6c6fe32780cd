using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

// The operations side of the Milvus backend: health, indexes, loading and aliases, one RPC each where Milvus has one.
public sealed partial class MilvusStore
{
    // ---------------------------------------------------------------- health

    public IReadOnlyList<HealthCheck> CheckHealth(CancellationToken cancellation = default)
    {
        string target = Uri;
        var checks = new List<HealthCheck>();
        var health = _rpc.Call("CheckHealth", target, cancellation, (c, o) => c.CheckHealth(new Rpc.CheckHealthRequest(), o), r => r.Status);
        checks.Add(health.IsHealthy
            ? HealthCheck.Pass("Milvus", "CheckHealth", "Healthy", "Milvus reports itself healthy.", target)
            : HealthCheck.Fail("Milvus", "CheckHealth", HealthSeverity.Critical, "Unhealthy",
                health.Reasons.Count > 0 ? string.Join("; ", health.Reasons) : "Milvus reports itself unhealthy and gives no reason.", target));
        // Quota states: Milvus refuses reads or writes (DenyTo*) or slows them (*Limited) while a quota is exceeded.
        if (health.QuotaStates.Count > 0)
        {
            var states = health.QuotaStates.Select(q => q.ToString()).Distinct().ToList();
            bool denies = health.QuotaStates.Any(q => q is Rpc.QuotaState.DenyToRead or Rpc.QuotaState.DenyToWrite or Rpc.QuotaState.DenyToDdl);
            checks.Add(HealthCheck.Fail("Milvus quotas", "CheckHealth", denies ? HealthSeverity.Critical : HealthSeverity.Warning, string.Join(",", states),
                $"Milvus is {(denies ? "refusing" : "slowing")} requests: {string.Join(", ", states)}. Check memory, disk and rate quotas (quotaAndLimits in milvus.yaml).", target));
        }

        var components = _rpc.Call("GetComponentStates", target, cancellation, (c, o) => c.GetComponentStates(new Rpc.GetComponentStatesRequest(), o), r => r.Status);
        foreach (var component in new[] { components.State }.Concat(components.SubcomponentStates).Where(c => c is not null))
        {
            string name = component.NodeID != 0 ? $"{component.Role} {component.NodeID}" : component.Role;
            // StandBy is a standby coordinator, waiting to take over: as it should be.
            checks.Add(component.StateCode is Rpc.StateCode.Healthy or Rpc.StateCode.StandBy
                ? HealthCheck.Pass(name, "GetComponentStates", component.StateCode.ToString(), $"{name} is {component.StateCode}.", target)
                : HealthCheck.Fail(name, "GetComponentStates", HealthSeverity.Critical, component.StateCode.ToString(), $"{name} is {component.StateCode}.", target));
        }

        checks.Add(MilvusAdvisories.Check(ServerVersion, target));
        return checks;
    }

    // ---------------------------------------------------------------- indexes

    public IReadOnlyList<CollectionIndex> DescribeIndexes(string collection, string? field, CancellationToken cancellation)
    {
        var info = Info(collection, cancellation);
        return IndexDescriptions(info.Name, field, cancellation).Select(index =>
        {
            var (indexType, metric, parameters) = ReadIndexParams(index);
            return new CollectionIndex
            {
                Collection = info.Name, IndexName = index.IndexName, Field = index.FieldName, IndexType = indexType, Metric = metric,
                Parameters = parameters, State = index.State switch
                {
                    Rpc.IndexState.None => "None",
                    var state => state.ToString(),
                },
                IndexedRows = index.IndexedRows, TotalRows = index.TotalRows, PendingRows = index.PendingIndexRows,
                FailReason = string.IsNullOrEmpty(index.IndexStateFailReason) ? null : index.IndexStateFailReason,
            };
        }).ToList();
    }

    public void CreateIndex(string collection, IndexSpec spec, CancellationToken cancellation)
    {
        var info = Info(collection, cancellation);
        collection = info.Name;
        var request = new Rpc.CreateIndexRequest { DbName = Db, CollectionName = collection, FieldName = spec.Field, IndexName = spec.Name };
        request.ExtraParams.Add(Kv("index_type", spec.IndexType));
        request.ExtraParams.Add(Kv("metric_type", spec.Metric.ToString()));
        request.ExtraParams.Add(Kv("params", IndexRules.BuildParamsJson(spec.IndexType, info.Dimension, CollectionSpec.ParseIndexParameters(spec.ParametersJson))));
        Guard(collection, () => _rpc.Call("CreateIndex", collection, cancellation, (c, o) => c.CreateIndex(request, o)));
    }

    public void DropIndex(string collection, string indexName, CancellationToken cancellation)
    {
        collection = Info(collection, cancellation).Name;
        if (IndexDescriptions(collection, null, cancellation).All(i => i.IndexName != indexName))
            throw new MilvusOpsException("IndexNotFound", ErrorKind.ObjectNotFound,
                $"Collection '{collection}' has no index named '{indexName}'. Get-MilvusIndex lists its indexes.", indexName);
        if (GetLoadState(collection, cancellation).State != LoadStatus.NotLoad)
            throw new MilvusOpsException("CollectionLoaded", ErrorKind.InvalidOperation,
                $"Collection '{collection}' is loaded, and Milvus drops an index only from a released collection. Release it first with Dismount-MilvusCollection.", collection);
        Guard(collection, () => _rpc.Call("DropIndex", collection, cancellation,
            (c, o) => c.DropIndex(new Rpc.DropIndexRequest { DbName = Db, CollectionName = collection, IndexName = indexName }, o)));
    }

    // ---------------------------------------------------------------- loading

    public CollectionLoadState GetLoadState(string collection, CancellationToken cancellation)
    {
        var name = collection = Info(collection, cancellation).Name;
        var state = Guard(collection, () => _rpc.Call("GetLoadState", collection, cancellation,
            (c, o) => c.GetLoadState(new Rpc.GetLoadStateRequest { DbName = Db, CollectionName = collection }, o), r => r.Status)).State;
        var status = state switch
        {
            Rpc.LoadState.Loaded => LoadStatus.Loaded,
            Rpc.LoadState.Loading => LoadStatus.Loading,
            Rpc.LoadState.NotExist => throw NotFound(collection),
            _ => LoadStatus.NotLoad,
        };
        if (status == LoadStatus.NotLoad)
            return new CollectionLoadState { Collection = name, State = status };
        long progress = status == LoadStatus.Loaded ? 100 : _rpc.Call("GetLoadingProgress", collection, cancellation,
            (c, o) => c.GetLoadingProgress(new() { DbName = Db, CollectionName = collection }, o), r => r.Status).Progress;
        var replicas = _rpc.Call("GetReplicas", collection, cancellation,
            (c, o) => c.GetReplicas(new Rpc.GetReplicasRequest { DbName = Db, CollectionName = collection }, o), r => r.Status).Replicas;
        return new CollectionLoadState
        {
            Collection = name, State = status, Progress = progress, Replicas = replicas.Count,
            QueryNodes = replicas.SelectMany(r => r.NodeIds).Distinct().Order().ToList(),
        };
    }

    public void Load(string collection, int replicas, CancellationToken cancellation)
    {
        collection = Info(collection, cancellation).Name;
        Guard(collection, () => _rpc.Call("LoadCollection", collection, cancellation,
            (c, o) => c.LoadCollection(new() { DbName = Db, CollectionName = collection, ReplicaNumber = replicas }, o)));
    }

    public void Release(string collection, CancellationToken cancellation)
    {
        collection = Info(collection, cancellation).Name;
        Guard(collection, () => _rpc.Call("ReleaseCollection", collection, cancellation,
            (c, o) => c.ReleaseCollection(new() { DbName = Db, CollectionName = collection }, o)));
    }

    // ---------------------------------------------------------------- aliases

    public void CreateAlias(string alias, string collection, CancellationToken cancellation) =>
        Guard(collection, () => _rpc.Call("CreateAlias", alias, cancellation,
            (c, o) => c.CreateAlias(new Rpc.CreateAliasRequest { DbName = Db, CollectionName = collection, Alias = alias }, o)));

    public void AlterAlias(string alias, string collection, CancellationToken cancellation)
    {
        Guard(collection, () => _rpc.Call("AlterAlias", alias, cancellation,
            (c, o) => c.AlterAlias(new Rpc.AlterAliasRequest { DbName = Db, CollectionName = collection, Alias = alias }, o)));
    }

    public void DropAlias(string alias, CancellationToken cancellation)
    {
        DescribeAlias(alias, cancellation); // Milvus drops a missing alias quietly; the embedded store says it is missing, and so do we
        _rpc.Call("DropAlias", alias, cancellation, (c, o) => c.DropAlias(new Rpc.DropAliasRequest { DbName = Db, Alias = alias }, o));
    }

    public CollectionAlias DescribeAlias(string alias, CancellationToken cancellation)
    {
        var described = _rpc.Call("DescribeAlias", alias, cancellation,
            (c, o) => c.DescribeAlias(new Rpc.DescribeAliasRequest { DbName = Db, Alias = alias }, o), r => r.Status);
        return new CollectionAlias { Alias = alias, Collection = described.Collection, Database = Database };
    }

    public IReadOnlyList<CollectionAlias> ListAliases(string? collection, CancellationToken cancellation)
    {
        var listed = collection is null
            ? _rpc.Call("ListAliases", Db, cancellation, (c, o) => c.ListAliases(new Rpc.ListAliasesRequest { DbName = Db }, o), r => r.Status)
            : Guard(collection, () => _rpc.Call("ListAliases", collection, cancellation,
                (c, o) => c.ListAliases(new Rpc.ListAliasesRequest { DbName = Db, CollectionName = collection }, o), r => r.Status));
        // Without a collection, ListAliases names no collection per alias: each is described.
        var aliases = new List<CollectionAlias>();
        foreach (var alias in listed.Aliases.Order(StringComparer.Ordinal))
        {
            if (collection is not null)
                aliases.Add(new CollectionAlias { Alias = alias, Collection = listed.CollectionName, Database = Database });
            else
                try { aliases.Add(DescribeAlias(alias, cancellation)); }
                catch (MilvusOpsException ex) when (ex.ErrorId == "AliasNotFound") { } // dropped meanwhile
        }
        return aliases;
    }

    // ---------------------------------------------------------------- compaction and segments

    public CompactionJob Compact(string collection, bool l0, CancellationToken cancellation)
    {
        // The proto is additive: a server before 2.6.3 would ignore l0Compaction and run a whole compaction instead.
        if (l0 && MilvusVersion.Parse(ServerVersion) is { } version && version.IsBefore(2, 6, 3))
            throw new MilvusOpsException("NotSupportedByServerVersion", ErrorKind.NotImplemented,
                $"L0 compaction needs Milvus 2.6.3 or later; {this} runs {ServerVersion}. Leave out -L0 for a whole compaction.", ServerVersion);
        var info = Info(collection, cancellation);
        var started = Guard(collection, () => _rpc.Call("ManualCompaction", collection, cancellation,
            (c, o) => c.ManualCompaction(new Rpc.ManualCompactionRequest { CollectionID = info.Id, CollectionName = info.Name, DbName = Db, L0Compaction = l0 }, o),
            r => r.Status));
        if (started.CompactionPlanCount == 0)
            return new CompactionJob { CompactionId = started.CompactionID, Collection = info.Name, State = CompactionJob.NothingToCompact };
        return Compaction(started.CompactionID, info.Name, cancellation);
    }

    public CompactionJob GetCompaction(long compactionId, CancellationToken cancellation) => Compaction(compactionId, null, cancellation);

    private CompactionJob Compaction(long compactionId, string? collection, CancellationToken cancellation)
    {
        var state = _rpc.Call("GetCompactionState", compactionId, cancellation,
            (c, o) => c.GetCompactionState(new Rpc.GetCompactionStateRequest { CompactionID = compactionId }, o), r => r.Status);
        return new CompactionJob
        {
            CompactionId = compactionId, Collection = collection,
            State = state.State == Rpc.CompactionState.UndefiedState ? "Unknown" : state.State.ToString(),
            ExecutingPlans = state.ExecutingPlanNo, CompletedPlans = state.CompletedPlanNo, FailedPlans = state.FailedPlanNo, TimedOutPlans = state.TimeoutPlanNo,
        };
    }

    public IReadOnlyList<CollectionSegment> ListSegments(string collection, bool loaded, CancellationToken cancellation)
    {
        var name = collection = Info(collection, cancellation).Name;
        if (loaded)
            return Guard(collection, () => _rpc.Call("GetQuerySegmentInfo", collection, cancellation,
                    (c, o) => c.GetQuerySegmentInfo(new Rpc.GetQuerySegmentInfoRequest { DbName = Db, CollectionName = collection }, o), r => r.Status))
                .Infos.Select(s => new CollectionSegment
                {
                    Collection = name, SegmentId = s.SegmentID, PartitionId = s.PartitionID, Rows = s.NumRows, State = s.State.ToString(),
                    Level = s.Level.ToString(), IsSorted = s.IsSorted, Loaded = true,
                    MemoryBytes = s.MemSize > 0 ? s.MemSize : null, // Milvus 2.5 leaves it unset: unknown, not zero
                    IndexName = string.IsNullOrEmpty(s.IndexName) ? null : s.IndexName,
                    QueryNodes = s.NodeIds.Count > 0 ? s.NodeIds.ToList() : [s.NodeID],
                }).OrderBy(s => s.SegmentId).ToList();
        return Guard(collection, () => _rpc.Call("GetPersistentSegmentInfo", collection, cancellation,
                (c, o) => c.GetPersistentSegmentInfo(new Rpc.GetPersistentSegmentInfoRequest { DbName = Db, CollectionName = collection }, o), r => r.Status))
            .Infos.Select(s => new CollectionSegment
            {
                Collection = name, SegmentId = s.SegmentID, PartitionId = s.PartitionID, Rows = s.NumRows, State = s.State.ToString(),
                Level = s.Level.ToString(), IsSorted = s.IsSorted,
            }).OrderBy(s => s.SegmentId).ToList();
    }

    // ---------------------------------------------------------------- databases

    public IReadOnlyList<StoreDatabase> ListDatabases(CancellationToken cancellation)
    {
        var listed = _rpc.Call("ListDatabases", Uri, cancellation, (c, o) => c.ListDatabases(new Rpc.ListDatabasesRequest(), o), r => r.Status);
        return listed.DbNames.Select((name, i) => new StoreDatabase
        {
            Name = name,
            DatabaseId = i < listed.DbIds.Count ? listed.DbIds[i] : 0,
            Created = i < listed.CreatedTimestamp.Count ? FromNanoseconds(listed.CreatedTimestamp[i]) : null,
        }).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    public StoreDatabase DescribeDatabase(string name, CancellationToken cancellation)
    {
        var described = _rpc.Call("DescribeDatabase", name, cancellation,
            (c, o) => c.DescribeDatabase(new Rpc.DescribeDatabaseRequest { DbName = name }, o), r => r.Status);
        return new StoreDatabase
        {
            Name = described.DbName, DatabaseId = described.DbID, Created = FromNanoseconds(described.CreatedTimestamp),
            Properties = described.Properties.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
        };
    }

    public void CreateDatabase(string name, CancellationToken cancellation) =>
        _rpc.Call("CreateDatabase", name, cancellation, (c, o) => c.CreateDatabase(new Rpc.CreateDatabaseRequest { DbName = name }, o));

    public void DropDatabase(string name, CancellationToken cancellation)
    {
        DescribeDatabase(name, cancellation); // Milvus drops a missing database quietly; we say it is missing
        _rpc.Call("DropDatabase", name, cancellation, (c, o) => c.DropDatabase(new Rpc.DropDatabaseRequest { DbName = name }, o));
    }

    /// <summary>A database's creation time: Milvus keeps it as Unix nanoseconds (rootcoord's time.Now().UnixNano()).</summary>
    private static DateTimeOffset? FromNanoseconds(ulong nanoseconds) =>
        nanoseconds == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds((long)(nanoseconds / 1_000_000));

    // ---------------------------------------------------------------- bulk import (REST)

    public string StartImportJob(string collection, IReadOnlyList<string> files, Uri? restUri, CancellationToken cancellation) =>
        _importJobs.Value.Start(collection, files, restUri, cancellation);

    public ImportJob DescribeImportJob(string jobId, Uri? restUri, CancellationToken cancellation) =>
        _importJobs.Value.Describe(jobId, restUri, cancellation);

    public IReadOnlyList<ImportJob> ListImportJobs(string? collection, Uri? restUri, CancellationToken cancellation) =>
        _importJobs.Value.List(collection, restUri, cancellation);
}
