using MilvusOps.Engine.Sources;

namespace MilvusOps.Engine.Pipelines.Migration;

/// <summary>
/// Finds ids seen earlier in the same source, so the first occurrence wins. For sources that read ids back by row it keeps
/// only a 64-bit hash and the first row of each id (16 bytes a row, not the ids), and confirms a hash
/// match by reading that first row's id back from the source. Other sources keep the ids.
/// </summary>
internal sealed class DuplicateTracker
{
    private readonly IPatternSource _source;
    private readonly Dictionary<ulong, long> _firstRowByHash = [];
    private readonly Dictionary<string, long> _firstRowById = new(StringComparer.Ordinal);

    /// <summary>Starts tracking; when resuming, the ids of the rows already done are read first.</summary>
    public DuplicateTracker(IPatternSource source, long resumeAfterRow)
    {
        _source = source;
        if (resumeAfterRow > 0)
        {
            foreach (var (row, id) in source.Ids(0, resumeAfterRow)) FirstRow(id, row);
        }
    }

    /// <summary>The source row where <paramref name="id"/> first appeared, or null when this row is its first.</summary>
    public long? FirstRow(string id, long sourceRow)
    {
        if (!_source.ReadsIdsBack) return Exact(id, sourceRow);
        ulong hash = Hash(id);
        if (_firstRowByHash.TryAdd(hash, sourceRow)) return null;
        long candidate = _firstRowByHash[hash];
        if (candidate == sourceRow) return null;
        // Same hash: the same id, or (rarely) a collision that the exact map then settles.
        return _source.Ids(candidate - 1, candidate).Select(r => r.Id).FirstOrDefault() == id ? candidate : Exact(id, sourceRow);
    }

    private long? Exact(string id, long sourceRow)
    {
        if (_firstRowById.TryAdd(id, sourceRow)) return null;
        long first = _firstRowById[id];
        return first == sourceRow ? null : first;
    }

    /// <summary>FNV-1a over the UTF-16 code units: stable across runs, which resume relies on.</summary>
    private static ulong Hash(string id)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in id)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
