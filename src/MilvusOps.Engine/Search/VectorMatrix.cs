using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace MilvusOps.Engine.Search;

/// <summary>
/// An append-only matrix of float32 vectors held in one 64-byte-aligned native block, the
/// in-memory form of a loaded collection's vector field that <see cref="ExactSearch"/> scans.
/// </summary>
/// <remarks>
/// <para>Layout: row <c>i</c> starts at element <c>i * RowStride</c>. <see cref="RowStride"/> is the
/// dimension rounded up to a multiple of 8 floats (32 bytes), and the padding is zero, so every
/// row is 32-byte aligned and the search kernels never need a scalar tail. For the usual Milvus
/// dimensions (multiples of 8) there is no padding at all.</para>
/// <para>Offsets are computed as native integers, so the block may exceed 2 GB; a position is an
/// <see cref="int"/>, so a matrix holds at most <see cref="int.MaxValue"/> rows.</para>
/// <para>Thread safety: appending is single-threaded (the store builds the matrix while loading);
/// once built, any number of threads may search it concurrently. Per-row L2 norms (needed by
/// COSINE) are computed lazily, once, under a lock. <see cref="Dispose"/> is safe to call while a
/// search is running: the block is freed when the last search holding it finishes.</para>
/// </remarks>
public sealed unsafe class VectorMatrix : IDisposable
{
    /// <summary>Alignment, in bytes, of the native block.</summary>
    public const int Alignment = 64;

    private const int MaxDimension = 1 << 20;

    private float* _data;
    private long _allocatedBytes;
    private int _capacity;
    private int _count;
    private int _refs = 1;          // the owner's reference plus one per running search
    private int _disposeRequested;
    private readonly object _normLock = new();
    private volatile NormCache? _norms;

    /// <summary>Creates an empty matrix that can hold <paramref name="capacity"/> rows before it grows.</summary>
    public VectorMatrix(int dimension, int capacity = 0)
    {
        if (dimension < 1 || dimension > MaxDimension)
        {
            throw new MilvusOpsException("InvalidDimension", ErrorKind.InvalidArgument,
                $"A vector dimension must be between 1 and {MaxDimension}; got {dimension}.", dimension);
        }
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Dimension = dimension;
        RowStride = (dimension + 7) & ~7;
        Reallocate(Math.Max(capacity, 1));
    }

    ~VectorMatrix()
    {
        // Unreachable, so no search can hold it: free unconditionally.
        FreeBlock();
    }

    /// <summary>Number of float32 components per vector.</summary>
    public int Dimension { get; }

    /// <summary>Distance, in floats, between the starts of consecutive rows (dimension rounded up to 8).</summary>
    public int RowStride { get; }

    /// <summary>Number of rows appended so far.</summary>
    public int Count => _count;

    /// <summary>Number of rows the native block can hold before it is reallocated.</summary>
    public int Capacity => _capacity;

    /// <summary>Bytes this matrix keeps resident: the native block plus the norm cache, if computed.</summary>
    public long ResidentBytes
    {
        get
        {
            NormCache? norms = _norms;
            return Volatile.Read(ref _allocatedBytes) + (norms is null ? 0 : (long)norms.Values.Length * sizeof(float));
        }
    }

    /// <summary>True once <see cref="Dispose"/> has been called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposeRequested) != 0;

    internal float* Data => _data;

    /// <summary>Address of the native block (for alignment checks without unsafe code).</summary>
    internal nint DataAddress => (nint)_data;

    /// <summary>Element <paramref name="index"/> of the raw block, padding included (for tests).</summary>
    internal float RawElement(long index) => _data[index];

    /// <summary>The components of row <paramref name="index"/> (valid until the matrix grows or is disposed).</summary>
    public ReadOnlySpan<float> Row(int index)
    {
        ThrowIfDisposed();
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Row index must be in [0, {_count}).");
        }
        return new ReadOnlySpan<float>(_data + (nint)index * RowStride, Dimension);
    }

    /// <summary>Appends one vector and returns its position.</summary>
    public int Append(ReadOnlySpan<float> row)
    {
        ThrowIfDisposed();
        if (row.Length != Dimension)
        {
            throw DimensionMismatch(row.Length);
        }
        float* dst = PrepareRow();
        row.CopyTo(new Span<float>(dst, Dimension));
        return _count++;
    }

    /// <summary>
    /// Appends one vector given as the store's BLOB encoding: <c>Dimension</c> float32 values,
    /// little-endian (4 * Dimension bytes). On little-endian hosts this is a straight copy.
    /// </summary>
    public int Append(ReadOnlySpan<byte> littleEndianFloat32Blob)
    {
        ThrowIfDisposed();
        if (littleEndianFloat32Blob.Length != Dimension * sizeof(float))
        {
            throw new MilvusOpsException("VectorDimensionMismatch", ErrorKind.InvalidData,
                $"A float32 vector BLOB of dimension {Dimension} must be {Dimension * sizeof(float)} bytes; got {littleEndianFloat32Blob.Length}.",
                littleEndianFloat32Blob.Length);
        }
        float* dst = PrepareRow();
        if (BitConverter.IsLittleEndian)
        {
            littleEndianFloat32Blob.CopyTo(new Span<byte>(dst, Dimension * sizeof(float)));
        }
        else
        {
            for (int i = 0; i < Dimension; i++)
            {
                dst[i] = BinaryPrimitives.ReadSingleLittleEndian(littleEndianFloat32Blob.Slice(i * sizeof(float)));
            }
        }
        return _count++;
    }

    /// <summary>Moves row i to row <paramref name="destination"/>[i], in place, following each cycle with two rows of
    /// scratch: a load that reads rows in one order and keeps them in another. Before the norms are first computed.</summary>
    internal void Permute(ReadOnlySpan<int> destination)
    {
        ThrowIfDisposed();
        if (destination.Length != _count) throw new ArgumentException($"One destination per row ({_count}) is required.", nameof(destination));
        if (_norms is not null) throw new InvalidOperationException("The rows' norms were computed before they were moved.");
        var done = new bool[_count];
        var carried = new float[RowStride];
        var displaced = new float[RowStride];
        for (int start = 0; start < _count; start++)
        {
            if (done[start]) continue;
            RowWithPadding(start).CopyTo(carried);
            int at = start;
            do
            {
                int to = destination[at];
                var target = RowWithPadding(to);
                target.CopyTo(displaced);
                carried.CopyTo(target);
                (carried, displaced) = (displaced, carried);
                done[at] = true;
                at = to;
            } while (at != start);
        }
    }

    private Span<float> RowWithPadding(int index) => new(_data + (nint)index * RowStride, RowStride);

    /// <summary>Shrinks the native block to exactly <see cref="Count"/> rows (call once loading is done).</summary>
    public void TrimExcess()
    {
        ThrowIfDisposed();
        if (_capacity > Math.Max(_count, 1))
        {
            Reallocate(Math.Max(_count, 1));
        }
    }

    /// <summary>The L2 norm of row <paramref name="index"/> (computes the norm cache on first use).</summary>
    public float Norm(int index)
    {
        ThrowIfDisposed();
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Row index must be in [0, {_count}).");
        }
        return GetNorms()[index];
    }

    /// <summary>
    /// Per-row L2 norms, indexed by position, covering at least <see cref="Count"/> rows. Computed
    /// once (and extended for rows appended later) under a lock; lock-free afterwards.
    /// </summary>
    internal float[] GetNorms()
    {
        NormCache? cache = _norms;
        int count = _count;
        if (cache is not null && cache.Count >= count)
        {
            return cache.Values;
        }
        lock (_normLock)
        {
            cache = _norms;
            if (cache is not null && cache.Count >= count)
            {
                return cache.Values;
            }
            int done = cache?.Count ?? 0;
            float[] values = cache is not null && cache.Values.Length >= count ? cache.Values : new float[Math.Max(count, 1)];
            if (cache is not null && !ReferenceEquals(values, cache.Values))
            {
                Array.Copy(cache.Values, values, done);
            }
            int chunks = RowStride / 8;
            for (int i = done; i < count; i++)
            {
                values[i] = Kernels.Norm(_data + (nint)i * RowStride, chunks);
            }
            _norms = new NormCache(values, count);
            return values;
        }
    }

    /// <summary>Takes a reference that keeps the native block alive; false once disposed.</summary>
    internal bool TryAcquire()
    {
        while (true)
        {
            int refs = Volatile.Read(ref _refs);
            if (refs == 0 || Volatile.Read(ref _disposeRequested) != 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _refs, refs + 1, refs) == refs)
            {
                return true;
            }
        }
    }

    internal void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0)
        {
            FreeBlock();
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>Frees the native block (at once, or when the last running search finishes).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposeRequested, 1) == 0)
        {
            Release();
        }
    }

    private float* PrepareRow()
    {
        if (_count == _capacity)
        {
            if (_capacity == int.MaxValue)
            {
                throw new MilvusOpsException("MatrixFull", ErrorKind.InvalidOperation,
                    "A vector matrix holds at most int.MaxValue rows.");
            }
            long grown = Math.Min(int.MaxValue, Math.Max(16L, (long)_capacity * 3 / 2 + 1));
            Reallocate((int)grown);
        }
        float* dst = _data + (nint)_count * RowStride;
        if (RowStride != Dimension)
        {
            new Span<float>(dst + Dimension, RowStride - Dimension).Clear();
        }
        return dst;
    }

    private void Reallocate(int rows)
    {
        long bytes = (long)rows * RowStride * sizeof(float);
        void* block = _data is null
            ? NativeMemory.AlignedAlloc((nuint)bytes, Alignment)
            : NativeMemory.AlignedRealloc(_data, (nuint)bytes, Alignment);
        if (block is null)
        {
            throw new OutOfMemoryException($"Could not allocate {bytes} bytes for a vector matrix.");
        }
        long old = _allocatedBytes;
        _data = (float*)block;
        _capacity = rows;
        Volatile.Write(ref _allocatedBytes, bytes);
        if (bytes > old)
        {
            GC.AddMemoryPressure(bytes - old);
        }
        else if (bytes < old)
        {
            GC.RemoveMemoryPressure(old - bytes);
        }
    }

    private void FreeBlock()
    {
        float* data = _data;
        if (data is null)
        {
            return;
        }
        _data = null;
        NativeMemory.AlignedFree(data);
        long bytes = Interlocked.Exchange(ref _allocatedBytes, 0);
        if (bytes > 0)
        {
            GC.RemoveMemoryPressure(bytes);
        }
        _count = 0;
        _capacity = 0;
        _norms = null;
    }

    private void ThrowIfDisposed()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposeRequested) != 0, this);
    }

    private MilvusOpsException DimensionMismatch(int got) =>
        new("VectorDimensionMismatch", ErrorKind.InvalidData,
            $"Expected a vector of dimension {Dimension}; got {got}.", got);

    private sealed class NormCache(float[] values, int count)
    {
        public float[] Values { get; } = values;
        public int Count { get; } = count;
    }
}
