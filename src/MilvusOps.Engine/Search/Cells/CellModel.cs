using System.Numerics;
using System.Text.Json;

namespace MilvusOps.Engine.Search.Cells;

/// <summary>
/// A collection's Hilbert cells (<see cref="CellPartitioning"/>): the principal axes of a sample of its vectors, each cut
/// into slices that hold equal shares of the sample, and every cell of that grid numbered along a Hilbert curve. A
/// vector's cell is where its projection falls. A query's nearest cells are its own, then those whose centres lie
/// nearest its projection (the <c>hilbert</c> benchmark measured that order against a range along the curve, which
/// holds far fewer true neighbours).
/// </summary>
internal sealed class CellModel
{
    private const int Axes = CellPartitioning.Axes;
    private const int Slices = 1 << CellPartitioning.BitsPerAxis;
    private const int FormatVersion = 1;

    private readonly float[] _mean;
    private readonly float[][] _axes;            // orthonormal, Axes × dimension
    private readonly double[][] _bounds;         // per axis, the Slices - 1 inner boundaries, ascending
    private readonly double[][] _sliceCentres;   // per axis, the median projection of the sample within each slice
    private readonly bool _directions;           // COSINE compares directions: vectors are normalised first

    private CellModel(float[] mean, float[][] axes, double[][] bounds, double[][] sliceCentres, bool directions) =>
        (_mean, _axes, _bounds, _sliceCentres, _directions) = (mean, axes, bounds, sliceCentres, directions);

    /// <summary>Each cell's slice on every axis, by the cell's number along the curve.</summary>
    private static readonly byte[][] SlicesOfCell = NumberCells();

    /// <summary>Fits the model to a sample of a collection's vectors (a few thousand are plenty), deterministically;
    /// Ctrl+C stops it between passes over the sample.</summary>
    public static CellModel Fit(IReadOnlyList<float[]> sample, MetricType metric, CancellationToken cancellation = default)
    {
        if (sample.Count == 0) throw new ArgumentException("A cell model needs at least one vector.", nameof(sample));
        bool directions = metric == MetricType.COSINE;
        int dimension = sample[0].Length;
        var rows = sample.Select(v => directions ? Normalised(v) : v).ToArray();
        var mean = new float[dimension];
        var sum = new double[dimension];
        foreach (var row in rows)
            for (int d = 0; d < dimension; d++) sum[d] += row[d];
        for (int d = 0; d < dimension; d++) mean[d] = (float)(sum[d] / rows.Length);
        var axes = PrincipalAxes(rows, mean, cancellation);
        var bounds = new double[Axes][];
        var centres = new double[Axes][];
        for (int a = 0; a < Axes; a++)
        {
            var values = rows.Select(row => Project(row, mean, axes[a])).Order().ToArray();
            bounds[a] = [.. Enumerable.Range(1, Slices - 1).Select(s => values[s * values.Length / Slices])];
            centres[a] = [.. Enumerable.Range(0, Slices).Select(s => values[Math.Min(values.Length - 1, (2 * s + 1) * values.Length / (2 * Slices))])];
        }
        return new CellModel(mean, axes, bounds, centres, directions);
    }

    /// <summary>The cell of a vector: its number along the Hilbert curve, from 0 to <see cref="CellPartitioning.CellCount"/> - 1.</summary>
    public int CellOf(ReadOnlySpan<float> vector)
    {
        Span<double> point = stackalloc double[Axes];
        ProjectInto(vector, point);
        Span<uint> slices = stackalloc uint[Axes];
        for (int a = 0; a < Axes; a++) slices[a] = (uint)SliceOf(a, point[a]);
        return (int)HilbertCurve.Index(slices, CellPartitioning.BitsPerAxis);
    }

    /// <summary>The <paramref name="count"/> cells nearest a query, ascending by number: its own cell, then those whose
    /// centres lie nearest its projection.</summary>
    public int[] NearestCells(ReadOnlySpan<float> query, int count)
    {
        count = Math.Clamp(count, 1, CellPartitioning.CellCount);
        Span<double> point = stackalloc double[Axes];
        ProjectInto(query, point);
        int own = CellOf(query);
        var distances = new double[CellPartitioning.CellCount];
        var cells = new int[CellPartitioning.CellCount];
        for (int cell = 0; cell < cells.Length; cell++)
        {
            cells[cell] = cell;
            double distance = 0;
            for (int a = 0; a < Axes; a++)
            {
                double delta = _sliceCentres[a][SlicesOfCell[cell][a]] - point[a];
                distance += delta * delta;
            }
            distances[cell] = cell == own ? double.NegativeInfinity : distance;
        }
        Array.Sort(distances, cells);
        var chosen = cells[..count];
        Array.Sort(chosen);
        return chosen;
    }

    public string ToJson() => JsonSerializer.Serialize(new Stored(FormatVersion, Axes, CellPartitioning.BitsPerAxis, _directions, _mean, _axes, _bounds, _sliceCentres));

    /// <summary>A model <see cref="ToJson"/> wrote for vectors of this dimension; null when the text is not one.</summary>
    public static CellModel? FromJson(string json, int dimension)
    {
        try
        {
            var stored = JsonSerializer.Deserialize<Stored>(json);
            if (stored is null || stored.Mean is null || stored.Directions is null || stored.Bounds is null || stored.SliceCentres is null
                || stored.Directions.Any(d => d is null) || stored.Bounds.Any(b => b is null) || stored.SliceCentres.Any(c => c is null)
                || stored.Version != FormatVersion || stored.Axes != Axes || stored.Bits != CellPartitioning.BitsPerAxis
                || stored.Mean.Length != dimension || stored.Directions.Length != Axes || stored.Directions.Any(d => d.Length != dimension)
                || stored.Bounds.Length != Axes || stored.Bounds.Any(b => b.Length != Slices - 1)
                || stored.SliceCentres.Length != Axes || stored.SliceCentres.Any(c => c.Length != Slices))
                return null;
            return new CellModel(stored.Mean, stored.Directions, stored.Bounds, stored.SliceCentres, stored.Normalised);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record Stored(int Version, int Axes, int Bits, bool Normalised, float[] Mean, float[][] Directions, double[][] Bounds, double[][] SliceCentres);

    private int SliceOf(int axis, double value)
    {
        int found = Array.BinarySearch(_bounds[axis], value);
        // A value on a boundary belongs to the slice above it, as the sample's own did when the boundary was chosen.
        return found >= 0 ? found + 1 : ~found;
    }

    private void ProjectInto(ReadOnlySpan<float> vector, Span<double> point)
    {
        float[]? normalised = _directions ? Normalised(vector) : null;
        var v = normalised is null ? vector : normalised;
        for (int a = 0; a < Axes; a++) point[a] = Project(v, _mean, _axes[a]);
    }

    /// <summary>(vector - mean) · axis, as vector · axis - mean · axis: two SIMD dot products, which every write pays per row.</summary>
    private static double Project(ReadOnlySpan<float> vector, float[] mean, float[] axis) => PairScore.Dot(vector, axis) - PairScore.Dot(mean, axis);

    private static float[] Normalised(ReadOnlySpan<float> vector)
    {
        double norm = 0;
        foreach (float x in vector) norm += x * x;
        var result = vector.ToArray();
        if (norm == 0) return result;
        float scale = (float)(1 / Math.Sqrt(norm));
        for (int d = 0; d < result.Length; d++) result[d] *= scale;
        return result;
    }

    /// <summary>The sample's top principal directions by subspace iteration on the centred rows themselves (never the
    /// covariance, which would take dimension² memory), from a fixed start so a fit is repeatable.</summary>
    private static float[][] PrincipalAxes(float[][] rows, float[] mean, CancellationToken cancellation)
    {
        int dimension = mean.Length;
        var random = new Random(20261204);
        var basis = new double[Axes][];
        for (int a = 0; a < Axes; a++) basis[a] = [.. Enumerable.Range(0, dimension).Select(_ => random.NextDouble() - 0.5)];
        Orthonormalise(basis);
        var centred = new float[dimension];
        var weights = new double[Axes];
        for (int iteration = 0; iteration < 30; iteration++)
        {
            cancellation.ThrowIfCancellationRequested();
            var next = new double[Axes][];
            for (int a = 0; a < Axes; a++) next[a] = new double[dimension];
            foreach (var row in rows)
            {
                for (int d = 0; d < dimension; d++) centred[d] = row[d] - mean[d];
                for (int a = 0; a < Axes; a++) weights[a] = Dot(centred, basis[a]);
                for (int a = 0; a < Axes; a++)
                {
                    double w = weights[a];
                    var target = next[a];
                    for (int d = 0; d < dimension; d++) target[d] += w * centred[d];
                }
            }
            basis = next;
            Orthonormalise(basis);
        }
        return [.. basis.Select(axis => axis.Select(x => (float)x).ToArray())];
    }

    private static double Dot(float[] a, double[] b)
    {
        double sum = 0;
        for (int d = 0; d < a.Length; d++) sum += a[d] * b[d];
        return sum;
    }

    /// <summary>Gram-Schmidt; a direction the sample does not span (fewer distinct rows than axes) becomes a unit axis
    /// orthogonal to the others, so every axis is a direction (a repeated one when the vectors have fewer dimensions).</summary>
    private static void Orthonormalise(double[][] basis)
    {
        int dimension = basis[0].Length;
        for (int i = 0; i < basis.Length; i++)
        {
            for (int attempt = 0; ; attempt++)
            {
                for (int j = 0; j < i; j++)
                {
                    double dot = 0;
                    for (int d = 0; d < dimension; d++) dot += basis[i][d] * basis[j][d];
                    for (int d = 0; d < dimension; d++) basis[i][d] -= dot * basis[j][d];
                }
                double norm = Math.Sqrt(basis[i].Sum(x => x * x));
                if (norm > 1e-12)
                {
                    for (int d = 0; d < dimension; d++) basis[i][d] /= norm;
                    break;
                }
                Array.Clear(basis[i]);
                basis[i][(i + attempt) % dimension] = 1;
                if (attempt == dimension) break;   // fewer dimensions than axes: this axis repeats one already taken
            }
        }
    }

    private static byte[][] NumberCells()
    {
        var table = new byte[CellPartitioning.CellCount][];
        Span<uint> scratch = stackalloc uint[Axes];
        for (int flat = 0; flat < CellPartitioning.CellCount; flat++)
        {
            var slices = new byte[Axes];
            for (int a = 0; a < Axes; a++) slices[a] = (byte)((flat >> (a * CellPartitioning.BitsPerAxis)) & (Slices - 1));
            for (int a = 0; a < Axes; a++) scratch[a] = slices[a];
            table[HilbertCurve.Index(scratch, CellPartitioning.BitsPerAxis)] = slices;
        }
        return table;
    }
}
