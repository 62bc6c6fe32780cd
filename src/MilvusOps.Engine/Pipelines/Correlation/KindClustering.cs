using MilvusOps.Engine.Search;

namespace MilvusOps.Engine.Pipelines.Correlation;

/// <summary>
/// Sorts patterns into kinds of alike ones, in the order given: each joins the nearest alike kind begun before it, else it
/// begins one and represents it. The representatives are held in a matrix, and each chunk of patterns is searched against
/// it at once with the exact kernel; the kinds a chunk begins are compared one by one within it.
/// </summary>
internal static class KindClustering
{
    private const int Chunk = 256;

    /// <summary>Each pattern's kind (numbered in the order the kinds begin), and each kind's representative.</summary>
    public static (int[] KindOf, List<int> Representatives) Assign(TimedEvents events, IReadOnlyList<int> patterns, CancellationToken cancellation)
    {
        var kindOf = new int[patterns.Count];
        var representatives = new List<int>();
        if (patterns.Count == 0) return (kindOf, representatives);
        int dimension = events[patterns[0]].Vector.Length;
        using var matrix = new VectorMatrix(dimension);
        var queries = new float[Chunk * dimension];
        for (int start = 0; start < patterns.Count; start += Chunk)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(Chunk, patterns.Count - start), known = representatives.Count;
            for (int i = 0; i < count; i++) events[patterns[start + i]].Vector.AsSpan().CopyTo(queries.AsSpan(i * dimension));
            var nearest = known == 0 ? null
                : ExactSearch.Search(matrix, queries.AsSpan(0, count * dimension), count, 1, events.Metric, ReadOnlySpan<int>.Empty, 0, cancellation);
            for (int i = 0; i < count; i++)
            {
                var vector = events[patterns[start + i]].Vector;
                int kind = -1;
                double best = 0;
                if (nearest?[i].Hits is [var hit, ..] && events.Alike(hit.Distance)) (kind, best) = (hit.Position, hit.Distance);
                for (int fresh = known; fresh < representatives.Count; fresh++)
                {
                    double score = events.Score(vector, events[representatives[fresh]].Vector);
                    if (events.Alike(score) && (kind < 0 || events.Nearer(score, best))) (kind, best) = (fresh, score);
                }
                if (kind < 0)
                {
                    kind = representatives.Count;
                    representatives.Add(patterns[start + i]);
                }
                kindOf[start + i] = kind;
            }
            for (int fresh = known; fresh < representatives.Count; fresh++) matrix.Append(events[representatives[fresh]].Vector);
        }
        return (kindOf, representatives);
    }
}
