using MilvusOps.Engine.Search.Graph;

namespace MilvusOps.Engine.Backends.Embedded;

/// <summary>
/// One HNSW collection's graph in memory and the version of the collection it holds. Searches share it under the read
/// side of <see cref="Gate"/>; bringing it to a newer version (catching up, loading, building) takes the write side.
/// </summary>
internal sealed class CollectionGraph
{
    public ReaderWriterLockSlim Gate { get; } = new();

    /// <summary>Null while none is built, or when the collection was too small for one at <see cref="Version"/>.</summary>
    public HnswGraph? Graph { get; set; }

    /// <summary>The collection's version the graph (or the decision to search exactly) is for.</summary>
    public VectorsVersion? Version { get; set; }

    /// <summary>The collection's rows at <see cref="Version"/>, and its highest rowid then (rows above it are newer).</summary>
    public long Rows { get; set; }
    public long MaxRowId { get; set; }

    /// <summary>The version of the newest graph file this process wrote or read, and how many rows changed since.</summary>
    public long SavedVersion { get; set; } = -1;
    public long ChangedSinceSave { get; set; }

    /// <summary>The graph file being written in the background, if any (it holds the read side while it writes).</summary>
    public Task? Saving { get; set; }

    /// <summary>Takes one side of the gate, looking for Ctrl+C while another holder keeps it.</summary>
    public void Enter(bool write, CancellationToken cancellation)
    {
        while (!(write ? Gate.TryEnterWriteLock(100) : Gate.TryEnterReadLock(100)))
            cancellation.ThrowIfCancellationRequested();
    }

    public void Exit(bool write)
    {
        if (write) Gate.ExitWriteLock();
        else Gate.ExitReadLock();
    }

    /// <summary>Frees the graph once no search or save holds it.</summary>
    public void Dispose()
    {
        Saving?.Wait();
        Gate.EnterWriteLock();
        Graph?.Dispose();
        Graph = null;
        Version = null;
        Gate.ExitWriteLock();
    }
}

/// <summary>The graphs of a store's HNSW collections, by collection id (ids are never reused).</summary>
internal sealed class GraphCache
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, CollectionGraph> _graphs = new();

    public CollectionGraph For(long collectionId) => _graphs.GetOrAdd(collectionId, _ => new CollectionGraph());

    public void Evict(long collectionId)
    {
        if (_graphs.TryRemove(collectionId, out var graph)) graph.Dispose();
    }

    public void WaitForSaves()
    {
        foreach (var graph in _graphs.Values) graph.Saving?.Wait();
    }

    public void Clear()
    {
        foreach (long id in _graphs.Keys) Evict(id);
    }
}
