namespace MilvusOps.Engine.Session;

/// <summary>
/// The session layer: what one command does through one connection. Every input is checked here, once (collection names
/// and specs, patterns, query vectors, limits, -Top and search parameters), so a backend receives only valid requests
/// and both backends refuse bad input with the same ErrorIds. Every backend call carries the command's cancellation token.
/// </summary>
public sealed partial class PatternSession(MilvusConnection connection, CancellationToken cancellation)
{
    public MilvusConnection Connection { get; } = connection;

    /// <summary>The command's token: the pipelines above the session check it between batches.</summary>
    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>The backend; a closed connection refuses it.</summary>
    private IPatternStore Store => Connection.Store;

    /// <summary>An optional capability of the backend (indexes, loading, aliases), or NotSupportedByBackend naming the
    /// backend and the capability.</summary>
    private T Require<T>() where T : class
    {
        if (Store is T capability) return capability;
        string name = typeof(T).GetCustomAttributes(typeof(StoreCapabilityAttribute), false) is [StoreCapabilityAttribute named, ..] ? named.Name : typeof(T).Name;
        string backend = Connection.Backend == StoreBackend.Embedded ? $"The embedded store '{Connection.Uri}'" : $"Milvus at {Connection.Uri}";
        throw new MilvusOpsException("NotSupportedByBackend", ErrorKind.NotImplemented,
            $"{backend} has no {name}: that is a feature of {(Connection.Backend == StoreBackend.Embedded ? "a Milvus server" : "another backend")}. " +
            "Get-Help about_MilvusOps says what each backend supports.", name);
    }

    // ---------------------------------------------------------------- collections

    /// <summary>Checks a collection spec against Milvus's rules; <see cref="Create"/> takes only checked specs.</summary>
    public static CollectionSpec Check(CollectionSpec spec) => spec.Validate();

    public PatternCollection Create(CollectionSpec checkedSpec, bool ifNotExists) => Store.CreateCollection(checkedSpec, ifNotExists, Cancellation);

    /// <summary>Every collection, described without counting.</summary>
    public IReadOnlyList<PatternCollection> List() => Store.ListCollections(Cancellation);

    /// <summary>The collection, described without counting.</summary>
    public PatternCollection Describe(string name) => Store.DescribeCollection(CollectionSpec.CheckName(name), Cancellation);

    /// <summary>The exact number of patterns (matching a filter, when given): paid only where someone reads it.</summary>
    public long Count(string collection, PatternFilter? filter = null) => Store.Count(CollectionSpec.CheckName(collection), filter, Cancellation);

    /// <summary>Drops a collection by its own name. As Milvus 2.5 does, an alias is refused here, and so is a collection
    /// that aliases still name: traffic through an alias never ends up nowhere.</summary>
    public void Drop(string name)
    {
        CheckDrop(name);
        Store.DropCollection(name, Cancellation);
    }

    /// <summary>The refusals of <see cref="Drop"/>, for a command to meet before it asks for confirmation.</summary>
    public void CheckDrop(string name)
    {
        var described = Describe(name);
        if (described.Name != name) throw CollectionAlias.DropByAlias(name, described.Name);
        if (described.Aliases.Count > 0) throw CollectionAlias.StillNamed(name, described.Aliases);
    }

    // ---------------------------------------------------------------- patterns

    /// <summary>Checks a pattern against the collection it goes to; <see cref="Upsert"/> takes only checked patterns.</summary>
    public static Pattern Check(Pattern pattern, PatternCollection target) => PatternValidator.Validate(pattern, target);

    /// <summary>Writes patterns that <see cref="Check"/> (or a reader's own checks) passed, replacing those with the same id.</summary>
    public void Upsert(string collection, IReadOnlyList<Pattern> checkedPatterns) =>
        Store.Upsert(CollectionSpec.CheckName(collection), checkedPatterns, Cancellation);

    /// <summary>Seals what was written (Milvus); call it once after a bulk load.</summary>
    public void Flush(string collection) => Store.Flush(CollectionSpec.CheckName(collection), Cancellation);

    public IReadOnlyList<Pattern> Get(string collection, IReadOnlyList<string> ids) =>
        Store.Get(CollectionSpec.CheckName(collection), ids, Cancellation);

    /// <summary>Patterns matching a filter (all when empty), in primary-key order, streamed; without
    /// <paramref name="includeVectors"/> their vectors are empty, for scans of the JSON documents.</summary>
    public IEnumerable<Pattern> Query(string collection, PatternFilter? filter, long? limit = null, long offset = 0, bool includeVectors = true)
    {
        if (limit is < 0 || offset < 0)
            throw new MilvusOpsException("InvalidLimit", ErrorKind.InvalidArgument, "Limit and offset must not be negative.", limit);
        return Store.Query(CollectionSpec.CheckName(collection), filter, limit, offset, includeVectors, Cancellation);
    }

    /// <summary>
    /// Patterns whose time under <paramref name="timeKey"/> lies in [since, until) (either end open), matching the filter, in
    /// primary-key order, streamed, each with its time. The store narrows the read to the text those times can be written
    /// as (<see cref="PatternTime.TextBounds"/>); a pattern there whose time does not parse goes to <paramref name="unparseable"/>.
    /// </summary>
    public IEnumerable<(Pattern Pattern, DateTimeOffset Time)> ReadByTime(string collection, string timeKey, DateTimeOffset? since, DateTimeOffset? until,
        PatternFilter? filter, Action<Pattern, string>? unparseable = null, Action<string>? explain = null)
    {
        PatternTime.CheckKey(timeKey);
        if (since is { } from && until is { } to && to <= from)
            throw new MilvusOpsException("InvalidTimeRange", ErrorKind.InvalidArgument, $"The time range ends ({to:O}) before it starts ({from:O}).", until);
        var (textFrom, textTo) = PatternTime.TextBounds(since, until);
        var rows = Store.QueryTimeText(CollectionSpec.CheckName(collection), timeKey, textFrom, textTo, filter, explain, Cancellation);
        return InRange(rows, timeKey, since, until, unparseable);
    }

    private static IEnumerable<(Pattern, DateTimeOffset)> InRange(IEnumerable<Pattern> rows, string timeKey, DateTimeOffset? since, DateTimeOffset? until,
        Action<Pattern, string>? unparseable)
    {
        foreach (var pattern in rows)
        {
            if (PatternTime.Of(pattern, timeKey, out string? problem) is not { } time) unparseable?.Invoke(pattern, problem!);
            else if ((since is null || time >= since) && (until is null || time < until)) yield return (pattern, time);
        }
    }

    public long Delete(string collection, IReadOnlyList<string> ids) => Store.Delete(CollectionSpec.CheckName(collection), ids, Cancellation);

    /// <summary>Deletes every pattern matching a non-empty filter; returns how many.</summary>
    public long DeleteWhere(string collection, PatternFilter? filter) =>
        filter is null || string.IsNullOrWhiteSpace(filter.Expression)
            ? throw new MilvusOpsException("EmptyDeleteFilter", ErrorKind.InvalidArgument,
                "Deleting by filter needs a non-empty expression; to remove every pattern, remove the collection.", filter)
            : Store.DeleteWhere(CollectionSpec.CheckName(collection), filter, Cancellation);

    // ---------------------------------------------------------------- search

    /// <summary>
    /// Checks what every query of a search shares, before the first query is read: the collection, -Top against Milvus's
    /// bound and the index's, and the search parameters against the index (with the defaults Milvus would get).
    /// </summary>
    public SearchPlan PlanSearch(string collection, int top, IReadOnlyDictionary<string, object?>? parameters)
    {
        IndexRules.CheckTop(top);
        var target = Describe(collection);
        var (indexParameters, cells) = CellPartitioning.Split(target, parameters);
        string parametersJson = IndexRules.SearchParamsJson(target, top, indexParameters);
        return new SearchPlan(target, top, indexParameters, parametersJson) { Cells = cells };
    }

    /// <summary>Checks one query vector against the plan's collection.</summary>
    public static void CheckQuery(SearchPlan plan, float[] vector, string queryId) =>
        PatternValidator.CheckVector(vector, plan.Collection.Dimension, queryId);

    /// <summary>One hit list per query, in query order, for queries that <see cref="CheckQuery"/> passed.</summary>
    public IReadOnlyList<IReadOnlyList<SearchHit>> Search(SearchPlan plan, IReadOnlyList<string> queryIds, IReadOnlyList<float[]> checkedVectors, PatternFilter? filter,
        Action<string>? explain = null, Action<string, int>? progress = null) =>
        Store.Search(plan.Collection.Name,
            new SearchRequest(queryIds, checkedVectors, plan.Top, filter, plan.Parameters) { Cells = plan.Cells, Explain = explain, Progress = progress },
            Cancellation);
}

/// <summary>A search whose shared inputs were checked: the collection, -Top, the index's search parameters (and their JSON as
/// Milvus gets it), and the cells each query is limited to, if any.</summary>
public sealed record SearchPlan(PatternCollection Collection, int Top, IReadOnlyDictionary<string, object?>? Parameters, string ParametersJson)
{
    /// <summary>The <c>cells</c> search parameter of a partitioned collection (<see cref="CellPartitioning"/>).</summary>
    public int? Cells { get; init; }

    /// <summary>Every search parameter as JSON: the index's, with <c>cells</c> when the search is limited to cells.</summary>
    public string AllParametersJson => Cells is int cells
        ? Metadata.Serialize(new SortedDictionary<string, object?>((IDictionary<string, object?>?)Metadata.Parse(ParametersJson) ?? new Dictionary<string, object?>(), StringComparer.Ordinal)
        {
            [CellPartitioning.CellsParameter] = cells,
        })
        : ParametersJson;

    /// <summary>The metric the collection is searched by (planning refused a collection without one).</summary>
    public MetricType Metric => IndexRules.SearchMetric(Collection.Name, Collection.IndexType, Collection.Metric);
}
