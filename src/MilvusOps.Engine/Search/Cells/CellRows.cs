namespace MilvusOps.Engine.Search.Cells;

/// <summary>
/// The matrix positions of each cell's rows in one snapshot of a partitioned collection, grouped by cell, so a search
/// gathers the rows of its cells in time proportional to them. Rows without a cell (none, once the model exists) are
/// in every search, so no row is ever out of reach.
/// </summary>
internal sealed class CellRows
{
    private readonly int[] _start;       // cell c's positions are _positions[_start[c].._start[c + 1]]
    private readonly int[] _positions;
    private readonly int[] _withoutCell;

    /// <param name="cellOfPosition">Each matrix position's cell, or -1 for none.</param>
    public CellRows(ReadOnlySpan<int> cellOfPosition)
    {
        _start = new int[CellPartitioning.CellCount + 1];
        int without = 0;
        foreach (int cell in cellOfPosition)
        {
            if (cell < 0) without++;
            else _start[cell + 1]++;
        }
        for (int c = 0; c < CellPartitioning.CellCount; c++) _start[c + 1] += _start[c];
        _positions = new int[_start[^1]];
        _withoutCell = new int[without];
        var next = _start[..^1];
        without = 0;
        for (int position = 0; position < cellOfPosition.Length; position++)
        {
            int cell = cellOfPosition[position];
            if (cell < 0) _withoutCell[without++] = position;
            else _positions[next[cell]++] = position;
        }
    }

    /// <summary>The positions of the rows in <paramref name="cells"/> (and of any row without a cell), ascending; only
    /// those in <paramref name="passing"/> when it is given.</summary>
    public int[] Positions(IReadOnlyList<int> cells, System.Collections.BitArray? passing)
    {
        int total = _withoutCell.Length;
        foreach (int cell in cells) total += _start[cell + 1] - _start[cell];
        var result = new List<int>(total);
        void Add(ReadOnlySpan<int> positions)
        {
            foreach (int position in positions)
            {
                if (passing is null || passing[position]) result.Add(position);
            }
        }
        foreach (int cell in cells) Add(_positions.AsSpan(_start[cell], _start[cell + 1] - _start[cell]));
        Add(_withoutCell);
        var sorted = result.ToArray();
        Array.Sort(sorted);   // storage order: the kernel then reads memory forwards
        return sorted;
    }
}
