namespace MilvusOps.Model;

/// <summary>
/// A filter as a command gives it: the Milvus expression (-Filter) and the values of its {name} placeholders
/// (-FilterParameter). The values never become text: Milvus receives them as the request's template values, and the
/// embedded store binds them as SQL parameters, so a script's values need no quoting and cannot change the expression.
/// </summary>
public sealed class PatternFilter
{
    private static readonly IReadOnlyDictionary<string, object?> NoParameters = new Dictionary<string, object?>();

    public PatternFilter(string expression, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        Expression = expression ?? throw new ArgumentNullException(nameof(expression));
        Parameters = parameters ?? NoParameters;
    }

    public string Expression { get; }

    public IReadOnlyDictionary<string, object?> Parameters { get; }

    /// <summary>A filter without placeholders; null for no filter (null, empty or whitespace).</summary>
    public static implicit operator PatternFilter?(string? expression) => From(expression);

    /// <summary>Null for no filter (an expression that is null, empty or whitespace).</summary>
    public static PatternFilter? From(string? expression, IReadOnlyDictionary<string, object?>? parameters = null) =>
        string.IsNullOrWhiteSpace(expression) ? null : new PatternFilter(expression, parameters);

    /// <summary>
    /// This filter and one more condition, whose placeholder value joins the others: (this) and (condition). A null
    /// <paramref name="filter"/> gives the condition alone.
    /// </summary>
    public static PatternFilter And(PatternFilter? filter, string condition, string name, object value)
    {
        var parameters = new Dictionary<string, object?>(filter?.Parameters ?? NoParameters, StringComparer.Ordinal);
        if (!parameters.TryAdd(name, value))
            throw new MilvusOpsException("FilterParameterInvalid", ErrorKind.InvalidArgument,
                $"The filter parameter '{name}' is reserved by MilvusOps; give yours another name.", name);
        return new PatternFilter(filter is null ? condition : $"({filter.Expression.Trim()}) and ({condition})", parameters);
    }

    public override string ToString() => Expression;
}
