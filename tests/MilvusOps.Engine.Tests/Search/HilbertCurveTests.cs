using MilvusOps.Engine.Search.Cells;

namespace MilvusOps.Engine.Tests.Search;

public sealed class HilbertCurveTests
{
    [Theory]
    [InlineData(1, 4)]
    [InlineData(2, 1)]
    [InlineData(2, 4)]
    [InlineData(3, 3)]
    [InlineData(4, 2)]
    [InlineData(5, 2)]
    public void The_curve_visits_every_cell_once_and_each_step_crosses_one_face(int axes, int bits)
    {
        int side = 1 << bits, cells = 1 << (axes * bits);
        var byIndex = new uint[cells][];
        for (int c = 0; c < cells; c++)
        {
            var cell = Enumerable.Range(0, axes).Select(axis => (uint)((c >> (axis * bits)) & (side - 1))).ToArray();
            long index = HilbertCurve.Index(cell.ToArray(), bits);
            Assert.InRange(index, 0, cells - 1);
            Assert.Null(byIndex[index]);   // a bijection: no two cells share an index
            byIndex[index] = cell;
        }
        Assert.All(byIndex[0], coordinate => Assert.Equal(0u, coordinate));   // it starts at the origin
        for (int i = 1; i < cells; i++)
        {
            int steps = byIndex[i].Zip(byIndex[i - 1]).Sum(pair => Math.Abs((int)pair.First - (int)pair.Second));
            Assert.True(steps == 1, $"index {i - 1} -> {i}: [{string.Join(",", byIndex[i - 1])}] -> [{string.Join(",", byIndex[i])}]");
        }
    }

    [Fact]
    public void An_index_that_would_not_fit_a_long_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HilbertCurve.Index(new uint[8], 8));
}
