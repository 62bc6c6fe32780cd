using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace MilvusOps.Engine.Search;

/// <summary>
/// How one (query, row) sum is accumulated; implemented by value types so the JIT specialises
/// every kernel per metric family.
/// </summary>
internal interface IAccumulate
{
    static abstract Vector256<float> Step(Vector256<float> acc, Vector256<float> q, Vector256<float> x);

    static abstract float Step(float acc, float q, float x);
}

/// <summary>acc += q * x (IP and COSINE).</summary>
internal readonly struct DotAccumulate : IAccumulate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> acc, Vector256<float> q, Vector256<float> x) => Kernels.MulAdd(q, x, acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float acc, float q, float x) => Kernels.MulAdd(q, x, acc);
}

/// <summary>acc += (q - x)^2 (L2, computed directly rather than through norms to avoid cancellation).</summary>
internal readonly struct L2Accumulate : IAccumulate
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Step(Vector256<float> acc, Vector256<float> q, Vector256<float> x)
    {
        Vector256<float> d = q - x;
        return Kernels.MulAdd(d, d, acc);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Step(float acc, float q, float x)
    {
        float d = q - x;
        return Kernels.MulAdd(d, d, acc);
    }
}

/// <summary>
/// Micro-kernels. Batch kernels (4 queries x 2 or 1 rows) sum each pair in eight lanes, one
/// accumulator chain over the row's 8-float chunks in order; the streaming kernel (1 query x 1 row)
/// uses four chains of eight lanes. Both end with the fixed reduction
/// <c>((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7))</c>. Which kernel computes a pair depends only on the
/// query's index in the batch (quads vs remainder), never on how rows were split across blocks or
/// threads, so results do not depend on the degree of parallelism; the scalar fallback emulates
/// the same lanes and chains and is bit-identical to the vector path. Row and query pointers are
/// 32-byte aligned and zero-padded to whole chunks.
/// </summary>
internal static unsafe class Kernels
{
    /// <summary>True when scalar multiply-add should be fused to match the vector path.</summary>
    private static readonly bool ScalarFused = Fma.IsSupported || AdvSimd.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) =>
        Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MulAdd(float a, float b, float c) =>
        ScalarFused ? MathF.FusedMultiplyAdd(a, b, c) : (a * b) + c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector256<float> v)
    {
        Vector128<float> s = v.GetLower() + v.GetUpper();                 // s_i = l_i + l_{i+4}
        Vector128<float> t = s + Vector128.Shuffle(s, Vector128.Create(2, 3, 0, 1)); // t0 = s0+s2, t1 = s1+s3
        return t.ToScalar() + t.GetElement(1);
    }

    /// <summary>The same reduction as <see cref="Sum(Vector256{float})"/> over eight scalar lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(float* l) => ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));

    /// <summary>L2 norm of one padded row, with the same lane structure as the dot kernels.</summary>
    public static float Norm(float* row, int chunks)
    {
        float sum;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> acc = Vector256<float>.Zero;
            for (nint c = 0, end = (nint)chunks * 8; c < end; c += 8)
            {
                Vector256<float> x = Vector256.Load(row + c);
                acc = MulAdd(x, x, acc);
            }
            sum = Sum(acc);
        }
        else
        {
            sum = PairScalar<DotAccumulate>(row, row, chunks, 1);
        }
        return MathF.Sqrt(sum);
    }

    // ---------------------------------------------------------------- vector kernels

    /// <summary>Four queries (consecutive, <paramref name="qStride"/> floats apart) against two rows; 8 sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q4R2<TAcc>(float* q, nint qStride, float* r0, float* r1, int chunks, float* sums)
        where TAcc : struct, IAccumulate
    {
        Vector256<float> a00 = default, a01 = default, a10 = default, a11 = default;
        Vector256<float> a20 = default, a21 = default, a30 = default, a31 = default;
        float* q1 = q + qStride, q2 = q1 + qStride, q3 = q2 + qStride;
        for (nint c = 0, end = (nint)chunks * 8; c < end; c += 8)
        {
            Vector256<float> x0 = Vector256.Load(r0 + c);
            Vector256<float> x1 = Vector256.Load(r1 + c);
            Vector256<float> v = Vector256.Load(q + c);
            a00 = TAcc.Step(a00, v, x0);
            a01 = TAcc.Step(a01, v, x1);
            v = Vector256.Load(q1 + c);
            a10 = TAcc.Step(a10, v, x0);
            a11 = TAcc.Step(a11, v, x1);
            v = Vector256.Load(q2 + c);
            a20 = TAcc.Step(a20, v, x0);
            a21 = TAcc.Step(a21, v, x1);
            v = Vector256.Load(q3 + c);
            a30 = TAcc.Step(a30, v, x0);
            a31 = TAcc.Step(a31, v, x1);
        }
        sums[0] = Sum(a00); sums[1] = Sum(a01);
        sums[2] = Sum(a10); sums[3] = Sum(a11);
        sums[4] = Sum(a20); sums[5] = Sum(a21);
        sums[6] = Sum(a30); sums[7] = Sum(a31);
    }

    /// <summary>Four queries against one row; 4 sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Q4R1<TAcc>(float* q, nint qStride, float* r0, int chunks, float* sums)
        where TAcc : struct, IAccumulate
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        float* q1 = q + qStride, q2 = q1 + qStride, q3 = q2 + qStride;
        for (nint c = 0, end = (nint)chunks * 8; c < end; c += 8)
        {
            Vector256<float> x0 = Vector256.Load(r0 + c);
            a0 = TAcc.Step(a0, Vector256.Load(q + c), x0);
            a1 = TAcc.Step(a1, Vector256.Load(q1 + c), x0);
            a2 = TAcc.Step(a2, Vector256.Load(q2 + c), x0);
            a3 = TAcc.Step(a3, Vector256.Load(q3 + c), x0);
        }
        sums[0] = Sum(a0); sums[1] = Sum(a1); sums[2] = Sum(a2); sums[3] = Sum(a3);
    }

    /// <summary>
    /// One query against one row with four independent accumulator chains (chunk c feeds chain
    /// c mod 4, reduced as <c>(a0+a1)+(a2+a3)</c>): the single-query streaming kernel. Rows are read
    /// strictly sequentially, one at a time, which the hardware prefetchers follow at full speed
    /// (interleaving several rows measured 25% slower), and four chains hide the FMA latency.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Stream<TAcc>(float* q, float* r, int chunks)
        where TAcc : struct, IAccumulate
    {
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default;
        nint end = (nint)chunks * 8;
        nint c = 0;
        for (; c + 32 <= end; c += 32)
        {
            a0 = TAcc.Step(a0, Vector256.Load(q + c), Vector256.Load(r + c));
            a1 = TAcc.Step(a1, Vector256.Load(q + c + 8), Vector256.Load(r + c + 8));
            a2 = TAcc.Step(a2, Vector256.Load(q + c + 16), Vector256.Load(r + c + 16));
            a3 = TAcc.Step(a3, Vector256.Load(q + c + 24), Vector256.Load(r + c + 24));
        }
        if (c < end)
        {
            a0 = TAcc.Step(a0, Vector256.Load(q + c), Vector256.Load(r + c));
            c += 8;
            if (c < end)
            {
                a1 = TAcc.Step(a1, Vector256.Load(q + c), Vector256.Load(r + c));
                c += 8;
                if (c < end)
                {
                    a2 = TAcc.Step(a2, Vector256.Load(q + c), Vector256.Load(r + c));
                }
            }
        }
        return Sum((a0 + a1) + (a2 + a3));
    }

    /// <summary>
    /// <see cref="Stream{TAcc}"/> over <paramref name="n"/> rows, sums to <paramref name="sums"/>:
    /// contiguous rows from <paramref name="first"/> when <paramref name="positions"/> is null,
    /// otherwise the listed positions. Kept free of heap work so the loads stream back to back.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void StreamRows<TAcc>(float* q, float* data, nint stride, int* positions, int first, int n, int chunks, float* sums)
        where TAcc : struct, IAccumulate
    {
        if (positions is null)
        {
            float* r = data + (first * stride);
            for (int i = 0; i < n; i++, r += stride)
            {
                sums[i] = Stream<TAcc>(q, r, chunks);
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                sums[i] = Stream<TAcc>(q, data + (positions[i] * stride), chunks);
            }
        }
    }

    /// <summary>Asks for every cache line of a row ahead of use (no-op without SSE).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void PrefetchRow(float* row, nint floats)
    {
        if (Sse.IsSupported)
        {
            for (nint c = 0; c < floats; c += 16)
            {
                Sse.Prefetch0(row + c);
            }
        }
    }

    // ---------------------------------------------------------------- scalar fallback

    /// <summary>
    /// One pair, emulating the vector lanes exactly: with <paramref name="chains"/> = 1 the 4x2/4x1
    /// batch kernels, with 4 the <see cref="Stream{TAcc}"/> kernel.
    /// </summary>
    public static float PairScalar<TAcc>(float* q, float* r, int chunks, int chains)
        where TAcc : struct, IAccumulate
    {
        float* lanes = stackalloc float[32];
        for (int l = 0; l < 32; l++)
        {
            lanes[l] = 0f;
        }
        for (nint c = 0, end = (nint)chunks * 8; c < end; c += 8)
        {
            float* acc = lanes + (chains == 1 ? 0 : ((c / 8) & 3) * 8);
            for (int l = 0; l < 8; l++)
            {
                acc[l] = TAcc.Step(acc[l], q[c + l], r[c + l]);
            }
        }
        if (chains != 1)
        {
            for (int l = 0; l < 8; l++)
            {
                lanes[l] = (lanes[l] + lanes[8 + l]) + (lanes[16 + l] + lanes[24 + l]);
            }
        }
        return Sum(lanes);
    }
}
