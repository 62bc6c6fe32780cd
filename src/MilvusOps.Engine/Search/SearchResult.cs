namespace MilvusOps.Engine.Search;

/// <summary>One hit: the row position in the <see cref="VectorMatrix"/> and its Milvus distance.</summary>
/// <param name="Position">Row position (append order) in the searched matrix.</param>
/// <param name="Distance">L2: squared Euclidean distance; IP: inner product; COSINE: cosine similarity.</param>
public readonly record struct ScoredRow(int Position, float Distance);

/// <summary>The hits of one query, best first (Milvus order), ties broken by lower position.</summary>
public sealed class SearchResult
{
    private readonly ScoredRow[] _hits;

    internal SearchResult(ScoredRow[] hits)
    {
        _hits = hits;
    }

    /// <summary>The hits, best first. Fewer than top-k when fewer rows were searched.</summary>
    public IReadOnlyList<ScoredRow> Hits => _hits;

    /// <summary>Number of hits.</summary>
    public int Count => _hits.Length;

    /// <summary>The hit at rank <paramref name="index"/> (0 = best).</summary>
    public ScoredRow this[int index] => _hits[index];

    internal static readonly SearchResult Empty = new([]);
}
