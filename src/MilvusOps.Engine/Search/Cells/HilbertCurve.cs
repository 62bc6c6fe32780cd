namespace MilvusOps.Engine.Search.Cells;

/// <summary>
/// The Hilbert curve through a grid of <c>2^bits</c> cells on each of a few axes: every cell gets an index along the
/// curve, and cells whose indexes are consecutive share a face, so a range of indexes is a compact region of the grid.
/// Computed with Skilling's transpose method ("Programming the Hilbert curve", AIP Conf. Proc. 707, 2004): the axes are
/// turned, bit plane by bit plane, into the curve's transposed form, whose bits interleaved are the index.
/// </summary>
internal static class HilbertCurve
{
    /// <summary>The most bits an index may have: it must fit a long (Milvus's INT64 partition key).</summary>
    public const int MaxIndexBits = 62;

    /// <summary>The index along the curve of the cell at <paramref name="cell"/> (one coordinate per axis, each below
    /// <c>2^bits</c>). <paramref name="cell"/> is used as scratch and holds garbage afterwards.</summary>
    public static long Index(Span<uint> cell, int bits)
    {
        int axes = cell.Length;
        if (axes < 1 || bits < 1 || axes * bits > MaxIndexBits)
            throw new ArgumentOutOfRangeException(nameof(bits), $"{axes} axes of {bits} bits do not fit a {MaxIndexBits}-bit index.");
        uint top = 1u << (bits - 1);
        // Undo the curve's rotations and reflections, from the coarsest bit plane to the finest.
        for (uint q = top; q > 1; q >>= 1)
        {
            uint lower = q - 1;
            for (int i = 0; i < axes; i++)
            {
                if ((cell[i] & q) != 0)
                {
                    cell[0] ^= lower;
                }
                else
                {
                    uint swap = (cell[0] ^ cell[i]) & lower;
                    cell[0] ^= swap;
                    cell[i] ^= swap;
                }
            }
        }
        // Gray-encode across the axes.
        for (int i = 1; i < axes; i++) cell[i] ^= cell[i - 1];
        uint flip = 0;
        for (uint q = top; q > 1; q >>= 1)
        {
            if ((cell[axes - 1] & q) != 0) flip ^= q - 1;
        }
        for (int i = 0; i < axes; i++) cell[i] ^= flip;
        // The transposed form's bits, interleaved from the top plane down, are the index.
        long index = 0;
        for (int bit = bits - 1; bit >= 0; bit--)
        {
            for (int i = 0; i < axes; i++) index = (index << 1) | ((cell[i] >> bit) & 1);
        }
        return index;
    }
}
