namespace MilvusOps.Engine.Filtering;

/// <summary>
/// A filter expression parsed once and checked (<see cref="FilterChecker"/>) against the fields of a collection: the
/// one tree each store renders from. The embedded store renders it to SQL (<see cref="ToSqlite"/>); the Milvus store
/// sends <see cref="Text"/>, never the text as the user wrote it.
/// </summary>
public sealed class ParsedFilter
{
    private string? _text;

    private ParsedFilter(FilterNode tree, IReadOnlyList<FilterField> fields, string expression)
    {
        Tree = tree;
        Fields = fields;
        Expression = expression;
    }

    internal FilterNode Tree { get; }

    /// <summary>The fields the tree was checked against, and where the embedded store keeps them.</summary>
    public IReadOnlyList<FilterField> Fields { get; }

    /// <summary>The expression as written; errors name it as their target.</summary>
    public string Expression { get; }

    /// <summary>
    /// The canonical text of the tree (<see cref="FilterFormatter"/>): fully parenthesized Milvus 2.5 syntax, lower-case
    /// keywords, double-quoted strings, decimal numbers, that parses back to the same tree.
    /// </summary>
    public string Text => _text ??= FilterFormatter.Format(Tree);

    /// <summary>
    /// Parses and checks <paramref name="expression"/>; null when it is null, empty or whitespace ("no filter").
    /// </summary>
    /// <exception cref="MilvusOpsException">FilterSyntaxError, FilterNotSupported (a construct outside the tree, such as a
    /// template), FilterTooComplex, FilterFieldNotFound, FilterFieldNotFilterable or FilterTypeMismatch.</exception>
    public static ParsedFilter? Parse(string? expression, IReadOnlyList<FilterField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        FilterNode? tree = FilterParser.Parse(expression);
        if (tree is null)
        {
            return null;
        }

        FilterChecker.Check(tree, fields, expression);
        return new ParsedFilter(tree, fields, expression!);
    }

    /// <summary>The filter as parameterized SQLite for the embedded store.</summary>
    /// <exception cref="MilvusOpsException">FilterNotSupported for a construct SQLite cannot evaluate, such as a list as
    /// the element json_contains looks for.</exception>
    public SqlFilter ToSqlite(string parameterPrefix = "@f") => SqliteFilterTranslator.Translate(this, parameterPrefix);
}
