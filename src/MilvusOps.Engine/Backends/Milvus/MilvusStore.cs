using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using MilvusOps.Engine.Filtering;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>
/// The Milvus backend: every <see cref="IPatternStore"/> operation over gRPC, with the embedded store's semantics
/// (exact entity counts, primary-key order, reads that see this connection's writes, the same errors).
/// </summary>
public sealed partial class MilvusStore : IPatternStore, IIndexCapability, ILoadCapability, IAliasCapability, IMaintenanceCapability, IDatabaseCapability, IBulkImportCapability
{
    /// <summary>Query pages and search requests are sized to this many bytes.</summary>
    internal const int TargetMessageBytes = 8 * 1024 * 1024;

    /// <summary>An upsert is split at this many bytes: twice a writer's batch (<see cref="WriteBatch.MaxBytes"/>), so each
    /// batch goes as one request, and a quarter of Milvus's 64 MB request limit.</summary>
    internal const long MaxUpsertBytes = 2 * WriteBatch.MaxBytes;

    /// <summary>Ids per <c>pattern_id in [...]</c> expression.</summary>
    internal const int IdsPerExpression = 1000;

    /// <summary>At most this many hits (nq x topk) per search request, so results stay a few MB.</summary>
    internal const int HitsPerSearch = 100_000;

    private readonly MilvusRpc _rpc;
    private readonly Lazy<MilvusImportJobs> _importJobs;
    private readonly ConcurrentBag<PatternColumnWriter> _columnWriters = [];
    private ulong _lastWrite;

    private MilvusStore(MilvusRpc rpc, string serverVersion)
    {
        _rpc = rpc;
        _importJobs = new(() => new MilvusImportJobs(rpc.Endpoint));
        ServerVersion = serverVersion;
        FilterDialect = FilterDialect.Of(serverVersion);
    }

    /// <summary>Opens a channel, says hello (Connect) and reads the server version: a wrong address, database or
    /// credential fails here rather than at the first data call.</summary>
    public static MilvusStore Connect(MilvusEndpoint endpoint, CancellationToken cancellation = default)
    {
        var rpc = new MilvusRpc(endpoint);
        try
        {
            var target = endpoint.ToString();
            var hello = new Rpc.ConnectRequest
            {
                ClientInfo = new Rpc.ClientInfo
                {
                    SdkType = "MilvusOps",
                    SdkVersion = typeof(MilvusStore).Assembly.GetName().Version?.ToString() ?? "",
                    LocalTime = DateTimeOffset.Now.ToString("O", CultureInfo.InvariantCulture),
                    User = endpoint.User ?? "",
                    Host = Environment.MachineName,
                },
            };
            try
            {
                var connected = rpc.Call("Connect", target, cancellation, (c, o) => c.Connect(hello, o), r => r.Status);
                if (connected.Identifier != 0)
                    rpc.SetIdentifier(connected.Identifier);
            }
            catch (MilvusOpsException ex) when (ex.ErrorId == "MilvusRpcNotSupported")
            {
                // Servers before 2.2.9 have no Connect; GetVersion below still proves the address and credentials.
            }
            var version = rpc.Call("GetVersion", target, cancellation, (c, o) => c.GetVersion(new Rpc.GetVersionRequest(), o), r => r.Status).Version;
            return new MilvusStore(rpc, version);
        }
        catch
        {
            rpc.Dispose();
            throw;
        }
    }

    public string Uri => _rpc.Endpoint.Address.ToString().TrimEnd('/');
    public StoreBackend Backend => StoreBackend.Milvus;
    public string Database => _rpc.Endpoint.Database;
    public string ServerVersion { get; }

    /// <summary>The filter language of the server's release line.</summary>
    public FilterDialect FilterDialect { get; }
    private string Db => _rpc.Endpoint.Database;

    // ---------------------------------------------------------------- collections

    public PatternCollection CreateCollection(CollectionSpec spec, bool ifNotExists, CancellationToken cancellation = default)
    {
        // HasCollection answers true for an alias too: ReuseExisting refuses that.
        if (Exists(spec.Name, cancellation))
            return spec.ReuseExisting(DescribeCollection(spec.Name, cancellation), ifNotExists);

        var create = new Rpc.CreateCollectionRequest
        {
            DbName = Db, CollectionName = spec.Name,
            Schema = ByteString.CopyFrom(WireFormat.SchemaBytes(spec)),
            ShardsNum = 1,
            // The collection default for other clients (Attu, pymilvus); our reads always name their level.
            ConsistencyLevel = Rpc.ConsistencyLevel.Bounded,
        };
        if (spec.Partitioning == CollectionPartitioning.Hilbert) create.NumPartitions = CellPartitions;
        // Safe to retry: Milvus answers success to a second create with the same parameters.
        _rpc.Call("CreateCollection", spec.Name, cancellation, (c, o) => c.CreateCollection(create, o));
        try
        {
            CreateIndex(spec, cancellation);
        }
        catch
        {
            // A collection without its index cannot load or search: leave nothing half made behind.
            try { _rpc.Call("DropCollection", spec.Name, cancellation, (c, o) => c.DropCollection(new() { DbName = Db, CollectionName = spec.Name }, o)); }
            catch (MilvusOpsException) { }
            throw;
        }
        // A load slower than the wait leaves a whole collection, loading: Get-MilvusLoadState follows it.
        LoadAndWait(spec.Name, cancellation);
        return DescribeCollection(spec.Name, cancellation);
    }

    private void CreateIndex(CollectionSpec spec, CancellationToken cancellation)
    {
        var request = new Rpc.CreateIndexRequest { DbName = Db, CollectionName = spec.Name, FieldName = PatternSchema.Vector, IndexName = PatternSchema.Vector };
        request.ExtraParams.Add(Kv("index_type", spec.IndexType));
        request.ExtraParams.Add(Kv("metric_type", spec.Metric.ToString()));
        request.ExtraParams.Add(Kv("params", IndexRules.BuildParamsJson(spec)));
        try
        {
            _rpc.Call("CreateIndex", spec.Name, cancellation, (c, o) => c.CreateIndex(request, o));
        }
        catch (MilvusOpsException ex) when (spec.IndexType.StartsWith("GPU_", StringComparison.Ordinal)
            && ex.Message.Contains("index type", StringComparison.OrdinalIgnoreCase))
        {
            throw new MilvusOpsException("GpuIndexNotSupported", ErrorKind.ResourceUnavailable,
                $"Milvus at {Uri} cannot build {spec.IndexType}: it is a CPU build. GPU indexes need the -gpu image (milvusdb/milvus:v2.5.x-gpu) " +
                "on a machine with an NVIDIA GPU, as docker-compose.yml runs it. On a CPU server use HNSW (the CPU graph index) or FLAT (exact). " +
                $"The server said: {ex.Message}", spec.IndexType, ex);
        }
    }

    /// <summary>Loads a collection into query nodes and waits until Milvus reports 100 % loaded.</summary>
    private void LoadAndWait(string name, CancellationToken cancellation)
    {
        _rpc.Call("LoadCollection", name, cancellation, (c, o) => c.LoadCollection(new() { DbName = Db, CollectionName = name }, o));
        long progress = 0;
        Poll.Until(() => (progress = _rpc.Call("GetLoadingProgress", name, cancellation,
                (c, o) => c.GetLoadingProgress(new() { DbName = Db, CollectionName = name }, o), r => r.Status).Progress) >= 100,
            LongWait, () => new MilvusOpsException("LoadTimeout", ErrorKind.OperationTimeout,
                $"Collection '{name}' was still {progress} % loaded after {LongWait.TotalSeconds:0} s. Milvus goes on loading it; Get-MilvusLoadState follows it.", name),
            cancellation);
    }

    /// <summary>Loading and flushing run in the background on the server: allow them longer than one call.</summary>
    private TimeSpan LongWait => _rpc.Endpoint.Timeout > TimeSpan.FromMinutes(2) ? _rpc.Endpoint.Timeout : TimeSpan.FromMinutes(2);

    public IReadOnlyList<PatternCollection> ListCollections(CancellationToken cancellation = default)
    {
        var shown = _rpc.Call("ShowCollections", Db, cancellation, (c, o) => c.ShowCollections(new() { DbName = Db }, o), r => r.Status);
        var names = shown.CollectionNames.Order(StringComparer.Ordinal).ToList();
        var collections = new List<PatternCollection>(names.Count);
        foreach (var name in names)
        {
            try { collections.Add(DescribeCollection(name, cancellation)); }
            catch (MilvusOpsException ex) when (ex.ErrorId == "CollectionNotFound") { } // dropped meanwhile
        }
        return collections;
    }

    public PatternCollection DescribeCollection(string name, CancellationToken cancellation = default)
    {
        var info = Info(name, cancellation);
        return new PatternCollection
        {
            Name = info.Name,
            Aliases = info.Aliases,
            Dimension = info.Dimension,
            Metric = info.Metric,
            IndexType = info.IndexType,
            IndexParameters = info.IndexParameters,
            Description = string.IsNullOrEmpty(info.Description) ? null : info.Description,
            Fields = info.Fields,
            VectorField = info.Mapping.Vector?.Name,
            Partitioning = info.Mapping.HasCells ? CollectionPartitioning.Hilbert : CollectionPartitioning.None,
            Uri = Uri,
        };
    }

    public void DropCollection(string name, CancellationToken cancellation = default)
    {
        // Milvus 2.5 answers success for a missing collection; the embedded store says it is missing, and so do we.
        if (!Exists(name, cancellation))
            throw NotFound(name);
        _rpc.Call("DropCollection", name, cancellation, (c, o) => c.DropCollection(new() { DbName = Db, CollectionName = name }, o));
    }

    private bool Exists(string name, CancellationToken cancellation) =>
        _rpc.Call("HasCollection", name, cancellation, (c, o) => c.HasCollection(new() { DbName = Db, CollectionName = name }, o), r => r.Status).Value;

    // ---------------------------------------------------------------- writes

    public void Upsert(string collection, IReadOnlyList<Pattern> patterns, CancellationToken cancellation = default)
    {
        if (patterns.Count == 0)
            return;
        var info = Info(collection, cancellation);
        collection = info.Name;
        info.Mapping.RequireWritable(collection);
        foreach (var pattern in patterns)
            if (pattern.Vector.Length != info.Dimension)
                throw new MilvusOpsException("VectorDimensionMismatch", ErrorKind.InvalidData,
                    $"Pattern '{pattern.PatternId}' has a {pattern.Vector.Length}-d vector; collection '{collection}' expects {info.Dimension}.", pattern.PatternId);
        // A writer per call at a time: its columns are reused from request to request, and returned for the next call.
        var writer = _columnWriters.TryTake(out var idle) ? idle : new PatternColumnWriter();
        try
        {
            var (cellOf, fitted) = info.Mapping.HasCells ? CellsForWrite(info, patterns, cancellation) : (null, null);
            foreach (var batch in Batches(patterns))
                Upsert(collection, batch, writer, cellOf, cancellation);
            // Two writers fitting at once: the last property written stands, and rows placed by a model that did not stand are
            // set back to unplaced, which every search by cells reads.
            if (fitted is not null && !ReferenceEquals(Cells(Info(collection, cancellation)), fitted))
                foreach (var batch in Batches(patterns))
                    Upsert(collection, batch, writer, _ => Unplaced, cancellation);
        }
        finally
        {
            _columnWriters.Add(writer);
        }
    }

    private void Upsert(string collection, IReadOnlyList<Pattern> batch, PatternColumnWriter writer, Func<FloatVector, long>? cellOf, CancellationToken cancellation)
    {
        var columns = writer.Write(batch, cellOf);
        var request = new Rpc.UpsertRequest { DbName = Db, CollectionName = collection, NumRows = columns.NumRows };
        request.FieldsData.Add(columns.Fields);
        var result = Mutate("Upsert", collection, (c, o) => c.Upsert(request, o), cancellation);
        if (result.ErrIndex.Count > 0)
            throw new MilvusOpsException("MilvusPartialWrite", ErrorKind.InvalidOperation,
                $"Milvus refused {result.ErrIndex.Count} of {batch.Count} patterns in an upsert to '{collection}' (the first is '{batch[(int)result.ErrIndex[0]].PatternId}').",
                batch[(int)result.ErrIndex[0]].PatternId);
    }

    /// <summary>Splits a write into requests of at most <see cref="MaxUpsertBytes"/>.</summary>
    internal static IEnumerable<IReadOnlyList<Pattern>> Batches(IReadOnlyList<Pattern> patterns) =>
        WriteBatcher<Pattern>.ForRequests(MaxUpsertBytes).Cut(patterns, pattern => pattern);

    /// <summary>Seals what was written so it survives a restart without replaying the log. Milvus rate-limits flushes
    /// (one per collection every few seconds), so an import calls this once, at its end.</summary>
    public void Flush(string collection, CancellationToken cancellation = default)
    {
        collection = Info(collection, cancellation).Name;
        var request = new Rpc.FlushRequest { DbName = Db };
        request.CollectionNames.Add(collection);
        var flushed = _rpc.Call("Flush", collection, cancellation, (c, o) => c.Flush(request, o), r => r.Status);
        var state = new Rpc.GetFlushStateRequest { DbName = Db, CollectionName = collection };
        if (flushed.CollSegIDs.TryGetValue(collection, out var segments))
            state.SegmentIDs.Add(segments.Data);
        if (flushed.CollFlushTs.TryGetValue(collection, out var flushTs))
            state.FlushTs = flushTs;
        Poll.Until(() => _rpc.Call("GetFlushState", collection, cancellation, (c, o) => c.GetFlushState(state, o), r => r.Status).Flushed,
            LongWait, () => new MilvusOpsException("FlushTimeout", ErrorKind.OperationTimeout,
                $"Collection '{collection}' was not flushed after {LongWait.TotalSeconds:0} s. The data is written and searchable; Milvus goes on sealing it.", collection),
            cancellation);
    }

    public long Delete(string collection, IReadOnlyList<string> ids, CancellationToken cancellation = default)
    {
        if (ids.Count == 0)
            return 0;
        var info = Info(collection, cancellation);
        (collection, var mapping) = (info.Name, info.Mapping);
        long deleted = 0;
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(IdsPerExpression))
        {
            if (mapping.IdIn(chunk) is not { } named)
                continue;   // no id in the chunk can be a key of this collection
            // Milvus counts the ids it was given, not the ones that existed: ask first, so the count means what it says.
            var existing = WireFormat.DecodePatterns(Rows(collection, named, filter: null, [mapping.IdField], limit: null, cancellation), mapping: mapping)
                .Select(p => p.PatternId).ToArray();
            if (existing.Length == 0)
                continue;
            var request = new Rpc.DeleteRequest { DbName = Db, CollectionName = collection, Expr = mapping.IdIn(existing)! };
            Mutate("Delete", collection, (c, o) => c.Delete(request, o), cancellation);
            deleted += existing.Length;
        }
        return deleted;
    }

    public long DeleteWhere(string collection, PatternFilter filter, CancellationToken cancellation = default)
    {
        var parsed = ParseFilter(filter) ?? throw new ArgumentException("Deleting by filter needs an expression.", nameof(filter));
        collection = Info(collection, cancellation).Name;
        // delete_cnt of a primary-key expression counts the keys named, present or not: count the matches first.
        var matching = Count(collection, parsed, cancellation);
        if (matching == 0)
            return 0;
        var request = new Rpc.DeleteRequest { DbName = Db, CollectionName = collection, Expr = parsed.Text };
        WireFormat.AddTemplateValues(request.ExprTemplateValues, parsed);
        WhenLoaded(collection, () => Mutate("Delete", collection, (c, o) => c.Delete(request, o), cancellation));
        return matching;
    }

    private Rpc.MutationResult Mutate(string method, string collection, Func<Rpc.MilvusService.MilvusServiceClient, global::Grpc.Core.CallOptions, Rpc.MutationResult> call, CancellationToken cancellation)
    {
        var result = Guard(collection, () => _rpc.Call(method, collection, cancellation, call, r => r.Status));
        // Session consistency: later reads wait for this write's timestamp.
        ulong seen;
        while ((seen = Interlocked.Read(ref _lastWrite)) < result.Timestamp
            && Interlocked.CompareExchange(ref _lastWrite, result.Timestamp, seen) != seen) { }
        return result;
    }

    // ---------------------------------------------------------------- reads

    /// <summary>Parses and checks a filter once per call, before any request; Milvus receives its canonical text, never
    /// the SQL translation the embedded store needs, so SQLite's limits do not apply here.</summary>
    /// <summary>A filter is checked as the server's line checks it, so it is refused here only where the server would.</summary>
    private ParsedFilter? ParseFilter(PatternFilter? filter) => ParsedFilter.Parse(filter, FilterExpression.PatternFields, FilterDialect);

    public IReadOnlyList<Pattern> Get(string collection, IReadOnlyList<string> ids, CancellationToken cancellation = default)
    {
        if (ids.Count == 0)
            return [];
        var info = Info(collection, cancellation);
        (collection, var mapping) = (info.Name, info.Mapping);
        mapping.RequireReadable(collection);
        var found = new List<Pattern>(ids.Count);
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(IdsPerExpression))
            if (mapping.IdIn(chunk) is { } named)
                found.AddRange(WireFormat.DecodePatterns(Rows(collection, named, filter: null, mapping.ReadFields, limit: null, cancellation), collection, mapping));
        return found;
    }

    public IEnumerable<Pattern> Query(string collection, PatternFilter? filter, long? limit = null, long offset = 0, bool includeVectors = true,
        CancellationToken cancellation = default)
    {
        var parsed = ParseFilter(filter);
        var info = Info(collection, cancellation);
        collection = info.Name;
        info.Mapping.RequireReadable(collection);
        IReadOnlyList<string> fields = includeVectors ? info.Mapping.ReadFields : [info.Mapping.IdField, .. info.Mapping.MetadataFields];
        return Iterate(collection, info.Mapping, parsed, limit, offset, fields,
            Math.Min(PageRows(includeVectors ? info.Dimension : 0), MaxPageRows), cancellation);
    }

    /// <summary>An upper bound on <see cref="PageRows"/>; tests lower it to page through a few rows.</summary>
    internal int MaxPageRows { get; set; } = MaxQueryWindow;

    /// <summary>Milvus refuses a query whose offset + limit is not below 16384.</summary>
    private const int MaxQueryWindow = 16383;

    /// <summary>Rows per query page: about <see cref="TargetMessageBytes"/> of vectors and metadata (no vectors: dimension 0),
    /// within Milvus's query window.</summary>
    internal static int PageRows(int dimension) => Math.Clamp(TargetMessageBytes / (4 * dimension + 512), 100, MaxQueryWindow);

    /// <summary>Primary-key order, page by page: each page asks for the next ids after the last one seen
    /// (<c>pattern_id &gt; last</c>), so no page depends on an offset Milvus caps at 16384. The page condition is added
    /// to the checked filter's canonical text (<see cref="ParsedFilter.Text"/>); its template values go along unchanged.</summary>
    private IEnumerable<Pattern> Iterate(string collection, PatternMapping mapping, ParsedFilter? filter, long? limit, long offset, IReadOnlyList<string> fields, int pageRows,
        CancellationToken cancellation, string? condition = null)
    {
        var selection = FilterExpression.And(filter?.Text, condition);
        string? last = null;
        long skipped = 0, returned = 0;
        while (limit is null || returned < limit)
        {
            var expression = last is null ? selection : FilterExpression.And(selection, mapping.After(last));
            // While skipping, fetch only ids: the skipped rows' vectors would be wasted bytes.
            var skipping = skipped < offset;
            var want = skipping ? (int)Math.Min(pageRows * 8L, Math.Min(MaxPageRows, offset - skipped)) : (int)Math.Min(pageRows, limit is null ? pageRows : limit.Value - returned);
            var page = Rows(collection, expression, filter, skipping ? [mapping.IdField] : fields, want, cancellation);
            var patterns = WireFormat.DecodePatterns(page, collection, mapping).OrderBy(p => p.PatternId, mapping.KeyOrder).ToList();
            if (patterns.Count == 0)
                yield break;
            last = patterns[^1].PatternId;
            if (skipping)
            {
                skipped += patterns.Count;
            }
            else
            {
                foreach (var pattern in patterns)
                {
                    returned++;
                    yield return pattern;
                }
            }
            if (patterns.Count < want)
                yield break;
        }
    }

    /// <summary>One query: the columns of its result (one page when <paramref name="limit"/> is set, ordered by primary key).</summary>
    private IReadOnlyList<Rpc.FieldData> Rows(string collection, string expression, ParsedFilter? filter, IReadOnlyList<string> fields, int? limit,
        CancellationToken cancellation)
    {
        var request = new Rpc.QueryRequest { DbName = Db, CollectionName = collection, Expr = expression };
        WireFormat.AddTemplateValues(request.ExprTemplateValues, filter);
        request.OutputFields.Add(fields);
        if (limit is int n)
        {
            request.QueryParams.Add(Kv("limit", n.ToString(CultureInfo.InvariantCulture)));
            // Iterator mode returns the smallest primary keys first, which paging by "pattern_id > last" relies on.
            request.QueryParams.Add(Kv("iterator", "True"));
            request.QueryParams.Add(Kv("reduce_stop_for_best", "True"));
        }
        return Send(collection, request, cancellation).FieldsData;
    }

    /// <summary>Sends a query at this connection's consistency level, loading the collection again if it was released.</summary>
    private Rpc.QueryResults Send(string collection, Rpc.QueryRequest request, CancellationToken cancellation)
    {
        SetConsistency(request);
        return WhenLoaded(collection, () => Guard(collection, () => _rpc.Call("Query", collection, cancellation, (c, o) => c.Query(request, o), r => r.Status)));
    }

    /// <summary>A count(*) query, never the statistics that lag until a flush.</summary>
    public long Count(string collection, PatternFilter? filter = null, CancellationToken cancellation = default)
    {
        var parsed = ParseFilter(filter);
        return Count(Info(collection, cancellation).Name, parsed, cancellation);
    }

    private long Count(string collection, ParsedFilter? filter, CancellationToken cancellation, string? condition = null)
    {
        var request = new Rpc.QueryRequest { DbName = Db, CollectionName = collection, Expr = FilterExpression.And(filter?.Text, condition) };
        WireFormat.AddTemplateValues(request.ExprTemplateValues, filter);
        request.OutputFields.Add("count(*)");
        var column = Send(collection, request, cancellation).FieldsData.FirstOrDefault(f => f.FieldName == "count(*)");
        return column is not null && WireFormat.Value(column, 0) is long count ? count
            : throw new MilvusOpsException("MilvusResponseMalformed", ErrorKind.InvalidData, $"Milvus answered count(*) on '{collection}' without a count.", collection);
    }

    public IReadOnlyList<IReadOnlyList<SearchHit>> Search(string collection, SearchRequest request, CancellationToken cancellation = default)
    {
        if (request.Vectors.Count != request.QueryIds.Count)
            throw new ArgumentException("One query id per vector is required.", nameof(request));
        var filter = ParseFilter(request.Filter);
        var info = Info(collection, cancellation);
        collection = info.Name;
        info.Mapping.RequireReadable(collection);
        var parameters = SearchParameters(collection, info, request);
        if (request.Vectors.Count == 0)
            return [];

        // Every cell is every row: the collection's usual search. Fewer: each query has cells, so a filter, of its own.
        var cellModel = request.Cells is < CellPartitioning.CellCount ? Cells(info) : null;
        if (request.Cells is < CellPartitioning.CellCount and int cells)
            request.Explain?.Invoke(cellModel is null
                ? $"'{collection}' has no cells yet (they are fitted when {CellPartitioning.FitRows:N0} rows have been written to it loaded): searched the whole collection."
                : $"Searched the {cells:N0} cells nearest each query, of {CellPartitioning.CellCount:N0}, and the rows written before the cells were fitted.");
        var perRequest = cellModel is not null ? 1
            : Math.Clamp(Math.Min(TargetMessageBytes / (4 * info.Dimension), HitsPerSearch / Math.Max(1, request.Top)), 1, SearchRequest.MaxTop);
        var hits = new List<IReadOnlyList<SearchHit>>(request.Vectors.Count);
        for (var first = 0; first < request.Vectors.Count; first += perRequest)
        {
            var count = Math.Min(perRequest, request.Vectors.Count - first);
            var vectors = new float[count][];
            for (var i = 0; i < count; i++)
                vectors[i] = request.Vectors[first + i];
            var search = new Rpc.SearchRequest
            {
                DbName = Db, CollectionName = collection,
                Dsl = cellModel is null ? filter?.Text ?? "" : FilterExpression.And(filter?.Text, CellCondition(cellModel, vectors[0], request.Cells!.Value)),
                DslType = Rpc.DslType.BoolExprV1,
                PlaceholderGroup = ByteString.CopyFrom(WireFormat.PlaceholderGroupBytes(vectors)),
                Nq = count,
            };
            WireFormat.AddTemplateValues(search.ExprTemplateValues, filter);
            search.OutputFields.Add(info.Mapping.MetadataFields);
            search.SearchParams.Add(parameters);
            SetConsistency(search);
            var results = WhenLoaded(collection, () => Guard(collection, () => _rpc.Call("Search", collection, cancellation, (c, o) => c.Search(search, o), r => r.Status)));
            var decoded = WireFormat.DecodeSearch(results.Results);
            for (var q = 0; q < count; q++)
            {
                var queryId = request.QueryIds[first + q];
                var list = new List<SearchHit>();
                if (q < decoded.Count)
                    foreach (var hit in decoded[q])
                        list.Add(new SearchHit(queryId, list.Count + 1, PatternMapping.IdText(hit.Id), hit.Score,
                            hit.Fields.GetValueOrDefault(PatternSchema.PatternType) as string,
                            hit.Fields.GetValueOrDefault(PatternSchema.CoherenceMetrics) as string,
                            hit.Fields.GetValueOrDefault(PatternSchema.TemporalContext) as string, collection));
                hits.Add(list);
            }
        }
        return hits;
    }

    /// <summary>The search_params key-value pairs: the vector field, topk, the collection's metric, and the
    /// index's search parameters (checked, with defaults such as ef for HNSW) as a JSON object.</summary>
    private static Rpc.KeyValuePair[] SearchParameters(string collection, CollectionInfo info, SearchRequest request)
    {
        var metric = IndexRules.SearchMetric(collection, info.IndexType, info.Metric);
        return
        [
            Kv("anns_field", info.Mapping.Vector!.Name),
            Kv("topk", request.Top.ToString(CultureInfo.InvariantCulture)),
            Kv("metric_type", metric.ToString()),
            Kv("params", IndexRules.SearchParamsJson(info.IndexType, metric, info.IndexParameters, request.Top, request.Parameters)),
            Kv("round_decimal", "-1"),
            Kv("offset", "0"),
        ];
    }

    private void SetConsistency(Rpc.QueryRequest request)
    {
        (request.ConsistencyLevel, request.GuaranteeTimestamp) = Consistency();
        request.UseDefaultConsistency = false;
    }

    private void SetConsistency(Rpc.SearchRequest request)
    {
        (request.ConsistencyLevel, request.GuaranteeTimestamp) = Consistency();
        request.UseDefaultConsistency = false;
    }

    private (Rpc.ConsistencyLevel, ulong) Consistency() => _rpc.Endpoint.Consistency == ReadConsistency.Session
        ? (Rpc.ConsistencyLevel.Session, Interlocked.Read(ref _lastWrite))
        : (Rpc.ConsistencyLevel.Strong, 0UL);

    // ---------------------------------------------------------------- collection metadata

    /// <summary>What a collection's operations need to know: its own name (an alias resolved), schema, how it maps onto
    /// patterns, and its vector field's index and metric.</summary>
    private sealed record CollectionInfo(long Id, string Name, IReadOnlyList<string> Aliases, int Dimension, MetricType? Metric, string IndexType,
        MetadataDictionary? IndexParameters, string Description, IReadOnlyList<FieldSchema> Fields, PatternMapping Mapping, string? CellModelJson);

    /// <summary>
    /// Describes the collection afresh for every call, and the call then names the collection by its own name: another
    /// client may have dropped and re-created it, changed its index, or pointed an alias elsewhere, and a cached schema
    /// would check vectors against the wrong dimension or search with the wrong metric. Two small RPCs per call.
    /// </summary>
    private CollectionInfo Info(string name, CancellationToken cancellation)
    {
        var described = Guard(name, () => _rpc.Call("DescribeCollection", name, cancellation,
            (c, o) => c.DescribeCollection(new() { DbName = Db, CollectionName = name }, o), r => r.Status));
        // Described by an alias, Milvus answers the alias as collection_name; the schema keeps the collection's own name.
        string realName = string.IsNullOrEmpty(described.Schema.Name) ? name : described.Schema.Name;
        var fields = WireFormat.ModelFields(described.Schema);
        var mapping = PatternMapping.From(fields);
        var (indexType, metric, parameters) = mapping.Vector is { } vector ? VectorIndex(realName, vector.Name, cancellation) : (IndexRules.NoIndex, null, null);
        return new CollectionInfo(described.CollectionID, realName, described.Aliases.Order(StringComparer.Ordinal).ToList(), mapping.Vector?.Dimension ?? 0, metric,
            indexType, parameters, described.Schema.Description, fields, mapping, mapping.HasCells ? CellModelJson(described) : null);
    }

    /// <summary>The index on <paramref name="field"/>: its type, metric (null when not one MilvusOps searches by) and
    /// build parameters; <see cref="IndexRules.NoIndex"/> and no metric when the field has none.</summary>
    private (string IndexType, MetricType? Metric, MetadataDictionary? Parameters) VectorIndex(string name, string field, CancellationToken cancellation)
    {
        // Only the field's own index: another field's index says nothing about how this one is searched.
        var index = IndexDescriptions(name, field, cancellation).FirstOrDefault(d => d.FieldName == field);
        return index is null ? (IndexRules.NoIndex, null, null) : ReadIndexParams(index);
    }

    /// <summary>The indexes of a collection (of one field, when named); none where there are none.</summary>
    private IReadOnlyList<Rpc.IndexDescription> IndexDescriptions(string name, string? field, CancellationToken cancellation)
    {
        try
        {
            return _rpc.Call("DescribeIndex", name, cancellation,
                (c, o) => c.DescribeIndex(new() { DbName = Db, CollectionName = name, FieldName = field ?? "" }, o), r => r.Status).IndexDescriptions;
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "IndexNotFound")
        {
            return []; // made by another tool without an index: it cannot load or search yet
        }
    }

    /// <summary>An index's type, metric (null when not one MilvusOps searches by) and build parameters.</summary>
    private static (string IndexType, MetricType? Metric, MetadataDictionary? Parameters) ReadIndexParams(Rpc.IndexDescription index)
    {
        string indexType = "", metricName = "";
        string? json = null;
        var flat = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var kv in index.Params)
        {
            switch (kv.Key)
            {
                case "index_type": indexType = kv.Value; break;
                case "metric_type": metricName = kv.Value; break;
                case "params": json = kv.Value; break;
                case "mmap.enabled": break;
                default: flat[kv.Key] = Number(kv.Value); break;   // some servers list build parameters flat
            }
        }
        var parameters = Metadata.Parse(json is { Length: > 0 } && json != "{}" ? NumbersFromStrings(json) : flat.Count > 0 ? Metadata.Serialize(flat) : null);
        if (parameters is not null && json is { Length: > 0 })
            foreach (var (key, value) in flat) parameters.TryAdd(key, value);   // a client may send some flat and some in params
        // Names only (Enum.TryParse would take "0" for L2); HAMMING, JACCARD and the like have no MetricType.
        MetricType? metric = Enum.GetValues<MetricType>().Cast<MetricType?>()
            .FirstOrDefault(m => string.Equals(m.ToString(), metricName, StringComparison.OrdinalIgnoreCase));
        return (indexType, metric, parameters);
    }

    /// <summary>Build parameters as numbers where they are numeric text, so "16" and 16 compare equal.</summary>
    private static string NumbersFromStrings(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return json;
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
                values[property.Name] = property.Value.ValueKind == JsonValueKind.String ? Number(property.Value.GetString()!)
                    : JsonSerializer.Deserialize<object>(property.Value.GetRawText());
            return Metadata.Serialize(values);
        }
        catch (JsonException)
        {
            return json;
        }
    }

    private static object Number(string text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d
        : text;

    // ---------------------------------------------------------------- helpers

    /// <summary>Runs a call that needs the collection loaded. A released collection is not loaded again behind the
    /// operator's back: releasing frees the query nodes' memory, on purpose.</summary>
    private T WhenLoaded<T>(string collection, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "CollectionNotLoaded")
        {
            throw new MilvusOpsException("CollectionNotLoaded", ErrorKind.ResourceUnavailable,
                $"Collection '{collection}' is not loaded in Milvus at {this} (released, or still loading); search, query and delete need it loaded. " +
                "Load it with Mount-MilvusCollection; Get-MilvusLoadState says where it stands.", collection, ex);
        }
    }

    /// <summary>Turns "collection not found" into the embedded store's error.</summary>
    private T Guard<T>(string collection, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "CollectionNotFound")
        {
            throw NotFound(collection, ex);
        }
    }

    private void Guard(string collection, Action call) => Guard(collection, () => { call(); return 0; });

    private MilvusOpsException NotFound(string name, Exception? inner = null) =>
        new("CollectionNotFound", ErrorKind.ObjectNotFound,
            $"Collection '{name}' does not exist in '{this}'. Get-PatternCollection lists the collections; New-PatternCollection creates one.", name, inner);

    private static Rpc.KeyValuePair Kv(string key, string value) => new() { Key = key, Value = value };

    public override string ToString() => _rpc.Endpoint.ToString();

    public void Dispose()
    {
        if (_importJobs.IsValueCreated) _importJobs.Value.Dispose();
        _rpc.Dispose();
    }
}
