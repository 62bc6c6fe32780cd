using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Sources.Collections;

/// <summary>
/// A collection of any store read as a source, in primary-key order, rows numbered from 1 in that order: what a copy
/// imports and what the fidelity check compares a copy with. A resumed copy skips the rows an earlier run did by their
/// number, so a source that changed between the runs is caught by the fidelity check at the end, not trusted.
/// </summary>
public sealed class CollectionSource : IPatternSource
{
    private static readonly IReadOnlyDictionary<string, object?> NoValues = new Dictionary<string, object?>();
    private readonly PatternSession _session;
    private readonly PatternFilter? _filter;
    private readonly IDisposable? _owner;

    private CollectionSource(PatternSession session, PatternCollection collection, PatternFilter? filter, long rows, IDisposable? owner)
    {
        _session = session;
        Collection = collection;
        _filter = filter;
        RowCount = rows;
        _owner = owner;
    }

    /// <summary>The collection, as described when the source was opened.</summary>
    public PatternCollection Collection { get; }

    public string Path => _session.Connection.Uri;
    public string? Table => $"{_session.Connection.Database}/{Collection.Name}";
    public string? Query => _filter?.Expression;
    public int? Dimension => Collection.Dimension;
    public long RowCount { get; }
    public bool ReadsIdsBack => false;

    /// <summary>Opens the collection as a source; <paramref name="owner"/> (a connection opened for it) closes with the source.</summary>
    /// <exception cref="MilvusOpsException">CollectionNotFound; the filter's errors.</exception>
    public static CollectionSource Open(PatternSession session, string collection, PatternFilter? filter = null, IDisposable? owner = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        var described = session.Describe(collection);
        return new CollectionSource(session, described, filter, session.Count(described.Name, filter), owner);
    }

    public string DescribeMapping() =>
        $"# Collection {Collection.Name} at {Path} (database {_session.Connection.Database}, {_session.Connection.ServerVersion})\n\n" +
        $"- {RowCount} patterns when the copy began" + (_filter is null ? "" : $", filter `{_filter.Expression}`") + ", read in primary-key order\n" +
        $"- {Collection.Dimension}-d vectors, {Collection.IndexType} {Collection.Metric}; every field maps to the field of the same name\n";

    public IEnumerable<SourceRecord> Read(long afterSourceRow = 0)
    {
        long row = 0;
        foreach (var pattern in _session.Query(Collection.Name, _filter))
        {
            if (++row <= afterSourceRow) continue;
            yield return new SourceRecord(row, pattern);
        }
    }

    public IEnumerable<(long Row, string Id)> Ids(long afterSourceRow, long upToSourceRow) =>
        Read(afterSourceRow).TakeWhile(r => r.SourceRow <= upToSourceRow).Select(r => (r.SourceRow, r.PatternId!));

    /// <summary>A reject of a copy carries the pattern's fields; the source collection holds the original.</summary>
    public IReadOnlyDictionary<string, object?> ValuesOf(long sourceRow) => NoValues;

    /// <summary>The session belongs to whoever opened the source; a connection opened for the source closes here.</summary>
    public void Dispose() => _owner?.Dispose();
}
