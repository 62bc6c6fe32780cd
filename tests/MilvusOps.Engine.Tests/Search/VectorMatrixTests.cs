using MilvusOps.Engine.Search;

namespace MilvusOps.Engine.Tests.Search;

public class VectorMatrixTests
{
    [Fact]
    public void RowsAreAlignedPaddedAndReadBack()
    {
        using var m = new VectorMatrix(5, 2);
        Assert.Equal(8, m.RowStride);
        Assert.Equal(0, (long)m.DataAddress % VectorMatrix.Alignment);
        Assert.Equal(0, m.Append([1f, 2f, 3f, 4f, 5f]));
        Assert.Equal(1, m.Append([6f, 7f, 8f, 9f, 10f]));
        Assert.Equal(2, m.Count);
        Assert.Equal([1f, 2f, 3f, 4f, 5f], m.Row(0).ToArray());
        Assert.Equal([6f, 7f, 8f, 9f, 10f], m.Row(1).ToArray());
        // The padding after each row is zero.
        Assert.Equal(0f, m.RawElement(5));
        Assert.Equal(0f, m.RawElement(8 + 7));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Row(-1));
    }

    [Fact]
    public void BlobAppendEqualsFloatAppend()
    {
        float[] v = [1.5f, -2.25f, float.Epsilon, 3e38f, -0f, 7f, 8f];
        byte[] blob = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(blob.AsSpan(i * 4), v[i]);
        }
        using var m = new VectorMatrix(v.Length);
        m.Append(blob);
        m.Append(v);
        Assert.Equal(v, m.Row(0).ToArray());
        Assert.True(m.Row(0).SequenceEqual(m.Row(1)));

        var e = Assert.Throws<MilvusOpsException>(() => m.Append(new byte[blob.Length - 1]));
        Assert.Equal("VectorDimensionMismatch", e.ErrorId);
        e = Assert.Throws<MilvusOpsException>(() => m.Append(new float[v.Length + 1]));
        Assert.Equal("VectorDimensionMismatch", e.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, e.Kind);
    }

    [Fact]
    public void GrowsBeyondCapacityAndTrims()
    {
        using var m = new VectorMatrix(3, 1);
        for (int i = 0; i < 1000; i++)
        {
            m.Append([i, i + 1, i + 2]);
        }
        Assert.Equal(1000, m.Count);
        Assert.True(m.Capacity >= 1000);
        Assert.Equal(0, (long)m.DataAddress % VectorMatrix.Alignment);
        m.TrimExcess();
        Assert.Equal(1000, m.Capacity);
        Assert.Equal(1000L * 8 * sizeof(float), m.ResidentBytes);
        for (int i = 0; i < 1000; i += 97)
        {
            Assert.Equal([i, i + 1, i + 2], m.Row(i).ToArray());
        }
    }

    [Fact]
    public void NormsAreComputedOnceAndExtendedForNewRows()
    {
        using var m = new VectorMatrix(2);
        m.Append([3f, 4f]);
        Assert.Equal(5f, m.Norm(0));
        long before = m.ResidentBytes;
        m.Append([0f, 0f]);
        m.Append([6f, 8f]);
        Assert.Equal(0f, m.Norm(1));
        Assert.Equal(10f, m.Norm(2));
        Assert.True(m.ResidentBytes >= before);

        // Concurrent first use from many threads computes consistent norms.
        using var big = new VectorMatrix(16);
        var rng = new Random(1);
        for (int i = 0; i < 5000; i++)
        {
            big.Append(Enumerable.Range(0, 16).Select(_ => (float)rng.NextDouble()).ToArray());
        }
        float[][] seen = new float[8][];
        Parallel.For(0, 8, t => seen[t] = big.GetNorms());
        Assert.All(seen, s => Assert.Same(seen[0], s));
        Assert.Equal(MathF.Sqrt(big.Row(4321).ToArray().Sum(x => x * x)), big.Norm(4321), 5);
    }

    [Fact]
    public void UseAfterDisposeThrows()
    {
        var m = new VectorMatrix(4, 10);
        m.Append([1f, 2f, 3f, 4f]);
        Assert.True(m.ResidentBytes > 0);
        m.Dispose();
        m.Dispose();
        Assert.True(m.IsDisposed);
        Assert.Equal(0, m.ResidentBytes);
        Assert.Throws<ObjectDisposedException>(() => m.Row(0));
        Assert.Throws<ObjectDisposedException>(() => m.Append([1f, 2f, 3f, 4f]));
        Assert.Throws<ObjectDisposedException>(() => m.Norm(0));
        Assert.Throws<ObjectDisposedException>(() =>
            ExactSearch.Search(m, [1f, 2f, 3f, 4f], 1, 1, MetricType.L2, ReadOnlySpan<int>.Empty, 1));
    }

    [Fact]
    public void DisposeDuringSearchDefersTheFree()
    {
        var m = new VectorMatrix(4);
        m.Append([1f, 2f, 3f, 4f]);
        Assert.True(m.TryAcquire());
        m.Dispose();
        // The block is still alive for the holder of the lease.
        Assert.True(m.ResidentBytes > 0);
        Assert.False(m.TryAcquire());
        m.Release();
        Assert.Equal(0, m.ResidentBytes);
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        Assert.Equal("InvalidDimension", Assert.Throws<MilvusOpsException>(() => new VectorMatrix(0)).ErrorId);
        Assert.Throws<ArgumentOutOfRangeException>(() => new VectorMatrix(4, -1));
    }

    [Fact]
    public void LayoutUsesNativeOffsets()
    {
        // Offsets are nint: a row index times the stride is never computed in 32 bits.
        using var m = new VectorMatrix(1024, 4);
        for (int i = 0; i < 4; i++)
        {
            m.Append(Enumerable.Repeat((float)i, 1024).ToArray());
        }
        Assert.Equal(3f, m.RawElement(3L * 1024));
        Assert.Equal(3f, m.RawElement((4L * 1024) - 1));
        Assert.Equal(4096L * sizeof(float), m.ResidentBytes);
    }
}
