using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using static MilvusOps.Engine.Search.Graph.USearchNative;

namespace MilvusOps.Engine.Search.Graph;

/// <summary>
/// An HNSW graph of float32 vectors keyed by 64-bit keys, held by USearch's C library: what the embedded store
/// searches approximately. Vectors are stored unquantized, so a key's vector reads back bit for bit.
/// </summary>
/// <remarks>
/// <para>Concurrency: <see cref="Add"/>, <see cref="Remove"/>, <see cref="Search"/> and <see cref="TryGet"/> may run
/// on any number of threads at once; at most <see cref="Threads"/> are inside the library at a time, because it keeps
/// one search context per thread and hands out more than it has without a check. <see cref="Reserve"/>,
/// <see cref="Save"/> and <see cref="Dispose"/> need the graph to themselves: the caller ensures that.</para>
/// <para>The search-time candidate list (ef) is a setting of the whole graph in the library; a search with another
/// ef waits for the searches running with the current one, then changes it.</para>
/// </remarks>
internal sealed unsafe class HnswGraph : IDisposable
{
    private nint _handle;
    private readonly SemaphoreSlim _contexts;
    private readonly ReaderWriterLockSlim _expansionGate = new();
    private int _expansion;

    private HnswGraph(nint handle, int dimension, MetricType metric, int threads)
    {
        _handle = handle;
        Dimension = dimension;
        Metric = metric;
        Threads = threads;
        _contexts = new SemaphoreSlim(threads, threads);
        SetThreads();
        nint error = 0;
        _expansion = (int)Checked(usearch_expansion_search(_handle, &error), error);
    }

    public int Dimension { get; }
    public MetricType Metric { get; }

    /// <summary>How many calls may be inside the library at once.</summary>
    public int Threads { get; }

    /// <summary>Vectors in the graph (removed ones not counted).</summary>
    public long Count
    {
        get { nint error = 0; return (long)Checked(usearch_size(Handle, &error), error); }
    }

    public long Capacity
    {
        get { nint error = 0; return (long)Checked(usearch_capacity(Handle, &error), error); }
    }

    /// <summary>Bytes the library holds for the graph and its vectors.</summary>
    public long MemoryBytes
    {
        get { nint error = 0; return (long)Checked(usearch_memory_usage(Handle, &error), error); }
    }

    /// <summary>The library's version, e.g. 2.26.6.</summary>
    public static string LibraryVersion => Marshal.PtrToStringUTF8(usearch_version()) ?? "unknown";

    /// <summary>An empty graph. <paramref name="connectivity"/> is HNSW's M; <paramref name="expansionAdd"/> its efConstruction.</summary>
    public static HnswGraph Create(int dimension, MetricType metric, int connectivity, int expansionAdd, int threads)
    {
        var options = Options(dimension, metric, connectivity, expansionAdd);
        nint error = 0;
        nint handle = usearch_init(&options, &error);
        return Wrap(handle, error, dimension, metric, threads, "create an HNSW graph");
    }

    /// <summary>Reads a graph that <see cref="Save"/> wrote; null when the file is not one of
    /// <paramref name="dimension"/>-d <paramref name="metric"/> vectors or the library cannot read it.</summary>
    public static HnswGraph? TryLoad(string path, int dimension, MetricType metric, int threads)
    {
        byte[] utf8 = NullTerminated(path);
        InitOptions stored;
        nint error = 0;
        fixed (byte* p = utf8) usearch_metadata(p, &stored, &error);
        if (error != 0 || stored.Dimensions != (nuint)dimension || stored.MetricKind != MetricKind(metric) || stored.Quantization != ScalarF32)
            return null;
        nint handle = usearch_init(&stored, &error);
        var graph = Wrap(handle, error, dimension, metric, threads, "create an HNSW graph");
        fixed (byte* p = utf8) usearch_load(graph._handle, p, &error);
        if (error != 0)
        {
            graph.Dispose();
            return null;
        }
        graph.SetThreads();
        graph._expansion = (int)Checked(usearch_expansion_search(graph._handle, &error), error);
        return graph;
    }

    /// <summary>Makes room for <paramref name="capacity"/> vectors. Not while other calls run.</summary>
    public void Reserve(long capacity)
    {
        nint error = 0;
        usearch_reserve(Handle, (nuint)capacity, &error);
        Check(error, $"make room for {capacity} vectors");
        SetThreads();
    }

    /// <summary>Adds a vector under a key the graph does not hold; the capacity must have room.</summary>
    public void Add(ulong key, ReadOnlySpan<float> vector)
    {
        CheckDimension(vector.Length);
        using var _ = EnterContext(CancellationToken.None);
        nint error = 0;
        fixed (float* v = vector) usearch_add(Handle, key, v, ScalarF32, &error);
        Check(error, $"add key {key}");
    }

    /// <summary>Removes a key's vector; false when the graph does not hold it.</summary>
    public bool Remove(ulong key)
    {
        using var _ = EnterContext(CancellationToken.None);
        nint error = 0;
        return Checked(usearch_remove(Handle, key, &error), error) > 0;
    }

    /// <summary>Copies a key's vector into <paramref name="vector"/>; false when the graph does not hold it.</summary>
    public bool TryGet(ulong key, Span<float> vector)
    {
        CheckDimension(vector.Length);
        using var _ = EnterContext(CancellationToken.None);
        nint error = 0;
        fixed (float* v = vector) return Checked(usearch_get(Handle, key, 1, v, ScalarF32, &error), error) > 0;
    }

    /// <summary>
    /// The keys of up to <paramref name="keys"/>.Length approximate nearest neighbours, nearest first, with a candidate list
    /// of <paramref name="expansion"/> (HNSW's ef). With <paramref name="allowed"/>, only its keys are returned: the walk
    /// goes on through other vectors until it has ef allowed ones. Returns how many keys were written.
    /// </summary>
    public int Search(ReadOnlySpan<float> query, int expansion, Span<ulong> keys, KeyFilter? allowed, CancellationToken cancellation)
    {
        CheckDimension(query.Length);
        var distances = keys.Length <= 256 ? stackalloc float[keys.Length] : new float[keys.Length];
        while (true)
        {
            _expansionGate.EnterReadLock();
            try
            {
                if (_expansion == expansion)
                {
                    using var _ = EnterContext(cancellation);
                    fixed (float* q = query)
                    fixed (ulong* k = keys)
                    fixed (float* d = distances)
                    {
                        nint error = 0;
                        nuint found = allowed is null
                            ? usearch_search(Handle, q, ScalarF32, (nuint)keys.Length, k, d, &error)
                            : allowed.Search(Handle, q, (nuint)keys.Length, k, d, &error);
                        Check(error, "search the HNSW graph");
                        return (int)found;
                    }
                }
            }
            finally
            {
                _expansionGate.ExitReadLock();
            }
            _expansionGate.EnterWriteLock();
            try
            {
                nint error = 0;
                usearch_change_expansion_search(Handle, (nuint)expansion, &error);
                Check(error, $"set ef = {expansion}");
                _expansion = expansion;
            }
            finally
            {
                _expansionGate.ExitWriteLock();
            }
        }
    }

    /// <summary>Writes the graph to a file. Not while other calls run.</summary>
    public void Save(string path)
    {
        byte[] utf8 = NullTerminated(path);
        nint error = 0;
        fixed (byte* p = utf8) usearch_save(Handle, p, &error);
        Check(error, $"write '{path}'");
    }

    public void Dispose()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle == 0) return;
        nint error = 0;
        usearch_free(handle, &error);
        _contexts.Dispose();
        _expansionGate.Dispose();
        GC.SuppressFinalize(this);
    }

    ~HnswGraph()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle == 0) return;
        nint error = 0;
        usearch_free(handle, &error);
    }

    private static int MetricKind(MetricType metric) => metric switch
    {
        MetricType.L2 => MetricL2sq,
        MetricType.IP => MetricIp,
        MetricType.COSINE => MetricCos,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "HNSW graphs take L2, IP or COSINE."),
    };

    private static InitOptions Options(int dimension, MetricType metric, int connectivity, int expansionAdd) => new()
    {
        MetricKind = MetricKind(metric),
        Quantization = ScalarF32,
        Dimensions = (nuint)dimension,
        Connectivity = (nuint)connectivity,
        ExpansionAdd = (nuint)expansionAdd,
        ExpansionSearch = (nuint)IndexRules.DefaultCandidateFloor,
    };

    private static HnswGraph Wrap(nint handle, nint error, int dimension, MetricType metric, int threads, string what)
    {
        if (error != 0 || handle == 0)
        {
            if (handle != 0) usearch_free(handle, &error);
            throw Failure(error, what);
        }
        return new HnswGraph(handle, dimension, metric, Math.Max(1, threads));
    }

    // One context per caller thread, in the library and here: reserve (and load) may reset them to the machine's count.
    private void SetThreads()
    {
        nint error = 0;
        usearch_change_threads_add(Handle, (nuint)Threads, &error);
        Check(error, "set its thread contexts");
        usearch_change_threads_search(Handle, (nuint)Threads, &error);
        Check(error, "set its thread contexts");
    }

    private ContextLease EnterContext(CancellationToken cancellation)
    {
        _contexts.Wait(cancellation);
        return new ContextLease(_contexts);
    }

    private readonly struct ContextLease(SemaphoreSlim contexts) : IDisposable
    {
        public void Dispose() => contexts.Release();
    }

    private nint Handle
    {
        get
        {
            nint handle = _handle;
            ObjectDisposedException.ThrowIf(handle == 0, this);
            return handle;
        }
    }

    private static nuint Checked(nuint result, nint error)
    {
        Check(error, "use the HNSW graph");
        return result;
    }

    private static void Check(nint error, string what)
    {
        if (error != 0) throw Failure(error, what);
    }

    private static MilvusOpsException Failure(nint error, string what) =>
        new("GraphIndexFailed", ErrorKind.ResourceUnavailable,
            $"USearch could not {what}: {(error == 0 ? "out of memory" : Marshal.PtrToStringUTF8(error))}.");

    private void CheckDimension(int length)
    {
        if (length != Dimension) throw new ArgumentException($"Expected a {Dimension}-d vector; got {length}.");
    }

    private static byte[] NullTerminated(string path)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }
}

/// <summary>
/// The keys a filtered search may return, as a bit set over keys 0..<see cref="Limit"/> (the embedded store's keys are
/// rowids, which SQLite issues densely from 1). The library asks it about each vector it reaches.
/// </summary>
internal sealed unsafe class KeyFilter
{
    private readonly ulong[] _bits;

    public KeyFilter(IEnumerable<long> keys, long limit)
    {
        Limit = limit;
        _bits = new ulong[(limit + 63) / 64];
        foreach (long key in keys)
            if ((ulong)key < (ulong)limit) _bits[key >> 6] |= 1UL << (int)(key & 63);
    }

    /// <summary>Keys at or above this are never allowed.</summary>
    public long Limit { get; }

    internal nuint Search(nint handle, float* query, nuint count, ulong* keys, float* distances, nint* error)
    {
        fixed (ulong* bits = _bits)
        {
            var state = new State { Bits = bits, Limit = (ulong)Limit };
            return usearch_filtered_search(handle, query, ScalarF32, count, &Allowed, &state, keys, distances, error);
        }
    }

    private struct State
    {
        public ulong* Bits;
        public ulong Limit;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Allowed(ulong key, void* state)
    {
        var s = (State*)state;
        return key < s->Limit && (s->Bits[key >> 6] & (1UL << (int)(key & 63))) != 0 ? 1 : 0;
    }
}
