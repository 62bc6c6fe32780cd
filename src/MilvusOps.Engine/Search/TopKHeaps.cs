using System.Runtime.CompilerServices;

namespace MilvusOps.Engine.Search;

/// <summary>
/// One bounded max-heap per query, all in two flat arrays. Entries are ordered by
/// (key, position): a smaller key is better (L2 distance, or the negated similarity), and on equal
/// keys the lower position is better. The root is the worst entry kept, so a candidate that does
/// not beat it is rejected with one comparison. Because the order is total, the set kept is the
/// same whatever order the candidates arrive in, which makes results independent of threading.
/// </summary>
internal sealed class TopKHeaps
{
    private readonly float[] _keys;
    private readonly int[] _positions;
    private readonly int[] _counts;
    private readonly int _k;

    public TopKHeaps(int queryCount, int k)
    {
        _k = k;
        _keys = new float[checked(queryCount * k)];
        _positions = new int[queryCount * k];
        _counts = new int[queryCount];
    }

    public int K => _k;

    public int Count(int query) => _counts[query];

    public float KeyAt(int query, int i) => _keys[(query * _k) + i];

    public int PositionAt(int query, int i) => _positions[(query * _k) + i];

    /// <summary>The key a candidate must not exceed to be worth offering (+inf until the heap is full).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Threshold(int query) => _counts[query] == _k ? _keys[query * _k] : float.PositiveInfinity;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Offer(int query, float key, int position)
    {
        if (float.IsNaN(key))
        {
            key = float.PositiveInfinity;
        }
        int b = query * _k;
        int n = _counts[query];
        if (n == _k)
        {
            float top = _keys[b];
            if (key > top || (key == top && position > _positions[b]))
            {
                return;
            }
            SiftDown(b, key, position);
            return;
        }
        SiftUp(b, n, key, position);
        _counts[query] = n + 1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Worse(float ka, int pa, float kb, int pb) => ka > kb || (ka == kb && pa > pb);

    private void SiftUp(int b, int i, float key, int position)
    {
        float[] keys = _keys;
        int[] pos = _positions;
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(key, position, keys[b + parent], pos[b + parent]))
            {
                break;
            }
            keys[b + i] = keys[b + parent];
            pos[b + i] = pos[b + parent];
            i = parent;
        }
        keys[b + i] = key;
        pos[b + i] = position;
    }

    /// <summary>Replaces the root with (key, position) and restores the heap.</summary>
    private void SiftDown(int b, float key, int position)
    {
        float[] keys = _keys;
        int[] pos = _positions;
        int n = _k;
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= n)
            {
                break;
            }
            int right = child + 1;
            if (right < n && Worse(keys[b + right], pos[b + right], keys[b + child], pos[b + child]))
            {
                child = right;
            }
            if (!Worse(keys[b + child], pos[b + child], key, position))
            {
                break;
            }
            keys[b + i] = keys[b + child];
            pos[b + i] = pos[b + child];
            i = child;
        }
        keys[b + i] = key;
        pos[b + i] = position;
    }
}
