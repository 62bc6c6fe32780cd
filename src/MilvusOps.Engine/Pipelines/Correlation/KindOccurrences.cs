using System.Numerics;

namespace MilvusOps.Engine.Pipelines.Correlation;

/// <summary>
/// Which occurrences hold each kind: a sorted list, and for a kind that many occurrences hold (at least one in 32) also a
/// bitset. The support of a set of kinds, the occurrences holding all of them, is then found from its rarest kind's list,
/// or by intersecting words when even that kind is common: at high density most candidate sets are of common kinds.
/// </summary>
internal sealed class KindOccurrences
{
    private readonly List<int>[] _lists;
    private readonly ulong[]?[] _bits;

    /// <param name="sets">Each occurrence's kinds, distinct.</param>
    public KindOccurrences(IReadOnlyList<int[]> sets)
    {
        Count = sets.Count;
        int kinds = sets.Count == 0 ? 0 : sets.Max(set => set.DefaultIfEmpty(-1).Max()) + 1;
        _lists = new List<int>[kinds];
        for (int kind = 0; kind < kinds; kind++) _lists[kind] = [];
        for (int o = 0; o < sets.Count; o++)
            foreach (int kind in sets[o]) _lists[kind].Add(o);
        _bits = new ulong[kinds][];
        int words = (Count + 63) / 64;
        for (int kind = 0; kind < kinds; kind++)
        {
            if (_lists[kind].Count * 32L < Count) continue;
            var bits = _bits[kind] = new ulong[words];
            foreach (int o in _lists[kind]) bits[o >> 6] |= 1UL << (o & 63);
        }
    }

    /// <summary>The number of occurrences.</summary>
    public int Count { get; }

    /// <summary>How many occurrences hold the kind.</summary>
    public int CountOf(int kind) => _lists[kind].Count;

    /// <summary>The occurrences holding every one of the kinds (at least one), ascending.</summary>
    public List<int> Holding(IEnumerable<int> kinds)
    {
        var found = new List<int>();
        Visit(kinds, found.Add);
        return found;
    }

    /// <summary>How many occurrences hold every one of the kinds (at least one).</summary>
    public int Support(IEnumerable<int> kinds)
    {
        int count = 0;
        Visit(kinds, _ => count++);
        return count;
    }

    private void Visit(IEnumerable<int> kinds, Action<int> holding)
    {
        var ordered = kinds.OrderBy(CountOf).ToArray();
        if (ordered.Length == 0) throw new ArgumentException("A set of kinds needs at least one kind.", nameof(kinds));
        var rarest = ordered[0];
        if (_bits[rarest] is { } first)
        {
            // Every kind is at least as common as the rarest, so every one has a bitset.
            for (int w = 0; w < first.Length; w++)
            {
                ulong word = first[w];
                for (int k = 1; k < ordered.Length && word != 0; k++) word &= _bits[ordered[k]]![w];
                for (; word != 0; word &= word - 1) holding((w << 6) + BitOperations.TrailingZeroCount(word));
            }
            return;
        }
        foreach (int o in _lists[rarest])
        {
            bool all = true;
            for (int k = 1; k < ordered.Length && all; k++)
                all = _bits[ordered[k]] is { } bits ? (bits[o >> 6] & (1UL << (o & 63))) != 0 : _lists[ordered[k]].BinarySearch(o) >= 0;
            if (all) holding(o);
        }
    }
}
