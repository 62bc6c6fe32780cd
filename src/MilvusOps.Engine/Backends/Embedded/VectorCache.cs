using System.Collections.Concurrent;
using MilvusOps.Engine.Search;
using MilvusOps.Engine.Search.Cells;

namespace MilvusOps.Engine.Backends.Embedded;

/// <summary>
/// Which contents of a collection cached vectors hold: its creation time and its data version, from the
/// catalog row. A write bumps the version; a drop and re-create starts it again, but under a new
/// creation time (and a new collection id), so vectors of the dropped collection never match.
/// </summary>
internal readonly record struct VectorsVersion(string CreatedUtc, long DataVersion);

/// <summary>
/// A collection's vectors held in memory once, tagged with the version they were read at. A search
/// reuses them until a write (from any process) changes the version; then the next search reloads.
/// </summary>
internal sealed class CollectionVectors
{
    private int _leases = 1;   // the cache's own lease, returned on eviction

    /// <param name="rowIds">The rows' rowids, ascending, in the order they were read: row i is at matrix position i, or,
    /// in a partitioned collection, at <paramref name="cells"/>.Destination[i] (held cell by cell, so a cell's vectors lie
    /// together in memory).</param>
    public CollectionVectors(VectorsVersion version, VectorMatrix matrix, long[] rowIds, CellRows? cells = null)
    {
        Version = version;
        Matrix = matrix;
        _rowIds = rowIds;
        Cells = cells;
        if (cells is not null)
        {
            _rowIdAt = new long[rowIds.Length];
            for (int row = 0; row < rowIds.Length; row++) _rowIdAt[cells.Destination[row]] = rowIds[row];
        }
    }

    private readonly long[] _rowIds;
    private readonly long[]? _rowIdAt;

    public VectorsVersion Version { get; }
    public VectorMatrix Matrix { get; }

    /// <summary>The SQLite rowid of the row at a matrix position.</summary>
    public long RowIdAt(int position) => _rowIdAt is null ? _rowIds[position] : _rowIdAt[position];

    /// <summary>The rows of each cell, when the collection is partitioned (<see cref="CellPartitioning"/>).</summary>
    public CellRows? Cells { get; }

    public bool TryAcquire()
    {
        int current;
        do
        {
            current = Volatile.Read(ref _leases);
            if (current == 0) return false;
        } while (Interlocked.CompareExchange(ref _leases, current + 1, current) != current);
        return true;
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _leases) == 0) Matrix.Dispose();
    }

    /// <summary>Matrix row of a rowid, or -1.</summary>
    public int PositionOf(long rowId) =>
        Array.BinarySearch(_rowIds, rowId) is var row and >= 0 ? Cells?.Destination[row] ?? row : -1;
}

internal sealed class VectorCache
{
    private readonly ConcurrentDictionary<long, CollectionVectors> _entries = new();
    private readonly object _loadLock = new();
    private long _loads;

    /// <summary>How many times vectors were read from the file (for tests: once per version).</summary>
    public long Loads => Interlocked.Read(ref _loads);

    /// <summary>
    /// The vectors for <paramref name="collectionId"/> at <paramref name="version"/>, loaded with
    /// <paramref name="load"/> when missing or stale. The caller must Release the lease it gets.
    /// </summary>
    public CollectionVectors Acquire(long collectionId, VectorsVersion version, Func<CollectionVectors> load)
    {
        if (_entries.TryGetValue(collectionId, out var entry) && entry.Version == version && entry.TryAcquire())
            return entry;
        lock (_loadLock)
        {
            if (_entries.TryGetValue(collectionId, out entry) && entry.Version == version && entry.TryAcquire())
                return entry;
            var loaded = load();
            Interlocked.Increment(ref _loads);
            loaded.TryAcquire();
            if (_entries.TryRemove(collectionId, out var stale)) stale.Release();
            _entries[collectionId] = loaded;
            return loaded;
        }
    }

    public void Evict(long collectionId)
    {
        if (_entries.TryRemove(collectionId, out var stale)) stale.Release();
    }

    /// <summary>Evicts <paramref name="stale"/> if it is still the cached entry (not one loaded since).</summary>
    public void Evict(long collectionId, CollectionVectors stale)
    {
        if (_entries.TryRemove(KeyValuePair.Create(collectionId, stale))) stale.Release();
    }

    /// <summary>Frees every cached matrix once the searches holding it are done.</summary>
    public void Clear()
    {
        foreach (long collectionId in _entries.Keys) Evict(collectionId);
    }
}
