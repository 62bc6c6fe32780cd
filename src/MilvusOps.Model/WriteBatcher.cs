namespace MilvusOps.Model;

/// <summary>
/// The one place that decides where a stream of patterns is cut into write batches: by rows, and by encoded bytes as
/// <see cref="WriteBatch.SizeOf"/> measures them. It has two byte rules:
/// <list type="bullet">
/// <item><see cref="ForWriters"/> (Add-Pattern, the importer): a batch closes once it holds the rows or its bytes reach the cap,
/// so it passes the cap by at most its last pattern.</item>
/// <item><see cref="ForRequests"/> (the Milvus store): a request never passes its cap; a pattern that would take it past
/// starts the next one, and a pattern larger than the cap goes alone. The store's cap is twice the writers', so a
/// writer's batch always goes as one request.</item>
/// </list>
/// </summary>
/// <typeparam name="T">What is batched: patterns, or an importer's rows, some of which are rejects that take a row but no bytes.</typeparam>
public sealed class WriteBatcher<T>
{
    private readonly int _maxRows;
    private readonly long _maxBytes;
    private readonly bool _bytesAreHardLimit;
    private List<T> _batch = [];
    private long _bytes;

    private WriteBatcher(int maxRows, long maxBytes, bool bytesAreHardLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        (_maxRows, _maxBytes, _bytesAreHardLimit) = (maxRows, maxBytes, bytesAreHardLimit);
    }

    /// <summary>A writer's batches: each closes at <paramref name="maxRows"/> items or once its patterns reach <paramref name="maxBytes"/>.</summary>
    public static WriteBatcher<T> ForWriters(int maxRows, long maxBytes = WriteBatch.MaxBytes) => new(maxRows, maxBytes, bytesAreHardLimit: false);

    /// <summary>Requests of at most <paramref name="maxBytes"/> each, or of one pattern larger than that.</summary>
    public static WriteBatcher<T> ForRequests(long maxBytes) => new(int.MaxValue, maxBytes, bytesAreHardLimit: true);

    /// <summary>Adds an item, measured by its pattern; null for an item that takes a row but is not written (an import's reject).
    /// Returns a batch once one is complete: a writer's with this item, a request's without it (the item starts the next); else null.</summary>
    public List<T>? Add(T item, Pattern? pattern)
    {
        long size = pattern is null ? 0 : WriteBatch.SizeOf(pattern);
        if (_bytesAreHardLimit)
        {
            // A request may not pass its cap: the pattern that would take it past starts the next one.
            var full = _batch.Count > 0 && _bytes + size > _maxBytes ? Take() : null;
            Append(item, size);
            return full;
        }
        // A writer's batch closes after the item that fills it.
        Append(item, size);
        return _batch.Count >= _maxRows || _bytes >= _maxBytes ? Take() : null;
    }

    /// <summary>The unfinished batch, handed over; null when there is none. At the end of the input, or to flush early.</summary>
    public List<T>? TakeRest() => _batch.Count > 0 ? Take() : null;

    /// <summary>The items, cut into batches, lazily.</summary>
    public IEnumerable<List<T>> Cut(IEnumerable<T> items, Func<T, Pattern?> patternOf)
    {
        foreach (var item in items)
            if (Add(item, patternOf(item)) is { } batch)
                yield return batch;
        if (TakeRest() is { } rest)
            yield return rest;
    }

    private void Append(T item, long size)
    {
        _batch.Add(item);
        _bytes += size;
    }

    private List<T> Take()
    {
        var batch = _batch;
        _batch = [];
        _bytes = 0;
        return batch;
    }
}
