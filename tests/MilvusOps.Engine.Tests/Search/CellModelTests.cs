using MilvusOps.Engine.Search.Cells;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Engine.Tests.Search;

public sealed class CellModelTests
{
    private static readonly StructuredVectors Data = new(64, seed: 3);
    private static readonly float[][] Sample = [.. Enumerable.Range(0, 2000).Select(i => Data.Row(i))];

    [Fact]
    public void Every_vector_has_one_cell_and_the_sample_spreads_over_many()
    {
        var model = CellModel.Fit(Sample, MetricType.L2);
        var cells = Sample.Select(v => model.CellOf(v)).ToArray();
        Assert.All(cells, cell => Assert.InRange(cell, 0, CellPartitioning.CellCount - 1));
        Assert.Equal(cells, Sample.Select(v => model.CellOf(v)));
        // 8 slices of equal share on each of 4 axes: the sample fills many cells, none with a large share.
        Assert.True(cells.Distinct().Count() > 200, $"{cells.Distinct().Count()} cells hold rows");
        Assert.True(cells.GroupBy(c => c).Max(g => g.Count()) < Sample.Length / 20);
    }

    [Fact]
    public void A_query_s_nearest_cells_start_with_its_own_and_all_of_them_are_every_cell()
    {
        var model = CellModel.Fit(Sample, MetricType.L2);
        var query = Data.Row(50_000);
        Assert.Equal([model.CellOf(query)], model.NearestCells(query, 1));
        var some = model.NearestCells(query, 64);
        Assert.Equal(64, some.Distinct().Count());
        Assert.Equal(some.Order(), some);
        Assert.Contains(model.CellOf(query), some);
        Assert.Equal(Enumerable.Range(0, CellPartitioning.CellCount), model.NearestCells(query, CellPartitioning.CellCount));
    }

    [Fact]
    public void The_stored_model_gives_the_same_cells_and_a_fit_is_repeatable()
    {
        var model = CellModel.Fit(Sample, MetricType.L2);
        var read = CellModel.FromJson(model.ToJson(), 64)!;
        var again = CellModel.Fit(Sample, MetricType.L2);
        foreach (var vector in Sample.Take(200))
        {
            Assert.Equal(model.CellOf(vector), read.CellOf(vector));
            Assert.Equal(model.CellOf(vector), again.CellOf(vector));
        }
        Assert.Equal(model.NearestCells(Data.Row(7_777), 100), read.NearestCells(Data.Row(7_777), 100));
        Assert.Null(CellModel.FromJson(model.ToJson(), 32));
        Assert.Null(CellModel.FromJson("{\"Version\":99}", 64));
        Assert.Null(CellModel.FromJson("not json", 64));
    }

    [Fact]
    public void Under_COSINE_a_vector_and_its_multiples_share_a_cell()
    {
        var model = CellModel.Fit(Sample, MetricType.COSINE);
        // Not sample rows: the slice boundaries are sample projections, where a rounding step can cross one.
        foreach (var vector in Enumerable.Range(100_000, 100).Select(i => Data.Row(i)))
            Assert.Equal(model.CellOf(vector), model.CellOf(vector.Select(x => x * 4f).ToArray()));
    }

    [Theory]
    [InlineData(2, 50)]
    [InlineData(8, 1)]
    public void Fewer_dimensions_or_rows_than_axes_still_fit(int dimension, int rows)
    {
        var random = new Random(dimension);
        var sample = Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, dimension).Select(_ => (float)random.NextDouble()).ToArray()).ToArray();
        var model = CellModel.Fit(sample, MetricType.L2);
        Assert.All(sample, v => Assert.InRange(model.CellOf(v), 0, CellPartitioning.CellCount - 1));
    }
}
