
namespace MilvusOps.Engine.Tests.Search;

/// <summary>An independent double-precision brute force, the oracle for the kernels.</summary>
internal static class NaiveSearch
{
    public static double Distance(MetricType metric, ReadOnlySpan<float> q, ReadOnlySpan<float> x)
    {
        double dot = 0, qq = 0, xx = 0, l2 = 0;
        for (int i = 0; i < q.Length; i++)
        {
            double a = q[i], b = x[i];
            dot += a * b;
            qq += a * a;
            xx += b * b;
            l2 += (a - b) * (a - b);
        }
        return metric switch
        {
            MetricType.L2 => l2,
            MetricType.IP => dot,
            _ => qq == 0 || xx == 0 ? 0 : dot / (Math.Sqrt(qq) * Math.Sqrt(xx)),
        };
    }

    /// <summary>All candidates of one query, in Milvus order, ties by lower position.</summary>
    public static (int Position, double Distance)[] Rank(MetricType metric, float[][] rows, ReadOnlySpan<float> q, int[]? candidates)
    {
        IEnumerable<int> positions = candidates ?? Enumerable.Range(0, rows.Length);
        var all = new List<(int Position, double Distance)>();
        foreach (int p in positions)
        {
            all.Add((p, Distance(metric, q, rows[p])));
        }
        all.Sort((a, b) =>
        {
            int c = metric.IsSimilarity() ? b.Distance.CompareTo(a.Distance) : a.Distance.CompareTo(b.Distance);
            return c != 0 ? c : a.Position.CompareTo(b.Position);
        });
        return [.. all];
    }
}
