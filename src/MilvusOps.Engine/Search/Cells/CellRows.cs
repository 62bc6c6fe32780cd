using System.Collections;

namespace MilvusOps.Engine.Search.Cells;

/// <summary>
/// Where a partitioned collection's rows lie in its matrix: cell by cell, by read order within a cell, and the rows
/// without a cell (none, once the model exists) last, so each cell is one run of positions and a search gathers its
/// cells' rows in time proportional to them. Rows without a cell are in every search, so no row is out of reach.
/// </summary>
internal sealed class CellRows
{
    private const int NoCell = CellPartitioning.CellCount;   // the run after the last cell's
    private readonly int[] _start;                           // run c is positions [_start[c], _start[c + 1])

    /// <param name="cellOfRow">Each row's cell, in the order the rows were read; -1 for none.</param>
    public CellRows(ReadOnlySpan<int> cellOfRow)
    {
        _start = new int[NoCell + 2];
        foreach (int cell in cellOfRow) _start[Run(cell) + 1]++;
        for (int run = 0; run <= NoCell; run++) _start[run + 1] += _start[run];
        var next = _start[..^1];
        Destination = new int[cellOfRow.Length];
        for (int row = 0; row < cellOfRow.Length; row++) Destination[row] = next[Run(cellOfRow[row])]++;
    }

    /// <summary>The matrix position of each row, by the order the rows were read.</summary>
    public int[] Destination { get; }

    private static int Run(int cell) => cell < 0 ? NoCell : cell;

    /// <summary>The positions of the rows in <paramref name="cells"/> (and of any row without a cell), ascending; only
    /// those in <paramref name="passing"/> when it is given.</summary>
    public int[] Positions(IReadOnlyList<int> cells, BitArray? passing)
    {
        var runs = cells.Order().Append(NoCell).ToArray();
        var result = new List<int>(runs.Sum(run => _start[run + 1] - _start[run]));
        foreach (int run in runs)
        {
            for (int position = _start[run]; position < _start[run + 1]; position++)
            {
                if (passing is null || passing[position]) result.Add(position);
            }
        }
        return [.. result];
    }
}
