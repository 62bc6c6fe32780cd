using System.Collections;
using System.Globalization;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// The {name} placeholders of a filter and their values (Milvus 2.5's expression templates; pymilvus's filter_params).
/// The parser puts each value into the tree as the literal it stands for, so the check and the embedded store's SQL
/// treat it as any constant (bound as a parameter there); the tree remembers which literal was which placeholder, and
/// the canonical text sent to Milvus keeps the placeholder, its value going beside it as a template value.
/// </summary>
internal sealed class FilterTemplates
{
    private readonly IReadOnlyDictionary<string, object?> _values;
    private readonly string _expression;
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Which literal (or <see cref="InNode.Items"/> list) each placeholder became, by reference.</summary>
    private readonly Dictionary<object, string> _names = new(ReferenceEqualityComparer.Instance);

    public FilterTemplates(IReadOnlyDictionary<string, object?>? values, string expression)
    {
        _values = values ?? new Dictionary<string, object?>();
        _expression = expression;
        foreach (string name in _values.Keys)
        {
            if (name.Length == 0 || !FilterLexer.IsIdentifierStart(name[0]) || !name.All(FilterLexer.IsIdentifierPart))
                throw Invalid($"The filter parameter name '{name}' cannot be a placeholder: a name is a letter or '_' followed by letters, digits or '_'.");
        }
    }

    public IReadOnlyDictionary<object, string> Names => _names;

    /// <summary>The literal a placeholder stands for, remembered as that placeholder.</summary>
    public LiteralNode Literal(string name, int position)
    {
        if (!_values.TryGetValue(name, out object? value))
        {
            throw Invalid(_values.Count == 0
                ? $"The filter has the placeholder {{{name}}} at position {position}, but no value for it: pass -FilterParameter @{{ {name} = ... }}."
                : $"The filter has the placeholder {{{name}}} at position {position}, but -FilterParameter has no value for it (it has {string.Join(", ", _values.Keys.Order(StringComparer.Ordinal))}).");
        }

        _used.Add(name);
        LiteralNode literal = ToLiteral(name, value, position, depth: 0);
        _names[literal] = name;
        return literal;
    }

    /// <summary>Remembers the items of an <c>in {name}</c> list as that placeholder.</summary>
    public IReadOnlyList<LiteralNode> Items(ListLiteral list)
    {
        if (_names.Remove(list, out string? name)) _names[list.Items] = name;
        return list.Items;
    }

    /// <summary>Every value must be used: a name no placeholder has is a typo that would otherwise go unnoticed.</summary>
    public void CheckAllUsed()
    {
        var unused = _values.Keys.Where(k => !_used.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw Invalid($"-FilterParameter has {(unused.Count == 1 ? "a value" : "values")} for {string.Join(", ", unused.Select(n => "{" + n + "}"))}, but the filter has no such placeholder.");
    }

    /// <summary>The value a placeholder literal carries, as Milvus's template value: bool, long, double, string or a list.</summary>
    public static object Value(LiteralNode literal) => literal switch
    {
        BoolLiteral b => b.Value,
        IntegerLiteral i => i.Value,
        FloatLiteral f => f.Value,
        StringLiteral s => s.Value,
        ListLiteral l => l.Items.Select(Value).ToList(),
        _ => throw new ArgumentOutOfRangeException(nameof(literal), literal.GetType().Name, "Not a template literal."),
    };

    public static object Value(IReadOnlyList<LiteralNode> items) => items.Select(Value).ToList();

    private LiteralNode ToLiteral(string name, object? value, int position, int depth) => value switch
    {
        null => throw Invalid($"The filter parameter {{{name}}} is null; Milvus's templates take a string, a number, a bool or a list of them."),
        bool b => new BoolLiteral(position, b),
        string s when HasUtf8Form(s) => new StringLiteral(position, s),
        char c when !char.IsSurrogate(c) => new StringLiteral(position, c.ToString()),
        sbyte or byte or short or ushort or int or uint or long => new IntegerLiteral(position, Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        ulong u when u <= long.MaxValue => new IntegerLiteral(position, (long)u),
        float or double or decimal when Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d) => new FloatLiteral(position, d),
        IEnumerable list and not (IDictionary or string) when depth < FilterLimits.MaxDepth =>
            new ListLiteral(position, list.Cast<object?>().Select(item => ToLiteral(name, item, position, depth + 1)).ToList()),
        _ => throw Invalid($"The filter parameter {{{name}}} holds {Describe(value)}; Milvus's templates take a string, a finite number, a bool or a list of them."),
    };

    /// <summary>Whether a string is whole UTF-16: half of a surrogate pair has no UTF-8 form, and both Milvus's protobuf
    /// strings and SQLite would store another character in its place.</summary>
    private static bool HasUtf8Form(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (!char.IsHighSurrogate(s[i]) || i + 1 == s.Length || !char.IsLowSurrogate(s[++i])) return false;
        }

        return true;
    }

    private static string Describe(object value) => value switch
    {
        string or char => "text with half of a UTF-16 surrogate pair, which has no UTF-8 form",
        double or float or decimal => "the number " + Convert.ToString(value, CultureInfo.InvariantCulture),
        ulong u => "the number " + u.ToString(CultureInfo.InvariantCulture) + ", beyond int64",
        IDictionary => "a dictionary",
        IEnumerable => "lists nested too deep",
        _ => "a " + value.GetType().Name,
    };

    private MilvusOpsException Invalid(string message) => new(PatternFilter.InvalidParameterId, ErrorKind.InvalidArgument, message, _expression);
}
