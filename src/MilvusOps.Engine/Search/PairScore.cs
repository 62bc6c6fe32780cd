using System.Numerics;

namespace MilvusOps.Engine.Search;

/// <summary>The score of two vectors as a search reports it (L2: the squared distance, lower is nearer; IP and COSINE:
/// the similarity, higher is nearer), and whether a score is at least as near as a threshold.</summary>
public static class PairScore
{
    public static double Of(MetricType metric, ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        switch (metric)
        {
            case MetricType.L2:
                var sums = Vector<float>.Zero;
                int d = 0;
                for (; d <= a.Length - Vector<float>.Count; d += Vector<float>.Count)
                {
                    var delta = new Vector<float>(a.Slice(d)) - new Vector<float>(b.Slice(d));
                    sums += delta * delta;
                }
                double sum = Vector.Sum(sums);
                for (; d < a.Length; d++) sum += (a[d] - b[d]) * (a[d] - b[d]);
                return sum;
            case MetricType.IP:
                return Dot(a, b);
            default:
                double norms = Math.Sqrt(Dot(a, a) * Dot(b, b));
                return norms == 0 ? 0 : Dot(a, b) / norms;
        }
    }

    /// <summary>True when <paramref name="score"/> is nearer than <paramref name="other"/>: lower for L2, higher otherwise.</summary>
    public static bool Nearer(MetricType metric, double score, double other) => metric == MetricType.L2 ? score < other : score > other;

    /// <summary>True when <paramref name="score"/> is as near as <paramref name="threshold"/> or nearer.</summary>
    public static bool Within(MetricType metric, double score, double threshold) => !Nearer(metric, threshold, score);

    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sums = Vector<float>.Zero;
        int d = 0;
        for (; d <= a.Length - Vector<float>.Count; d += Vector<float>.Count)
            sums += new Vector<float>(a.Slice(d)) * new Vector<float>(b.Slice(d));
        double sum = Vector.Sum(sums);
        for (; d < a.Length; d++) sum += a[d] * b[d];
        return sum;
    }
}
