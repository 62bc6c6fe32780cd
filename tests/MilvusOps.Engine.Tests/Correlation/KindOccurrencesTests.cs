using MilvusOps.Engine.Pipelines.Correlation;

namespace MilvusOps.Engine.Tests.Correlation;

public sealed class KindOccurrencesTests
{
    /// <summary>Common kinds (bitsets) and rare ones (lists), mixed in every way, against a plain count.</summary>
    [Fact]
    public void Support_and_holding_match_a_plain_count_over_common_and_rare_kinds()
    {
        var random = new Random(11);
        // Kind k is in an occurrence with probability 0.5 / (k + 1): kinds 0 to 15 are common (held by 1 in 32 or more), the rest rare.
        var sets = Enumerable.Range(0, 5_000).Select(_ => Enumerable.Range(0, 200).Where(k => random.NextDouble() < 0.5 / (k + 1)).ToArray()).ToList();
        var occurrences = new KindOccurrences(sets);
        Assert.Equal(5_000, occurrences.Count);
        foreach (var kinds in new int[][] { [0], [0, 1], [0, 1, 2, 3], [3, 40], [40, 0], [150, 7, 2], [60, 61], [199] }.Concat(
            Enumerable.Range(0, 200).Select(_ => Enumerable.Range(0, 1 + random.Next(4)).Select(_ => random.Next(200)).Distinct().ToArray())))
        {
            var expected = Enumerable.Range(0, sets.Count).Where(o => kinds.All(k => sets[o].Contains(k))).ToList();
            Assert.Equal(expected, occurrences.Holding(kinds));
            Assert.Equal(expected.Count, occurrences.Support(kinds));
        }
        Assert.Equal(sets.Count(s => s.Contains(5)), occurrences.CountOf(5));
    }
}
