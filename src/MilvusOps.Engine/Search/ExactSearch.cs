using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MilvusOps.Engine.Search;

/// <summary>Which kernels a search uses (internal switch so tests can exercise the scalar fallback).</summary>
internal enum KernelMode
{
    /// <summary>Vector256 kernels when hardware accelerated, otherwise scalar.</summary>
    Auto,

    /// <summary>The scalar fallback (bit-identical results, much slower).</summary>
    Scalar,
}

/// <summary>
/// Exact (brute-force) k-nearest-neighbour search over a <see cref="VectorMatrix"/> with Milvus
/// distance semantics.
/// </summary>
/// <remarks>
/// <para>Metrics: L2 is the squared Euclidean distance, ascending; IP the inner product,
/// descending; COSINE the cosine similarity <c>dot / (|q| |x|)</c>, descending. Under COSINE a
/// zero query or a zero stored vector has similarity 0 with everything (the choice Milvus users
/// get from normalising a zero vector: it neither attracts nor repels).</para>
/// <para>Ties (equal distances) are broken by the lower row position. A (query, row) distance is
/// computed with a summation order that depends only on the query's index in the batch (the first
/// <c>nq - nq % 4</c> queries go through the batch kernels, the rest through the streaming kernel),
/// never on blocks, candidates or threads, so results are deterministic and identical for any
/// <c>maxDegreeOfParallelism</c>. The same query searched alone and inside a batch may differ in
/// the last bits of its distances (float32 rounding of a different summation order).</para>
/// <para>Execution: stored rows are walked in cache-sized blocks; for each block, all queries are
/// run against it four at a time (two rows at a time, eight accumulator chains in registers), so a
/// stored vector is read from memory once per pass whatever the number of queries. Threads split
/// the rows (and, when there are few rows, the queries) and keep their own top-k heaps, merged at
/// the end. A single query is one sequential streaming pass over the rows (one row at a time,
/// four independent accumulator chains), split across threads by rows.</para>
/// </remarks>
public static unsafe class ExactSearch
{
    /// <summary>Bytes of stored rows per cache block (kept well inside a 512 KiB L2).</summary>
    internal static int BlockBytes { get; set; } = 96 * 1024;

    /// <summary>Queries (a multiple of 4) run against each row pair while it is in L1.</summary>
    /// <remarks>Measured on the 2-core EPYC: 8 beats 4 and 16 (16 spills the group out of L1 with
    /// the row pair at 768-d and was slower at 64 queries).</remarks>
    internal const int GroupQueries = 8;

    /// <summary>
    /// Prefetch the next row pair while the group computes on the current one. A batch kernel call
    /// is far longer than the reorder window, so without this the next pair's loads only issue when
    /// the call ends; measured +10-30% queries/s for 8-query batches.
    /// </summary>
    private const bool PrefetchPairs = true;

    /// <summary>Rows per streamed span for a lone query (the sums buffer lives on the stack).</summary>
    private const int StreamSpanRows = 1024;

    /// <summary>Below this many multiply-adds a search runs on the calling thread only.</summary>
    private const long ParallelThreshold = 1L << 18;

    /// <summary>
    /// Exact top-k search.
    /// </summary>
    /// <param name="matrix">The stored vectors.</param>
    /// <param name="queries"><paramref name="nq"/> query vectors, row-major, <c>nq * Dimension</c> floats, all finite.</param>
    /// <param name="nq">Number of queries.</param>
    /// <param name="topK">Hits wanted per query (at least 1); fewer come back when fewer rows are searched.</param>
    /// <param name="metric">Distance semantics.</param>
    /// <param name="candidates">Empty to search every row; otherwise the strictly increasing row
    /// positions to search (a filter that matched nothing must be short-circuited by the caller,
    /// since an empty span means "all rows").</param>
    /// <param name="maxDegreeOfParallelism">Threads to use; values below 1 mean <see cref="Environment.ProcessorCount"/>.</param>
    /// <param name="cancellation">Ctrl+C: looked at before each cache block, so a large batch of queries stops in
    /// milliseconds with an OperationCanceledException.</param>
    /// <returns>One result per query, hits best first.</returns>
    public static SearchResult[] Search(VectorMatrix matrix, ReadOnlySpan<float> queries, int nq, int topK,
        MetricType metric, ReadOnlySpan<int> candidates, int maxDegreeOfParallelism, CancellationToken cancellation = default) =>
        Search(matrix, queries, nq, topK, metric, candidates, maxDegreeOfParallelism, KernelMode.Auto, cancellation);

    internal static SearchResult[] Search(VectorMatrix matrix, ReadOnlySpan<float> queries, int nq, int topK,
        MetricType metric, ReadOnlySpan<int> candidates, int maxDegreeOfParallelism, KernelMode mode, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (metric is not (MetricType.L2 or MetricType.IP or MetricType.COSINE))
        {
            throw new MilvusOpsException("InvalidMetricType", ErrorKind.InvalidArgument, $"Unknown metric type '{metric}'.", metric);
        }
        if (nq < 0)
        {
            throw new MilvusOpsException("InvalidQueryCount", ErrorKind.InvalidArgument, $"The number of queries must not be negative; got {nq}.", nq);
        }
        if (topK < 1)
        {
            throw new MilvusOpsException("InvalidTopK", ErrorKind.InvalidArgument, $"topK must be at least 1; got {topK}.", topK);
        }
        int dim = matrix.Dimension;
        if ((long)nq * dim != queries.Length)
        {
            throw new MilvusOpsException("VectorDimensionMismatch", ErrorKind.InvalidData,
                $"Expected {nq} quer{(nq == 1 ? "y" : "ies")} of dimension {dim} ({(long)nq * dim} floats); got {queries.Length} floats.",
                queries.Length);
        }
        if (!matrix.TryAcquire())
        {
            throw new ObjectDisposedException(nameof(VectorMatrix));
        }
        float* qbuf = null;
        try
        {
            int count = matrix.Count;
            ValidateCandidates(candidates, count);
            int n = candidates.IsEmpty ? count : candidates.Length;
            if (nq == 0)
            {
                return [];
            }
            int k = Math.Min(topK, n);
            if (k == 0)
            {
                var empty = new SearchResult[nq];
                Array.Fill(empty, SearchResult.Empty);
                return empty;
            }

            int stride = matrix.RowStride;
            qbuf = (float*)NativeMemory.AlignedAlloc((nuint)((long)nq * stride * sizeof(float)), VectorMatrix.Alignment);
            if (qbuf is null)
            {
                throw new OutOfMemoryException();
            }
            for (int q = 0; q < nq; q++)
            {
                var dst = new Span<float>(qbuf + ((nint)q * stride), stride);
                queries.Slice(q * dim, dim).CopyTo(dst);
                dst.Slice(dim).Clear();
            }
            float[]? queryNorms = null;
            float[]? rowNorms = null;
            if (metric == MetricType.COSINE)
            {
                queryNorms = new float[nq];
                for (int q = 0; q < nq; q++)
                {
                    queryNorms[q] = Kernels.Norm(qbuf + ((nint)q * stride), stride / 8);
                }
                rowNorms = matrix.GetNorms();
            }

            TopKHeaps[] sets;
            fixed (int* cand = candidates)
            fixed (float* qn = queryNorms)
            fixed (float* rn = rowNorms)
            {
                var ctx = new Context(matrix.Data, stride, qbuf, qn, rn, candidates.IsEmpty ? null : cand, metric,
                    mode == KernelMode.Scalar || !Vector256.IsHardwareAccelerated, nq & ~3, cancellation);
                sets = Run(ctx, n, nq, k, maxDegreeOfParallelism);
            }
            return Merge(sets, nq, k, metric);
        }
        finally
        {
            if (qbuf is not null)
            {
                NativeMemory.AlignedFree(qbuf);
            }
            matrix.Release();
        }
    }

    private static void ValidateCandidates(ReadOnlySpan<int> candidates, int count)
    {
        int previous = -1;
        for (int i = 0; i < candidates.Length; i++)
        {
            int c = candidates[i];
            if (c <= previous || c >= count)
            {
                throw new MilvusOpsException("InvalidCandidates", ErrorKind.InvalidArgument,
                    $"Candidate positions must be strictly increasing and in [0, {count}); entry {i} is {c}.", c);
            }
            previous = c;
        }
    }

    /// <summary>Rows per cache block: a multiple of 4, at least 4.</summary>
    internal static int BlockRows(int stride)
    {
        int rows = BlockBytes / (stride * sizeof(float));
        return Math.Clamp(rows & ~3, 4, 4096);
    }

    private static TopKHeaps[] Run(Context ctx, int n, int nq, int k, int maxDop)
    {
        int dop = maxDop < 1 ? Environment.ProcessorCount : maxDop;
        long work = (long)n * nq * ctx.Stride;
        if (dop == 1 || work < ParallelThreshold || (n < 8 && nq < 8))
        {
            var heaps = new TopKHeaps(nq, k);
            RunRange(ctx, heaps, 0, n, 0, nq);
            return [heaps];
        }

        // Work items: row chunks x query ranges. Rows are split first (each row is then read by one
        // thread per pass); queries are split only when there are too few rows to go round.
        int blockRows = BlockRows(ctx.Stride);
        int target = dop * 4;
        int rowChunks = (int)Math.Clamp((n + (long)blockRows - 1) / blockRows, 1, target);
        int queryQuads = (nq + 3) / 4;
        int queryRanges = 1;
        if (rowChunks < target)
        {
            queryRanges = Math.Min(queryQuads, (target + rowChunks - 1) / rowChunks);
        }
        int quadsPerRange = (queryQuads + queryRanges - 1) / queryRanges;
        queryRanges = (queryQuads + quadsPerRange - 1) / quadsPerRange;
        int items = rowChunks * queryRanges;

        var all = new List<TopKHeaps>(dop);
        try
        {
            RunItems();
        }
        catch (AggregateException ex) when (ctx.Cancellation.IsCancellationRequested && ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            throw new OperationCanceledException(ctx.Cancellation);
        }
        return [.. all];

        void RunItems() => Parallel.For(0, items, new ParallelOptions { MaxDegreeOfParallelism = dop, CancellationToken = ctx.Cancellation },
            () => new TopKHeaps(nq, k),
            (item, _, heaps) =>
            {
                int chunk = item / queryRanges;
                int range = item % queryRanges;
                int r0 = (int)((long)n * chunk / rowChunks);
                int r1 = (int)((long)n * (chunk + 1) / rowChunks);
                int q0 = Math.Min(nq, range * quadsPerRange * 4);
                int q1 = Math.Min(nq, q0 + (quadsPerRange * 4));
                RunRange(ctx, heaps, r0, r1, q0, q1);
                return heaps;
            },
            heaps =>
            {
                lock (all)
                {
                    all.Add(heaps);
                }
            });
    }

    /// <summary>Searches logical rows [i0, i1) for queries [q0, q1), block by block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RunRange(Context ctx, TopKHeaps heaps, int i0, int i1, int q0, int q1)
    {
        if (ctx.Scalar)
        {
            if (ctx.Metric == MetricType.L2)
            {
                ScalarRange<L2Accumulate>(ctx, heaps, i0, i1, q0, q1);
            }
            else
            {
                ScalarRange<DotAccumulate>(ctx, heaps, i0, i1, q0, q1);
            }
            return;
        }
        // One query reuses nothing from cache: stream longer spans so the heap work interrupts
        // the sequential read less often.
        int blockRows = q1 - q0 == 1 ? StreamSpanRows : BlockRows(ctx.Stride);
        for (int b = i0; b < i1; b += blockRows)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            int e = (int)Math.Min(i1, (long)b + blockRows);
            if (ctx.Metric == MetricType.L2)
            {
                Block<L2Accumulate>(ctx, heaps, b, e, q0, q1);
            }
            else
            {
                Block<DotAccumulate>(ctx, heaps, b, e, q0, q1);
            }
        }
    }

    /// <summary>All queries [q0, q1) against the rows of one cache block [b, e).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Block<TAcc>(Context ctx, TopKHeaps heaps, int b, int e, int q0, int q1)
        where TAcc : struct, IAccumulate
    {
        float* sums = stackalloc float[8];
        float* scratch = stackalloc float[e - b];
        int chunks = ctx.Stride / 8;
        nint qStride = ctx.Stride;
        int q = q0;
        int quadLimit = Math.Min(q1, ctx.QuadEnd);
        const int group = GroupQueries;
        for (; q + 4 <= quadLimit; q += group)
        {
            // One group of queries (in L1) against the block, a row pair at a time: each pair is
            // loaded once (from memory for the first group, from L2 for later ones) and used by
            // every quad of the group while it sits in L1.
            int groupEnd = Math.Min(q + group, quadLimit);
            int i = b;
            for (; i + 2 <= e; i += 2)
            {
                int p0 = ctx.PositionOf(i), p1 = ctx.PositionOf(i + 1);
                float* r0 = ctx.RowPtr(p0), r1 = ctx.RowPtr(p1);
                if (PrefetchPairs && i + 4 <= e)
                {
                    Kernels.PrefetchRow(ctx.RowPtr(ctx.PositionOf(i + 2)), qStride);
                    Kernels.PrefetchRow(ctx.RowPtr(ctx.PositionOf(i + 3)), qStride);
                }
                for (int g = q; g < groupEnd; g += 4)
                {
                    Kernels.Q4R2<TAcc>(ctx.Queries + ((nint)g * qStride), qStride, r0, r1, chunks, sums);
                    for (int j = 0; j < 4; j++)
                    {
                        Emit(ctx, heaps, g + j, p0, sums[2 * j]);
                        Emit(ctx, heaps, g + j, p1, sums[(2 * j) + 1]);
                    }
                }
            }
            if (i < e)
            {
                int p0 = ctx.PositionOf(i);
                for (int g = q; g < groupEnd; g += 4)
                {
                    Kernels.Q4R1<TAcc>(ctx.Queries + ((nint)g * qStride), qStride, ctx.RowPtr(p0), chunks, sums);
                    for (int j = 0; j < 4; j++)
                    {
                        Emit(ctx, heaps, g + j, p0, sums[j]);
                    }
                }
            }
        }
        q = Math.Max(q0, quadLimit);
        for (; q < q1; q++)
        {
            float* qp = ctx.Queries + ((nint)q * qStride);
            int* positions = ctx.Candidates is null ? null : ctx.Candidates + b;
            Kernels.StreamRows<TAcc>(qp, ctx.Data, qStride, positions, b, e - b, chunks, scratch);
            EmitStreamed(ctx, heaps, q, b, e, scratch);
        }
    }

    private static void ScalarRange<TAcc>(Context ctx, TopKHeaps heaps, int i0, int i1, int q0, int q1)
        where TAcc : struct, IAccumulate
    {
        int chunks = ctx.Stride / 8;
        int quadEnd = ctx.QuadEnd;
        for (int i = i0; i < i1; i++)
        {
            if ((i & 255) == 0) ctx.Cancellation.ThrowIfCancellationRequested();
            int p = ctx.PositionOf(i);
            float* row = ctx.RowPtr(p);
            for (int q = q0; q < q1; q++)
            {
                int chains = q < quadEnd ? 1 : 4;
                Emit(ctx, heaps, q, p, Kernels.PairScalar<TAcc>(ctx.Queries + ((nint)q * ctx.Stride), row, chunks, chains));
            }
        }
    }

    /// <summary>
    /// Emits a block of streamed sums for one query: a tight key-and-compare loop against the
    /// heap's current threshold, so the rare row that enters the top-k is the only one that
    /// touches the heap (a NaN sum is let through; the heap files it as +infinity, last).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void EmitStreamed(Context ctx, TopKHeaps heaps, int q, int b, int e, float* sums)
    {
        float threshold = heaps.Threshold(q);
        int n = e - b;
        switch (ctx.Metric)
        {
            case MetricType.L2:
                for (int i = 0; i < n; i++)
                {
                    if (!(sums[i] > threshold))
                    {
                        heaps.Offer(q, sums[i], ctx.PositionOf(b + i));
                        threshold = heaps.Threshold(q);
                    }
                }
                break;
            case MetricType.IP:
                for (int i = 0; i < n; i++)
                {
                    if (!(-sums[i] > threshold))
                    {
                        heaps.Offer(q, -sums[i], ctx.PositionOf(b + i));
                        threshold = heaps.Threshold(q);
                    }
                }
                break;
            default:
                for (int i = 0; i < n; i++)
                {
                    int position = ctx.PositionOf(b + i);
                    float key = CosineKey(sums[i], ctx.QueryNorms[q], ctx.RowNorms[position]);
                    if (!(key > threshold))
                    {
                        heaps.Offer(q, key, position);
                        threshold = heaps.Threshold(q);
                    }
                }
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float CosineKey(float dot, float queryNorm, float rowNorm) =>
        queryNorm == 0f || rowNorm == 0f ? -0f : -(float)(dot / ((double)queryNorm * rowNorm));

    /// <summary>Turns a raw sum into a heap key (smaller is better) and offers it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Emit(Context ctx, TopKHeaps heaps, int q, int position, float sum)
    {
        float key;
        switch (ctx.Metric)
        {
            case MetricType.L2:
                key = sum;
                break;
            case MetricType.IP:
                key = -sum;
                break;
            default:
                key = CosineKey(sum, ctx.QueryNorms[q], ctx.RowNorms[position]);
                break;
        }
        heaps.Offer(q, key, position);
    }

    private readonly struct Entry(float key, int position) : IComparable<Entry>
    {
        public readonly float Key = key;
        public readonly int Position = position;

        public int CompareTo(Entry other)
        {
            int c = Key.CompareTo(other.Key);
            return c != 0 ? c : Position.CompareTo(other.Position);
        }
    }

    private static SearchResult[] Merge(TopKHeaps[] sets, int nq, int k, MetricType metric)
    {
        var results = new SearchResult[nq];
        var buffer = new List<Entry>();
        bool negate = metric.IsSimilarity();
        for (int q = 0; q < nq; q++)
        {
            buffer.Clear();
            foreach (TopKHeaps heaps in sets)
            {
                int c = heaps.Count(q);
                for (int i = 0; i < c; i++)
                {
                    buffer.Add(new Entry(heaps.KeyAt(q, i), heaps.PositionAt(q, i)));
                }
            }
            buffer.Sort();
            int take = Math.Min(k, buffer.Count);
            var hits = new ScoredRow[take];
            for (int i = 0; i < take; i++)
            {
                Entry entry = buffer[i];
                hits[i] = new ScoredRow(entry.Position, negate ? -entry.Key : entry.Key);
            }
            results[q] = new SearchResult(hits);
        }
        return results;
    }

    /// <summary>Everything the kernels need, as raw pointers (all pinned or native for the whole search).</summary>
    private sealed class Context(float* data, int stride, float* queries, float* queryNorms, float* rowNorms,
        int* candidates, MetricType metric, bool scalar, int quadEnd, CancellationToken cancellation)
    {
        public readonly CancellationToken Cancellation = cancellation;
        public readonly float* Data = data;
        public readonly int Stride = stride;
        public readonly float* Queries = queries;
        public readonly float* QueryNorms = queryNorms;
        public readonly float* RowNorms = rowNorms;
        public readonly int* Candidates = candidates;
        public readonly MetricType Metric = metric;
        public readonly bool Scalar = scalar;

        /// <summary>Queries [0, QuadEnd) run in quads through the batch kernels, the rest streamed.</summary>
        public readonly int QuadEnd = quadEnd;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int PositionOf(int i) => Candidates is null ? i : Candidates[i];

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* RowPtr(int position) => Data + ((nint)position * Stride);
    }
}
