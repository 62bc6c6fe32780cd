using System.Diagnostics;
using MilvusOps.Engine.Search;
using MilvusOps.Engine.Search.Cells;
using MilvusOps.Engine.Search.Graph;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Bench;

/// <summary>
/// Does Hilbert-curve partitioning ("fractal partitioning") help search? Every figure from one run over the same
/// structured vectors (low rank plus noise, planted clusters):
///  1. Locality: each vector is projected to a few axes (a random projection, or PCA fitted on a sample), each axis cut
///     into equal-count slices, and the cell numbered along a Hilbert curve. For shares of the collection searched, how
///     many of each query's true top-k lie in the cells searched: cells taken as a range along the curve around the
///     query's cell, or nearest first by the distance from the query to each cell's centre in the projected space.
///  2. Speed at that recall: rows sorted by cell, so a range of cells is a contiguous slice, searched exactly (the way a
///     partition-key filter limits a search to a few partitions), and the plain HNSW graph over the same rows,
///     unfiltered and limited to the same cells by a predicate; against exact search over everything.
/// </summary>
internal static class HilbertBenchmark
{
    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 1_000_000), ("dim", 512), ("queries", 200), ("axes", 4), ("bits", 3), ("sample", 20_000),
            ("m", 16), ("efc", 128), ("topk", 10), ("seed", 42));
        if (options is null) return 2;
        int rows = options["rows"], dim = options["dim"], nq = options["queries"], axes = options["axes"], bits = options["bits"], top = options["topk"];
        int cells = 1 << (axes * bits);
        var data = new StructuredVectors(dim, options["seed"]);
        Console.WriteLine($"hilbert benchmark: {rows:N0} x {dim} structured float32 ({data.Clusters} clusters), {axes} axes x {bits} bits = {cells:N0} cells, " +
            $"top-{top}, {nq} queries, {Environment.ProcessorCount} cores");

        var vectors = new float[rows][];
        Parallel.For(0, rows, i => vectors[i] = data.Row(i));
        var queries = Enumerable.Range(0, nq).Select(q => data.Row(2_000_000_000L + q)).ToArray();
        var flatQueries = queries.SelectMany(q => q).ToArray();

        // ---- the exact top-k of every query, and the rate of exact search over everything (one query per call).
        using var all = new VectorMatrix(dim, rows);
        foreach (var vector in vectors) all.Append(vector);
        var truth = ExactSearch.Search(all, flatQueries, nq, top, MetricType.L2, [], Environment.ProcessorCount)
            .Select(result => result.Hits.Select(hit => hit.Position).ToHashSet()).ToArray();
        double exactRate = Rate(nq, q => ExactSearch.Search(all, queries[q], 1, top, MetricType.L2, [], 1));
        Console.WriteLine($"exact over all rows, one thread: {exactRate:N1} queries/s");

        // ---- locality: recall against the share of rows searched, per projection and per way of choosing cells.
        var random = new Random(options["seed"]);
        var sample = Enumerable.Range(0, Math.Min(options["sample"], rows)).Select(_ => vectors[random.Next(rows)]).ToArray();
        var projections = new (string Name, float[][] Axes)[]
        {
            ("random projection", RandomAxes(axes, dim, random)),
            ("PCA on a sample", PrincipalAxes(sample, axes, random)),
        };
        double[] shares = [0.01, 0.02, 0.05, 0.1, 0.2];
        Partitioning? best = null;
        long[] bestCells = [];
        double[][] bestCentres = [];
        double bestRecall = -1;
        Console.WriteLine($"recall@{top} when only the cells nearest the query are searched (share of rows searched: {string.Join(" / ", shares.Select(s => $"{s:P0}"))})");
        foreach (var (name, projection) in projections)
        {
            var partitioning = Partitioning.Fit(name, projection, sample, bits);
            var cellOf = new long[rows];
            Parallel.For(0, rows, i => cellOf[i] = partitioning.Cell(vectors[i]));
            var rowsPerCell = new long[cells];
            foreach (long cell in cellOf) rowsPerCell[cell]++;
            int occupied = rowsPerCell.Count(c => c > 0);
            var byRange = shares.Select(share => Recall(queries, truth, q => partitioning.RangeAround(partitioning.Cell(queries[q]), rowsPerCell, share * rows), cellOf)).ToArray();
            var centres = Centres(vectors, cellOf, partitioning, cells);
            var byDistance = shares.Select(share => Recall(queries, truth, q => NearestCells(partitioning.Project(queries[q]), centres, rowsPerCell, share * rows), cellOf)).ToArray();
            Console.WriteLine($"  {name}: {occupied:N0} cells hold rows, the fullest {rowsPerCell.Max():N0} ({(double)rowsPerCell.Max() / rows:P1})");
            Console.WriteLine($"    a range along the Hilbert curve:   {string.Join(" / ", byRange.Select(r => $"{r:0.000}"))}");
            Console.WriteLine($"    nearest cells in projected space: {string.Join(" / ", byDistance.Select(r => $"{r:0.000}"))}");
            if (byRange[2] > bestRecall)
            {
                (best, bestCells, bestCentres, bestRecall) = (partitioning, cellOf, centres, byRange[2]);
            }
        }

        // ---- speed: rows sorted along the curve, a range of cells searched as one contiguous slice, against the graph.
        var chosen = best!;
        var order = Enumerable.Range(0, rows).OrderBy(i => bestCells[i]).ToArray();
        var positionOf = new int[rows];
        for (int p = 0; p < rows; p++) positionOf[order[p]] = p;
        using var sorted = new VectorMatrix(dim, rows);
        foreach (int i in order) sorted.Append(vectors[i]);
        var sortedTruth = truth.Select(set => set.Select(i => positionOf[i]).ToHashSet()).ToArray();
        var rowsPerSortedCell = new long[cells];
        foreach (long cell in bestCells) rowsPerSortedCell[cell]++;
        var firstRowOfCell = new long[cells + 1];
        for (int c = 0; c < cells; c++) firstRowOfCell[c + 1] = firstRowOfCell[c] + rowsPerSortedCell[c];
        Console.WriteLine($"search limited to a range of cells ({chosen.Name}), exact over the slice, one thread:");
        Console.WriteLine("  share searched   recall@" + top + "   queries/s   x exact over all");
        foreach (double share in shares)
        {
            var slices = queries.Select(q =>
            {
                var (low, high) = chosen.RangeAround(chosen.Cell(q), rowsPerSortedCell, share * rows);
                return Enumerable.Range((int)firstRowOfCell[low], (int)(firstRowOfCell[high + 1] - firstRowOfCell[low])).ToArray();
            }).ToArray();
            var found = new HashSet<int>[nq];
            double rate = Rate(nq, q => found[q] = ExactSearch.Search(sorted, queries[q], 1, top, MetricType.L2, slices[q], 1)[0].Hits.Select(h => h.Position).ToHashSet());
            double recall = Enumerable.Range(0, nq).Average(q => (double)found[q].Count(sortedTruth[q].Contains) / top);
            Console.WriteLine($"  {slices.Average(s => s.Length) / rows,14:P1}   {recall,9:0.000}   {rate,9:N0}   {rate / exactRate,8:N1}");
        }

        Console.WriteLine($"search limited to the nearest cells ({chosen.Name}), exact over their rows, one thread (choosing the cells included):");
        Console.WriteLine("  share searched   recall@" + top + "   queries/s   x exact over all");
        foreach (double share in shares)
        {
            var found = new HashSet<int>[nq];
            long searched = 0;
            double rate = Rate(nq, q =>
            {
                var cellsNear = NearestCellsSorted(chosen.Project(queries[q]), bestCentres, rowsPerSortedCell, share * rows);
                var positions = cellsNear.SelectMany(c => Enumerable.Range((int)firstRowOfCell[c], (int)(firstRowOfCell[c + 1] - firstRowOfCell[c]))).ToArray();
                searched += positions.Length;
                found[q] = ExactSearch.Search(sorted, queries[q], 1, top, MetricType.L2, positions, 1)[0].Hits.Select(h => h.Position).ToHashSet();
            });
            double recall = Enumerable.Range(0, nq).Average(q => (double)found[q].Count(sortedTruth[q].Contains) / top);
            Console.WriteLine($"  {searched / (nq + 1.0) / rows,14:P1}   {recall,9:0.000}   {rate,9:N0}   {rate / exactRate,8:N1}");
        }

        var buildClock = Stopwatch.StartNew();
        using var graph = HnswGraph.Create(dim, MetricType.L2, options["m"], options["efc"], Environment.ProcessorCount);
        graph.Reserve(rows);
        Parallel.For(0, rows, i => graph.Add((ulong)i, sorted.Row(i)));
        Console.WriteLine($"plain HNSW over the same rows (M = {options["m"]}, efConstruction = {options["efc"]}), built in {buildClock.Elapsed.TotalSeconds:N0} s, one query per call:");
        Console.WriteLine("  ef    cells searched   recall@" + top + "   queries/s   x exact over all");
        foreach (int ef in new[] { 16, 32, 64, 128 })
        {
            var found = new HashSet<int>[nq];
            var keys = new ulong[top];
            double rate = Rate(nq, q =>
            {
                int n = graph.Search(queries[q], ef, keys, null, CancellationToken.None);
                found[q] = keys[..n].Select(k => (int)k).ToHashSet();
            });
            double recall = Enumerable.Range(0, nq).Average(q => (double)found[q].Count(sortedTruth[q].Contains) / top);
            Console.WriteLine($"  {ef,-5} {"all",14}   {recall,9:0.000}   {rate,9:N0}   {rate / exactRate,8:N1}");
        }
        foreach (double share in new[] { 0.05, 0.2 })
        {
            var filters = queries.Select(q =>
            {
                var (low, high) = chosen.RangeAround(chosen.Cell(q), rowsPerSortedCell, share * rows);
                return new KeyFilter(Enumerable.Range((int)firstRowOfCell[low], (int)(firstRowOfCell[high + 1] - firstRowOfCell[low])).Select(i => (long)i), rows);
            }).ToArray();
            var found = new HashSet<int>[nq];
            var keys = new ulong[top];
            double rate = Rate(nq, q =>
            {
                int n = graph.Search(queries[q], 64, keys, filters[q], CancellationToken.None);
                found[q] = keys[..n].Select(k => (int)k).ToHashSet();
            });
            double recall = Enumerable.Range(0, nq).Average(q => (double)found[q].Count(sortedTruth[q].Contains) / top);
            Console.WriteLine($"  64    {share,14:P0}   {recall,9:0.000}   {rate,9:N0}   {rate / exactRate,8:N1}");
        }
        return 0;
    }

    /// <summary>Queries per second of one call per query, one after another.</summary>
    private static double Rate(int queries, Action<int> search)
    {
        search(0);
        var clock = Stopwatch.StartNew();
        for (int q = 0; q < queries; q++) search(q);
        return queries / clock.Elapsed.TotalSeconds;
    }

    /// <summary>The mean share of each query's true top-k whose rows lie in the cells chosen for it.</summary>
    private static double Recall(float[][] queries, HashSet<int>[] truth, Func<int, (long Low, long High)> cellsFor, long[] cellOf) =>
        Enumerable.Range(0, queries.Length).Average(q =>
        {
            var (low, high) = cellsFor(q);
            return truth[q].Average(row => cellOf[row] >= low && cellOf[row] <= high ? 1.0 : 0.0);
        });

    private static double Recall(float[][] queries, HashSet<int>[] truth, Func<int, HashSet<long>> cellsFor, long[] cellOf) =>
        Enumerable.Range(0, queries.Length).Average(q =>
        {
            var chosen = cellsFor(q);
            return truth[q].Average(row => chosen.Contains(cellOf[row]) ? 1.0 : 0.0);
        });

    /// <summary>The mean projected point of each cell's rows (NaN for an empty cell).</summary>
    private static double[][] Centres(float[][] vectors, long[] cellOf, Partitioning partitioning, int cells)
    {
        var sums = new double[cells][];
        var counts = new long[cells];
        for (int i = 0; i < vectors.Length; i++)
        {
            var point = partitioning.Project(vectors[i]);
            var sum = sums[cellOf[i]] ??= new double[point.Length];
            for (int a = 0; a < point.Length; a++) sum[a] += point[a];
            counts[cellOf[i]]++;
        }
        return [.. sums.Select((sum, c) => sum?.Select(s => s / counts[c]).ToArray() ?? [])];
    }

    /// <summary>Cells nearest first by their centre, until they hold the rows wanted.</summary>
    private static HashSet<long> NearestCells(double[] point, double[][] centres, long[] rowsPerCell, double rowsWanted)
    {
        var chosen = new HashSet<long>();
        double held = 0;
        foreach (int cell in Enumerable.Range(0, centres.Length).Where(c => centres[c].Length > 0)
            .OrderBy(c => centres[c].Zip(point).Sum(p => (p.First - p.Second) * (p.First - p.Second))))
        {
            chosen.Add(cell);
            held += rowsPerCell[cell];
            if (held >= rowsWanted) break;
        }
        return chosen;
    }

    /// <summary><see cref="NearestCells"/> as a search would choose them, per query: a distance per cell, one sort, in
    /// cell order so their rows are read in storage order.</summary>
    private static long[] NearestCellsSorted(double[] point, double[][] centres, long[] rowsPerCell, double rowsWanted)
    {
        var distances = new double[centres.Length];
        var cells = new long[centres.Length];
        for (int c = 0; c < centres.Length; c++)
        {
            cells[c] = c;
            double sum = 0;
            var centre = centres[c];
            if (centre.Length == 0) sum = double.PositiveInfinity;
            else for (int a = 0; a < point.Length; a++) sum += (centre[a] - point[a]) * (centre[a] - point[a]);
            distances[c] = sum;
        }
        Array.Sort(distances, cells);
        var chosen = new List<long>();
        double held = 0;
        for (int i = 0; i < cells.Length && held < rowsWanted && !double.IsPositiveInfinity(distances[i]); i++)
        {
            chosen.Add(cells[i]);
            held += rowsPerCell[cells[i]];
        }
        chosen.Sort();
        return [.. chosen];
    }

    private static float[][] RandomAxes(int axes, int dim, Random random) =>
        [.. Enumerable.Range(0, axes).Select(_ => Normalised(Enumerable.Range(0, dim).Select(_ => (float)Gaussian(random)).ToArray()))];

    /// <summary>The sample's top principal directions, by orthogonal (subspace) iteration on its covariance.</summary>
    private static float[][] PrincipalAxes(float[][] sample, int axes, Random random)
    {
        int dim = sample[0].Length;
        var mean = new double[dim];
        foreach (var row in sample)
            for (int d = 0; d < dim; d++) mean[d] += row[d] / sample.Length;
        var covariance = new double[dim, dim];
        Parallel.For(0, dim, a =>
        {
            for (int b = a; b < dim; b++)
            {
                double sum = 0;
                foreach (var row in sample) sum += (row[a] - mean[a]) * (row[b] - mean[b]);
                covariance[a, b] = covariance[b, a] = sum / sample.Length;
            }
        });
        var basis = Enumerable.Range(0, axes).Select(_ => Enumerable.Range(0, dim).Select(_ => Gaussian(random)).ToArray()).ToArray();
        for (int iteration = 0; iteration < 100; iteration++)
        {
            basis = [.. basis.Select(v => Enumerable.Range(0, dim).Select(a => Enumerable.Range(0, dim).Sum(b => covariance[a, b] * v[b])).ToArray())];
            for (int i = 0; i < axes; i++)   // Gram-Schmidt
            {
                for (int j = 0; j < i; j++)
                {
                    double dot = basis[i].Zip(basis[j]).Sum(p => p.First * p.Second);
                    for (int d = 0; d < dim; d++) basis[i][d] -= dot * basis[j][d];
                }
                double norm = Math.Sqrt(basis[i].Sum(x => x * x));
                for (int d = 0; d < dim; d++) basis[i][d] /= norm;
            }
        }
        return [.. basis.Select(v => v.Select(x => (float)x).ToArray())];
    }

    private static float[] Normalised(float[] v)
    {
        float norm = MathF.Sqrt(v.Sum(x => x * x));
        return [.. v.Select(x => x / norm)];
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>A projection to a few axes, each cut into 2^bits slices holding equal shares of a sample, and the cells
    /// numbered along the Hilbert curve.</summary>
    private sealed class Partitioning
    {
        private readonly float[][] _axes;
        private readonly double[][] _bounds;   // per axis, the 2^bits - 1 inner slice boundaries
        private readonly int _bits;

        private Partitioning(float[][] axes, double[][] bounds, int bits) => (_axes, _bounds, _bits) = (axes, bounds, bits);

        public string Name { get; private init; } = "";

        public static Partitioning Fit(string name, float[][] axes, float[][] sample, int bits)
        {
            int slices = 1 << bits;
            var bounds = axes.Select(axis =>
            {
                var values = sample.Select(row => Dot(axis, row)).Order().ToArray();
                return Enumerable.Range(1, slices - 1).Select(s => values[s * values.Length / slices]).ToArray();
            }).ToArray();
            return new Partitioning(axes, bounds, bits) { Name = name };
        }

        public double[] Project(float[] vector) => [.. _axes.Select(axis => Dot(axis, vector))];

        public long Cell(float[] vector)
        {
            Span<uint> cell = stackalloc uint[_axes.Length];
            for (int a = 0; a < _axes.Length; a++)
            {
                double value = Dot(_axes[a], vector);
                int slice = Array.BinarySearch(_bounds[a], value);
                cell[a] = (uint)(slice >= 0 ? slice + 1 : ~slice);
            }
            return HilbertCurve.Index(cell, _bits);
        }

        /// <summary>The range of cells along the curve, centred on <paramref name="cell"/>, that holds the rows wanted.</summary>
        public (long Low, long High) RangeAround(long cell, long[] rowsPerCell, double rowsWanted)
        {
            long low = cell, high = cell;
            double held = rowsPerCell[cell];
            while (held < rowsWanted && (low > 0 || high < rowsPerCell.Length - 1))
            {
                if (high < rowsPerCell.Length - 1) held += rowsPerCell[++high];
                if (held < rowsWanted && low > 0) held += rowsPerCell[--low];
            }
            return (low, high);
        }

        private static double Dot(float[] a, float[] b)
        {
            double sum = 0;
            for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
            return sum;
        }
    }
}
