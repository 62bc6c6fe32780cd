namespace MilvusOps.Model;

/// <summary>
/// A filter as a command gives it: the Milvus expression (-Filter) and the values of its {name} placeholders
/// (-FilterParameter). The values never become text: Milvus receives them as the request's template values, and the
/// embedded store binds them as SQL parameters, so a script's values need no quoting and cannot change the expression.
/// </summary>
public sealed class PatternFilter
{
    /// <summary>The ErrorId of a placeholder without a value, a value without a placeholder, or a value of another kind.</summary>
    public const string InvalidParameterId = "FilterParameterInvalid";

    internal static readonly IReadOnlyDictionary<string, object?> NoParameters = new Dictionary<string, object?>();

    public PatternFilter(string expression, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        Expression = expression ?? throw new ArgumentNullException(nameof(expression));
        Parameters = parameters ?? NoParameters;
    }

    public string Expression { get; }

    public IReadOnlyDictionary<string, object?> Parameters { get; }

    /// <summary>A filter without placeholders; null for no filter (null, empty or whitespace).</summary>
    public static implicit operator PatternFilter?(string? expression) => From(expression);

    /// <summary>Null for no filter (an expression that is null, empty or whitespace), which must come without values.</summary>
    public static PatternFilter? From(string? expression, IReadOnlyDictionary<string, object?>? parameters = null)
    {
        if (!string.IsNullOrWhiteSpace(expression)) return new PatternFilter(expression, parameters);
        if (parameters is { Count: > 0 })
            throw new MilvusOpsException(InvalidParameterId, ErrorKind.InvalidArgument,
                "-FilterParameter gives values for a filter's {name} placeholders, but there is no -Filter.", parameters.Keys.First());
        return null;
    }

    public override string ToString() => Expression;
}
