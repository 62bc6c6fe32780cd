namespace MilvusOps.Engine.Sources;

/// <summary>
/// One source row as read: a valid <see cref="Pattern"/>, or a reject with the reason and the row's
/// original column values (JSON-serializable: BLOBs are base64 strings, non-finite REALs are strings)
/// so the reject file can be fixed and re-imported.
/// </summary>
public sealed class SourceRecord
{
    private static readonly IReadOnlyDictionary<string, object?> NoValues = new Dictionary<string, object?>();

    /// <summary>A row that became a pattern.</summary>
    public SourceRecord(long sourceRow, Pattern pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        SourceRow = sourceRow;
        Pattern = pattern;
        PatternId = pattern.PatternId;
        OriginalValues = NoValues;
        DecodedFields = NoValues;
        UndecodedFields = [];
    }

    /// <summary>A rejected row.</summary>
    public SourceRecord(long sourceRow, string? patternId, string errorId, string reason, IReadOnlyDictionary<string, object?> originalValues,
        IReadOnlyDictionary<string, object?>? decodedFields = null, IReadOnlyList<string>? undecodedFields = null)
    {
        SourceRow = sourceRow;
        PatternId = patternId;
        ErrorId = errorId;
        Reason = reason;
        OriginalValues = originalValues;
        DecodedFields = decodedFields ?? NoValues;
        UndecodedFields = undecodedFields ?? [];
    }

    /// <summary>The table's rowid (or, for a query or a table without rowid, the 1-based row number).</summary>
    public long SourceRow { get; }

    /// <summary>The pattern; null when the row was rejected.</summary>
    public Pattern? Pattern { get; }

    /// <summary>The pattern id, as far as it could be read (null when the id itself was the problem).</summary>
    public string? PatternId { get; }

    /// <summary>Why the row was rejected: a stable ErrorId such as VectorDimensionMismatch.</summary>
    public string? ErrorId { get; }

    /// <summary>What is wrong, naming the column and the value.</summary>
    public string? Reason { get; }

    /// <summary>The raw values of every source column of a rejected row, in column order; empty for a valid row.</summary>
    public IReadOnlyDictionary<string, object?> OriginalValues { get; }

    /// <summary>
    /// For a rejected row: the pattern fields that did decode, keyed by Add-Pattern's parameter names
    /// (PatternId, Vector, PatternType, CoherenceMetrics, TemporalContext); null where a field did not.
    /// </summary>
    public IReadOnlyDictionary<string, object?> DecodedFields { get; }

    /// <summary>For a rejected row: the fields of <see cref="DecodedFields"/> that are null because they failed to decode.</summary>
    public IReadOnlyList<string> UndecodedFields { get; }

    public bool IsValid => Pattern is not null;

    public override string ToString() =>
        IsValid ? $"{SourceRow}: {PatternId}" : $"{SourceRow}: rejected ({ErrorId}): {Reason}";
}
