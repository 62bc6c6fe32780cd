namespace MilvusOps.Tests.Shared;

/// <summary>
/// Deterministic vectors with the structure real embeddings have, so that recall means something: each lies near a
/// low-rank subspace, around one of several planted cluster centres, plus full-rank noise. Uniform random vectors in
/// 512 dimensions are all nearly equidistant, which makes every index look bad and every recall figure meaningless.
/// </summary>
/// <remarks>Row <c>i</c> depends only on the seed and <c>i</c>, so any row of a 10M set can be made again without
/// holding the set (queries are rows of another seed).</remarks>
public sealed class StructuredVectors
{
    private readonly float[][] _basis;     // rank × dimension
    private readonly float[][] _centres;   // clusters × rank
    private readonly int _seed;

    public StructuredVectors(int dimension, int seed, int rank = 24, int clusters = 64)
    {
        Dimension = dimension;
        Clusters = clusters;
        _seed = seed;
        var random = new Random(seed);
        _basis = new float[rank][];
        for (int r = 0; r < rank; r++) _basis[r] = Gaussians(random, dimension, 1 / Math.Sqrt(dimension));
        _centres = new float[clusters][];
        for (int c = 0; c < clusters; c++) _centres[c] = Gaussians(random, rank, 3);
    }

    public int Dimension { get; }
    public int Clusters { get; }

    /// <summary>The cluster row <paramref name="index"/> was planted in.</summary>
    public int ClusterOf(long index) => (int)((ulong)Mix(index) % (ulong)Clusters);

    /// <summary>Writes row <paramref name="index"/> into <paramref name="vector"/>.</summary>
    public void Row(long index, Span<float> vector)
    {
        var random = new Random(Mix(index) & int.MaxValue);
        var centre = _centres[ClusterOf(index)];
        vector.Clear();
        for (int r = 0; r < _basis.Length; r++)
        {
            float weight = centre[r] + (float)(Gaussian(random) * 0.7);
            var axis = _basis[r];
            for (int d = 0; d < vector.Length; d++) vector[d] += weight * axis[d];
        }
        double noise = 0.25 / Math.Sqrt(Dimension);
        for (int d = 0; d < vector.Length; d++) vector[d] += (float)(Gaussian(random) * noise);
    }

    public float[] Row(long index)
    {
        var vector = new float[Dimension];
        Row(index, vector);
        return vector;
    }

    private int Mix(long index)
    {
        ulong x = (ulong)index * 0x9E3779B97F4A7C15UL ^ (ulong)_seed * 0xBF58476D1CE4E5B9UL;
        x ^= x >> 31;
        x *= 0x94D049BB133111EBUL;
        return (int)(x ^ (x >> 29));
    }

    private static float[] Gaussians(Random random, int count, double scale)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(Gaussian(random) * scale);
        return values;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
