using System.Globalization;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// An expression that is not valid filter syntax. <see cref="MilvusOpsException.Target"/> is the
/// expression; <see cref="Position"/> is the 0-based character offset of the problem.
/// </summary>
public sealed class FilterParseException : MilvusOpsException
{
    public FilterParseException(string expression, int position, string expected, string found)
        : base(
            FilterErrors.SyntaxErrorId,
            ErrorKind.ParserError,
            string.Create(CultureInfo.InvariantCulture, $"Filter syntax error at position {position}: expected {expected} but found {found}."),
            expression)
    {
        Position = position;
        Expected = expected;
        Found = found;
    }

    /// <summary>0-based character offset in the expression.</summary>
    public int Position { get; }

    /// <summary>What the parser wanted at <see cref="Position"/>, in words (e.g. <c>']'</c>).</summary>
    public string Expected { get; }

    /// <summary>What it found there, in words (e.g. <c>'and'</c> or <c>end of expression</c>).</summary>
    public string Found { get; }
}

/// <summary>The stable ErrorIds of the filter language and factories for the non-syntax ones.</summary>
internal static class FilterErrors
{
    public const string SyntaxErrorId = "FilterSyntaxError";
    public const string FieldNotFoundId = "FilterFieldNotFound";
    public const string FieldNotFilterableId = "FilterFieldNotFilterable";
    public const string NotSupportedId = "FilterNotSupported";
    public const string TypeMismatchId = "FilterTypeMismatch";
    public const string InvalidLiteralId = "FilterInvalidLiteral";

    /// <summary>Valid Milvus syntax that MilvusOps builds no tree for, so neither backend takes it.</summary>
    public static MilvusOpsException NotSupported(string construct, int position, string? expression) =>
        new(NotSupportedId, ErrorKind.NotImplemented,
            string.Create(CultureInfo.InvariantCulture,
                $"Filter construct not supported by MilvusOps at position {position}: {construct}."),
            expression);

    /// <summary>
    /// Valid syntax that Milvus 2.5 itself refuses (its parser, or its query nodes, answer an error), so that neither
    /// backend takes it: a script that runs on the embedded store runs on the server.
    /// </summary>
    public static MilvusOpsException NotSupportedByMilvus(string construct, int position, string? expression) =>
        new(NotSupportedId, ErrorKind.NotImplemented,
            string.Create(CultureInfo.InvariantCulture,
                $"Filter construct not supported by Milvus 2.5 at position {position}: {construct}."),
            expression);

    /// <summary>A literal whose value Milvus cannot use, such as a string whose escapes make bytes that are not UTF-8.</summary>
    public static MilvusOpsException InvalidLiteral(string message, object? target) =>
        new(InvalidLiteralId, ErrorKind.InvalidArgument, message, target);

    /// <summary>A checked filter that SQLite cannot evaluate; the Milvus store sends it to Milvus.</summary>
    public static MilvusOpsException NotSupportedByEmbeddedStore(string construct, int position, string? expression) =>
        new(NotSupportedId, ErrorKind.NotImplemented,
            string.Create(CultureInfo.InvariantCulture,
                $"Filter construct not supported by the embedded store at position {position}: {construct}. A Milvus server evaluates it."),
            expression);

    public static MilvusOpsException TypeMismatch(string message, int position) =>
        new(TypeMismatchId, ErrorKind.InvalidArgument,
            string.Create(CultureInfo.InvariantCulture, $"Filter type mismatch at position {position}: {message}"));

    public static MilvusOpsException FieldNotFound(string name, IReadOnlyList<FilterField> fields) =>
        new(FieldNotFoundId, ErrorKind.InvalidArgument,
            $"Filter field '{name}' does not exist. Fields: {(fields.Count == 0 ? "(none)" : string.Join(", ", fields.Select(f => f.Name)))}.",
            name);

    public static MilvusOpsException FieldNotFilterable(FilterField field) =>
        new(FieldNotFilterableId, ErrorKind.InvalidArgument,
            $"Field '{field.Name}' is a {field.Kind} field and cannot be used in a filter expression.",
            field.Name);
}
