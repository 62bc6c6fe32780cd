namespace MilvusOps.Engine.Filtering;

/// <summary>
/// A filter expression parsed once and checked (<see cref="FilterChecker"/>) against the fields of a collection, in the
/// dialect of the store's Milvus line (<see cref="FilterDialect"/>): the one tree each store renders from. The embedded store renders it to SQL (<see cref="ToSqlite"/>); the Milvus store
/// sends <see cref="Text"/>, never the text as the user wrote it.
/// </summary>
public sealed class ParsedFilter
{
    private readonly IReadOnlyDictionary<object, string> _templates;
    private string? _text;
    private IReadOnlyDictionary<string, object?>? _templateValues;

    private ParsedFilter(FilterNode tree, IReadOnlyList<FilterField> fields, string expression, IReadOnlyDictionary<object, string> templates)
    {
        Tree = tree;
        Fields = fields;
        Expression = expression;
        _templates = templates;
    }

    internal FilterNode Tree { get; }

    /// <summary>The fields the tree was checked against, and where the embedded store keeps them.</summary>
    public IReadOnlyList<FilterField> Fields { get; }

    /// <summary>The expression as written; errors name it as their target.</summary>
    public string Expression { get; }

    /// <summary>
    /// The canonical text of the tree (<see cref="FilterFormatter"/>): fully parenthesized Milvus 2.5 syntax, lower-case
    /// keywords, double-quoted strings, decimal numbers, that parses back to the same tree. A placeholder stays a
    /// placeholder ({name}); its value is in <see cref="TemplateValues"/>.
    /// </summary>
    public string Text
    {
        get
        {
            if (_text is null)
            {
                var used = new HashSet<string>(StringComparer.Ordinal);
                _text = FilterFormatter.Format(Tree, _templates, used);
                _templateValues = _templates.Where(t => used.Contains(t.Value)).DistinctBy(t => t.Value).ToDictionary(
                    t => t.Value, t => (object?)(t.Key is LiteralNode literal ? FilterTemplates.Value(literal) : FilterTemplates.Value((IReadOnlyList<LiteralNode>)t.Key)),
                    StringComparer.Ordinal);
            }

            return _text;
        }
    }

    /// <summary>
    /// The values of the placeholders <see cref="Text"/> holds, as Milvus's template values take them: bool, long,
    /// double, string, or a list of those (the Milvus store sends them as the request's expr_template_values).
    /// </summary>
    public IReadOnlyDictionary<string, object?> TemplateValues
    {
        get
        {
            _ = Text;
            return _templateValues!;
        }
    }

    /// <summary>
    /// Parses and checks <paramref name="expression"/>; null when it is null, empty or whitespace ("no filter").
    /// </summary>
    /// <exception cref="MilvusOpsException">FilterSyntaxError, FilterNotSupported, FilterTooComplex, FilterFieldNotFound,
    /// FilterFieldNotFilterable or FilterTypeMismatch.</exception>
    public static ParsedFilter? Parse(string? expression, IReadOnlyList<FilterField> fields) => Parse(expression, fields, null, FilterDialect.Milvus25);

    /// <summary>
    /// Parses and checks <paramref name="expression"/> with the values of its {name} placeholders, as Milvus fills
    /// them in before it checks the plan: each value is the literal it stands for. The verdicts are
    /// <paramref name="dialect"/>'s. Null for no filter.
    /// </summary>
    /// <exception cref="MilvusOpsException">The errors above, and FilterParameterInvalid for a placeholder without a
    /// value, a value without a placeholder, or a value that is no string, number, bool or list of them.</exception>
    public static ParsedFilter? Parse(string? expression, IReadOnlyList<FilterField> fields, IReadOnlyDictionary<string, object?>? parameters,
        FilterDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(dialect);
        FilterNode? tree = FilterParser.Parse(expression, parameters, dialect, out var templates);
        if (tree is null)
        {
            return null;
        }

        FilterChecker.Check(tree, fields, expression, dialect);
        return new ParsedFilter(tree, fields, expression!, templates);
    }

    /// <summary>Parses and checks a command's filter with its placeholder values, in a store's dialect; null for no filter.</summary>
    public static ParsedFilter? Parse(PatternFilter? filter, IReadOnlyList<FilterField> fields, FilterDialect dialect) =>
        Parse(filter?.Expression, fields, filter?.Parameters, dialect);

    /// <summary>The filter as parameterized SQLite for the embedded store.</summary>
    /// <exception cref="MilvusOpsException">FilterNotSupported for a construct SQLite cannot evaluate, such as a list as
    /// the element json_contains looks for.</exception>
    public SqlFilter ToSqlite(string parameterPrefix = "@f") => SqliteFilterTranslator.Translate(this, parameterPrefix);
}
