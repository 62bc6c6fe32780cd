namespace MilvusOps.Engine.Pipelines.Migration;

/// <summary>
/// What a rejects line carries beside the pattern fields, and the rule Add-Pattern applies to a line piped
/// back: a line that still carries its <see cref="ErrorIdProperty"/> was not fixed, so it does not land
/// (a fixed line, with ErrorId removed, imports as is).
/// </summary>
public static class RejectLine
{
    public const string SourceRowProperty = "SourceRow";
    public const string ErrorIdProperty = "ErrorId";
    public const string ReasonProperty = "Reason";

    /// <summary>The pattern fields that failed to decode: null on the line, their raw values under Values.</summary>
    public const string UndecodedProperty = "Undecoded";

    /// <summary>The source file, which tells this import's rejects file from any other file.</summary>
    public const string SourceProperty = "Source";

    public const string DuplicateErrorId = "DuplicatePatternId";

    /// <summary>
    /// Why an object carrying a reject's ErrorId may not land; null when it may. Without <paramref name="force"/>
    /// it never does. With it, it does once the fields in <paramref name="undecoded"/> hold values. A rejected
    /// duplicate never does while it keeps its ErrorId: it would silently replace the first occurrence.
    /// </summary>
    /// <param name="isNull">Whether a pattern field (by Add-Pattern's name) is still null on the object.</param>
    public static MilvusOpsException? Refusal(string? patternId, string? errorId, object? sourceRow, IReadOnlyList<string> undecoded,
        Func<string, bool> isNull, bool force)
    {
        ArgumentNullException.ThrowIfNull(undecoded);
        ArgumentNullException.ThrowIfNull(isNull);
        if (string.IsNullOrWhiteSpace(errorId)) return null;
        string line = $"Input '{patternId}' is a rejects line (source row {sourceRow}, ErrorId {errorId})";
        if (errorId == DuplicateErrorId)
            return Unfixed(patternId, $"{line}: the first occurrence of its id is what the import wrote, and this line would replace it. " +
                "Give it another PatternId, or remove its ErrorId to replace the first occurrence on purpose; -Force does not land it.");
        if (!force)
            return Unfixed(patternId, $"{line} that still carries its ErrorId. Fix the line and remove ErrorId (and Reason), " +
                "or pass -Force to land lines whose fields you fixed and whose ErrorId you kept.");
        var stillEmpty = undecoded.Where(isNull).ToList();
        return stillEmpty.Count == 0 ? null
            : Unfixed(patternId, $"{line}: {string.Join(", ", stillEmpty)} did not decode and {(stillEmpty.Count == 1 ? "is" : "are")} still empty. " +
                "Fill them in from the line's Values (or remove them from Undecoded to store them empty), then pipe it in again.");
    }

    private static MilvusOpsException Unfixed(string? patternId, string message) =>
        new("UnfixedReject", ErrorKind.InvalidData, message, patternId);
}
