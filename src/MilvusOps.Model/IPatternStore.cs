
namespace MilvusOps.Model;

/// <summary>
/// One backend behind every cmdlet: the embedded SQLite store or a Milvus server. Implementations
/// give the same answers for the same calls; failures are <see cref="MilvusOpsException"/>s.
/// </summary>
public interface IPatternStore
{
    /// <summary>The file path or server URI this store was opened from.</summary>
    string Uri { get; }
    StoreBackend Backend { get; }
    string Database { get; }

    /// <summary>The server's version (Milvus), or the embedded engine and its SQLite version.</summary>
    string ServerVersion { get; }

    /// <summary>Creates a collection; with <paramref name="ifNotExists"/> an identical existing one is returned.</summary>
    PatternCollection CreateCollection(CollectionSpec spec, bool ifNotExists);

    /// <summary>Every collection, with exact entity counts.</summary>
    IReadOnlyList<PatternCollection> ListCollections();

    /// <summary>The collection, or an ObjectNotFound failure naming it.</summary>
    PatternCollection DescribeCollection(string name);

    void DropCollection(string name);

    /// <summary>Writes the batch, replacing patterns with the same id. Patterns must already be validated. The embedded
    /// store writes it in one transaction; Milvus in requests of at most 16 MB, each applied whole (a writer's batch of
    /// <see cref="WriteBatch.MaxBytes"/> is one request). Writing a batch again is always safe.</summary>
    void Upsert(string collection, IReadOnlyList<Pattern> patterns);

    /// <summary>Makes every write so far durable and sealed. Call it once after a bulk load: Milvus rate-limits flushes,
    /// and its writes are already searchable before one. The embedded store's writes are durable at commit.</summary>
    void Flush(string collection);

    /// <summary>The patterns with these ids that exist, in no particular order.</summary>
    IReadOnlyList<Pattern> Get(string collection, IReadOnlyList<string> ids);

    /// <summary>Patterns matching a Milvus filter expression (all when empty), in primary-key order, streamed.</summary>
    IEnumerable<Pattern> Query(string collection, string? filter, long? limit = null, long offset = 0);

    /// <summary>Deletes by id; returns how many existed.</summary>
    long Delete(string collection, IReadOnlyList<string> ids);

    /// <summary>Deletes every pattern matching a non-empty filter expression; returns how many.</summary>
    long DeleteWhere(string collection, string filter);

    /// <summary>Top-k similarity search for each query vector; one hit list per query, in query order.</summary>
    IReadOnlyList<IReadOnlyList<SearchHit>> Search(string collection, SearchRequest request);
}

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
    string? Filter = null,
    IReadOnlyDictionary<string, object?>? Parameters = null)
{
    /// <summary>Milvus's bound on topk and on nq.</summary>
    public const int MaxTop = 16384;
}
