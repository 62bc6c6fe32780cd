namespace MilvusOps.Engine.Pipelines.Correlation;

/// <summary>
/// The candidate groups of <see cref="CorrelationFinder"/>: the closed sets of kinds, those that occur together in at least
/// the least support's occurrences, with no other kind in every one of them. A closed set is what its occurrences share, so
/// a chain is one even when a chance kind joined each of its occurrences and it never occurred alone; kinds that always come
/// with another kind are found with it. Each set is met once, by prefix-preserving closure extension (LCM: Uno, Asai, Uchida
/// and Arimura, 2004), so the work follows the closed sets there are, not every subset of them.
/// </summary>
internal static class ClosedKindSets
{
    /// <param name="occurrences">Each occurrence's kinds, ascending.</param>
    /// <param name="occurrencesOf">Each kind's occurrences, ascending.</param>
    /// <returns>Each closed set (ascending), with the occurrences holding it (ascending).</returns>
    public static IEnumerable<(int[] Kinds, int[] Holding)> Enumerate(IReadOnlyList<int[]> occurrences, IReadOnlyList<List<int>> occurrencesOf,
        int minSupport, CancellationToken cancellation)
    {
        var counts = new int[occurrencesOf.Count];
        var all = Enumerable.Range(0, occurrences.Count).ToArray();
        if (all.Length < minSupport) yield break;
        var pending = new Stack<(int[] Kinds, int[] Holding, int Core)>();
        pending.Push((Closure(occurrences, all), all, -1));
        while (pending.TryPop(out var node))
        {
            cancellation.ThrowIfCancellationRequested();
            if (node.Kinds.Length > 0) yield return (node.Kinds, node.Holding);
            // Extend by each kind after the core that enough of the node's occurrences hold, highest first onto the stack so
            // that the lowest comes out first.
            foreach (int kind in Frequent(occurrences, node.Holding, counts, minSupport).Where(k => k > node.Core && Array.BinarySearch(node.Kinds, k) < 0)
                .OrderDescending())
            {
                int[] holding = node.Holding.Length == occurrences.Count
                    ? [.. occurrencesOf[kind]]
                    : [.. node.Holding.Where(o => Array.BinarySearch(occurrences[o], kind) >= 0)];
                var closed = Closure(occurrences, holding);
                // Prefix-preserving: a closure that gains a kind below this one was met from that kind already.
                if (closed.Any(k => k < kind && Array.BinarySearch(node.Kinds, k) < 0)) continue;
                pending.Push((closed, holding, kind));
            }
        }
    }

    /// <summary>The kinds that at least <paramref name="minSupport"/> of the occurrences hold.</summary>
    private static List<int> Frequent(IReadOnlyList<int[]> occurrences, int[] holding, int[] counts, int minSupport)
    {
        var touched = new List<int>();
        foreach (int o in holding)
            foreach (int kind in occurrences[o])
                if (counts[kind]++ == 0) touched.Add(kind);
        var frequent = touched.Where(kind => counts[kind] >= minSupport).ToList();
        foreach (int kind in touched) counts[kind] = 0;
        return frequent;
    }

    /// <summary>The kinds every one of the occurrences holds, ascending.</summary>
    private static int[] Closure(IReadOnlyList<int[]> occurrences, int[] holding)
    {
        if (holding.Length == 0) return [];
        IEnumerable<int> shared = occurrences[holding[0]];
        foreach (int o in holding.Skip(1)) shared = shared.Where(kind => Array.BinarySearch(occurrences[o], kind) >= 0).ToArray();
        return [.. shared];
    }
}
