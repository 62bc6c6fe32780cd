
namespace MilvusOps.Model;

/// <summary>
/// One backend behind every cmdlet: the embedded SQLite store or a Milvus server. This is what every backend must do
/// (collections, patterns, search, health); the optional parts are capability interfaces (<see cref="IIndexCapability"/>,
/// <see cref="ILoadCapability"/>, <see cref="IAliasCapability"/>) that a backend implements where it has them. Implementations
/// give the same answers for the same calls; failures are <see cref="MilvusOpsException"/>s. Callers go through the
/// session layer (MilvusOps.Engine.Session.PatternSession), which has checked every input: collection names and specs,
/// patterns, query vectors, limits, -Top and search parameters; a backend checks only what it alone knows (a filter's
/// fields, whether a collection exists, its own limits). Every call takes the
/// command's cancellation token (Ctrl+C) and ends soon after it is cancelled, with an <see cref="OperationCanceledException"/>:
/// scans, searches, lock waits, retries and waits for the server alike.
/// </summary>
public interface IPatternStore : IDisposable
{
    /// <summary>The file path or server URI this store was opened from.</summary>
    string Uri { get; }
    StoreBackend Backend { get; }
    string Database { get; }

    /// <summary>The server's version (Milvus), or the embedded engine and its SQLite version.</summary>
    string ServerVersion { get; }

    /// <summary>One check per component this store can see: a server's own health, quota states and components, or an
    /// embedded file's integrity, write-ahead log, lock and format. A component that is down is a failed check, not an
    /// exception; only an unreachable store throws.</summary>
    IReadOnlyList<HealthCheck> CheckHealth(CancellationToken cancellation = default);

    /// <summary>Creates a collection; with <paramref name="ifNotExists"/> an identical existing one is returned.</summary>
    PatternCollection CreateCollection(CollectionSpec spec, bool ifNotExists, CancellationToken cancellation = default);

    /// <summary>Every collection, described without counting (<see cref="PatternCollection.EntityCount"/> is null).</summary>
    IReadOnlyList<PatternCollection> ListCollections(CancellationToken cancellation = default);

    /// <summary>The collection (or the collection an alias names), described without counting, or an ObjectNotFound
    /// failure naming it. Every call that takes a collection name takes an alias too, except DropCollection.</summary>
    PatternCollection DescribeCollection(string name, CancellationToken cancellation = default);

    /// <summary>The exact number of patterns (matching a filter expression, when given): never a lagging statistic.
    /// Counting can cost a scan, so it is paid only where someone reads the number.</summary>
    long Count(string collection, PatternFilter? filter = null, CancellationToken cancellation = default);

    /// <summary>Drops a collection by its own name; an alias, or a collection that aliases still name, is refused.</summary>
    void DropCollection(string name, CancellationToken cancellation = default);

    /// <summary>Writes the batch, replacing patterns with the same id. Patterns must already be validated. The embedded
    /// store writes it in one transaction; Milvus in requests of at most 16 MB, each applied whole (a writer's batch of
    /// <see cref="WriteBatch.MaxBytes"/> is one request). Writing a batch again is always safe.</summary>
    void Upsert(string collection, IReadOnlyList<Pattern> patterns, CancellationToken cancellation = default);

    /// <summary>Makes every write so far durable and sealed. Call it once after a bulk load: Milvus rate-limits flushes,
    /// and its writes are already searchable before one. The embedded store's writes are durable at commit.</summary>
    void Flush(string collection, CancellationToken cancellation = default);

    /// <summary>The patterns with these ids that exist, in no particular order.</summary>
    IReadOnlyList<Pattern> Get(string collection, IReadOnlyList<string> ids, CancellationToken cancellation = default);

    /// <summary>
    /// Patterns whose temporal_context[<paramref name="timeKey"/>] is a string within the ordinal range [from, to) (an open
    /// end where null) and that match the filter, in primary-key order, streamed: the text range a read by time narrows to
    /// (<see cref="PatternTime.TextBounds"/>). The key is a checked one (<see cref="PatternTime.CheckKey"/>). The embedded
    /// store indexes the key at its first such read; <paramref name="explain"/> hears how the rows were found.
    /// </summary>
    IEnumerable<Pattern> QueryTimeText(string collection, string timeKey, string? from, string? to, PatternFilter? filter,
        Action<string>? explain = null, CancellationToken cancellation = default);

    /// <summary>Patterns matching a Milvus filter expression (all when empty), in primary-key order, streamed.</summary>
    /// <remarks>Without <paramref name="includeVectors"/> each pattern's Vector is empty: a scan of the JSON documents then
    /// reads a fraction of the bytes.</remarks>
    IEnumerable<Pattern> Query(string collection, PatternFilter? filter, long? limit = null, long offset = 0, bool includeVectors = true,
        CancellationToken cancellation = default);

    /// <summary>Deletes by id; returns how many existed.</summary>
    long Delete(string collection, IReadOnlyList<string> ids, CancellationToken cancellation = default);

    /// <summary>Deletes every pattern matching a non-empty filter expression; returns how many.</summary>
    long DeleteWhere(string collection, PatternFilter filter, CancellationToken cancellation = default);

    /// <summary>Top-k similarity search for each query vector; one hit list per query, in query order.</summary>
    IReadOnlyList<IReadOnlyList<SearchHit>> Search(string collection, SearchRequest request, CancellationToken cancellation = default);
}

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum StoreBackend
{
    Embedded,
    Milvus,
}

/// <summary>
/// A batch of queries. Each vector is checked against the collection before the search runs, and
/// <see cref="Parameters"/> (index search parameters such as ef or nprobe) against the collection's index
/// with <see cref="IndexRules.SearchParameters"/>; values may be int, long, double or numeric strings.
/// </summary>
public sealed record SearchRequest(
    IReadOnlyList<string> QueryIds,
    IReadOnlyList<float[]> Vectors,
    int Top = 10,
    PatternFilter? Filter = null,
    IReadOnlyDictionary<string, object?>? Parameters = null)
{
    /// <summary>Milvus's bound on topk and on nq.</summary>
    public const int MaxTop = 16384;

    /// <summary>When set, each query searches only the rows of this many cells nearest it (<see cref="CellPartitioning"/>);
    /// the collection is partitioned, as the session checked.</summary>
    public int? Cells { get; init; }

    /// <summary>Told, on the calling thread, how the store searched (exactly, through a graph, what it built first), for
    /// verbose output.</summary>
    public Action<string>? Explain { get; init; }

    /// <summary>Told, on the calling thread, how far a long preparation has come (the first build of an embedded HNSW
    /// collection's graph): what it is, and the percentage done.</summary>
    public Action<string, int>? Progress { get; init; }
}
