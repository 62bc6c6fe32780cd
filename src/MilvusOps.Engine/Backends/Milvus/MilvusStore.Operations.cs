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

        checks.Add(MilvusVersion.Check(ServerVersion, target));
        return checks;
    }

    // ---------------------------------------------------------------- indexes

    public IReadOnlyList<CollectionIndex> DescribeIndexes(string collection, string? field, CancellationToken cancellation)
    {
        var info = Info(collection, cancellation, refresh: true);
        return IndexDescriptions(collection, field, cancellation).Select(index =>
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
        var request = new Rpc.CreateIndexRequest { DbName = Db, CollectionName = collection, FieldName = spec.Field, IndexName = spec.Name };
        request.ExtraParams.Add(Kv("index_type", spec.IndexType));
        request.ExtraParams.Add(Kv("metric_type", spec.Metric.ToString()));
        request.ExtraParams.Add(Kv("params", IndexRules.BuildParamsJson(spec.IndexType, Info(collection, cancellation).Dimension, CollectionSpec.ParseIndexParameters(spec.ParametersJson))));
        Guard(collection, () => _rpc.Call("CreateIndex", collection, cancellation, (c, o) => c.CreateIndex(request, o)));
        _collections.TryRemove(collection, out _);
    }

    public void DropIndex(string collection, string indexName, CancellationToken cancellation)
    {
        if (IndexDescriptions(collection, null, cancellation).All(i => i.IndexName != indexName))
            throw new MilvusOpsException("IndexNotFound", ErrorKind.ObjectNotFound,
                $"Collection '{collection}' has no index named '{indexName}'. Get-MilvusIndex lists its indexes.", indexName);
        Guard(collection, () => _rpc.Call("DropIndex", collection, cancellation,
            (c, o) => c.DropIndex(new Rpc.DropIndexRequest { DbName = Db, CollectionName = collection, IndexName = indexName }, o)));
        _collections.TryRemove(collection, out _);
    }

    // ---------------------------------------------------------------- loading

    public CollectionLoadState GetLoadState(string collection, CancellationToken cancellation)
    {
        var name = Info(collection, cancellation, refresh: true).Name;
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

    public void Load(string collection, int replicas, CancellationToken cancellation) =>
        Guard(collection, () => _rpc.Call("LoadCollection", collection, cancellation,
            (c, o) => c.LoadCollection(new() { DbName = Db, CollectionName = collection, ReplicaNumber = replicas }, o)));

    public void Release(string collection, CancellationToken cancellation) =>
        Guard(collection, () => _rpc.Call("ReleaseCollection", collection, cancellation,
            (c, o) => c.ReleaseCollection(new() { DbName = Db, CollectionName = collection }, o)));

    // ---------------------------------------------------------------- aliases

    public void CreateAlias(string alias, string collection, CancellationToken cancellation) =>
        Guard(collection, () => _rpc.Call("CreateAlias", alias, cancellation,
            (c, o) => c.CreateAlias(new Rpc.CreateAliasRequest { DbName = Db, CollectionName = collection, Alias = alias }, o)));

    public void AlterAlias(string alias, string collection, CancellationToken cancellation)
    {
        Guard(collection, () => _rpc.Call("AlterAlias", alias, cancellation,
            (c, o) => c.AlterAlias(new Rpc.AlterAliasRequest { DbName = Db, CollectionName = collection, Alias = alias }, o)));
        _collections.TryRemove(alias, out _);
    }

    public void DropAlias(string alias, CancellationToken cancellation)
    {
        DescribeAlias(alias, cancellation); // Milvus drops a missing alias quietly; the embedded store says it is missing, and so do we
        _rpc.Call("DropAlias", alias, cancellation, (c, o) => c.DropAlias(new Rpc.DropAliasRequest { DbName = Db, Alias = alias }, o));
        _collections.TryRemove(alias, out _);
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
        return listed.Aliases.Order(StringComparer.Ordinal)
            .Select(alias => collection is null ? DescribeAlias(alias, cancellation) : new CollectionAlias { Alias = alias, Collection = listed.CollectionName, Database = Database })
            .ToList();
    }
}
