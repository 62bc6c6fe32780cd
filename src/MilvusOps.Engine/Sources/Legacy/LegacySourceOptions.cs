using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Sources.Legacy;

/// <summary>
/// What <see cref="LegacySource.Open"/> reads: a legacy SQLite file and, optionally, the table or
/// read-only query to read, a column map overriding name matching, and the vector dimension.
/// </summary>
/// <param name="Path">The legacy SQLite file. It is opened read-only and never changed.</param>
public sealed record LegacySourceOptions(string Path)
{
    /// <summary>The table (or view) to read. Without Table and Query the source is discovered.</summary>
    public string? Table { get; init; }

    /// <summary>A single read-only SELECT (or WITH … SELECT) statement to read instead of a table.</summary>
    public string? Query { get; init; }

    /// <summary>Which source column(s) each pattern field comes from; fields it leaves out are matched by name.</summary>
    public ColumnMap? ColumnMap { get; init; }

    /// <summary>The vector dimension; inferred from a sample of the source when not given.</summary>
    public int? Dimension { get; init; }

    /// <summary>How many non-null vector values the dimension and encoding sample reads (default 1000).</summary>
    public int SampleSize { get; init; } = 1000;
}

/// <summary>Where one pattern field comes from in the source.</summary>
public abstract record ColumnSource
{
    private ColumnSource() { }

    /// <summary>The field is one source column.</summary>
    public sealed record Column(string Name) : ColumnSource
    {
        public override string ToString() => Name;
    }

    /// <summary>
    /// A JSON field built from several scalar columns: each becomes one key of a JSON object, in
    /// this order. Only coherence_metrics and temporal_context accept it.
    /// </summary>
    public sealed record Composite(IReadOnlyList<(string Key, string Column)> Keys) : ColumnSource
    {
        /// <summary>A composite whose keys are the column names themselves (<c>coherence_metrics = 'qc','qs'</c>).</summary>
        public static Composite FromColumns(IEnumerable<string> columns) =>
            new(columns.Select(c => (c, c)).ToList());

        public override string ToString() =>
            "{" + string.Join(", ", Keys.Select(k => $"{k.Key}: {k.Column}")) + "}";
    }
}

/// <summary>
/// Pattern field name to source: <c>pattern_id</c>, <c>vector</c>, <c>pattern_type</c>,
/// <c>coherence_metrics</c>, <c>temporal_context</c>. Field names match case-insensitively.
/// </summary>
public sealed class ColumnMap
{
    /// <summary>The fields a map may name, in schema order.</summary>
    public static IReadOnlyList<string> Fields { get; } =
    [
        PatternSchema.PatternId, PatternSchema.Vector, PatternSchema.PatternType,
        PatternSchema.CoherenceMetrics, PatternSchema.TemporalContext,
    ];

    private readonly Dictionary<string, ColumnSource> _sources;

    private ColumnMap(Dictionary<string, ColumnSource> sources) => _sources = sources;

    /// <summary>The mapped fields (canonical names) and their sources.</summary>
    public IReadOnlyDictionary<string, ColumnSource> Sources => _sources;

    /// <summary>The source of a field, or null when the map leaves it to name matching.</summary>
    public ColumnSource? this[string field] => _sources.GetValueOrDefault(field);

    /// <summary>Builds a map, checking field names and that only JSON fields are composite.</summary>
    /// <exception cref="MilvusOpsException">ColumnMapInvalid (InvalidArgument).</exception>
    public static ColumnMap FromEntries(IEnumerable<KeyValuePair<string, ColumnSource>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var sources = new Dictionary<string, ColumnSource>(StringComparer.Ordinal);
        foreach (var (key, source) in entries)
        {
            string field = Fields.FirstOrDefault(f => string.Equals(f, key?.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw Invalid($"-ColumnMap names '{key}', which is not a pattern field. Map any of: {string.Join(", ", Fields)}.");
            if (sources.ContainsKey(field))
                throw Invalid($"-ColumnMap maps {field} more than once.");
            sources[field] = source switch
            {
                null => throw Invalid($"-ColumnMap gives no column for {field}."),
                ColumnSource.Column column when string.IsNullOrWhiteSpace(column.Name) =>
                    throw Invalid($"-ColumnMap gives an empty column name for {field}."),
                ColumnSource.Column column => column,
                ColumnSource.Composite composite => CheckComposite(field, composite),
                _ => throw Invalid($"-ColumnMap has an unknown kind of source for {field}."),
            };
        }
        return new ColumnMap(sources);
    }

    private static ColumnSource.Composite CheckComposite(string field, ColumnSource.Composite composite)
    {
        if (field is not (PatternSchema.CoherenceMetrics or PatternSchema.TemporalContext))
            throw Invalid($"-ColumnMap maps {field} to several columns; only the JSON fields ({PatternSchema.CoherenceMetrics}, {PatternSchema.TemporalContext}) can be built from several columns. Map {field} to one column.");
        if (composite.Keys is null || composite.Keys.Count == 0)
            throw Invalid($"-ColumnMap maps {field} to an empty set of columns.");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, column) in composite.Keys)
        {
            if (string.IsNullOrEmpty(key) || string.IsNullOrWhiteSpace(column))
                throw Invalid($"-ColumnMap: every key of {field} needs a name and a column.");
            if (!keys.Add(key))
                throw Invalid($"-ColumnMap: {field} has the key '{key}' twice.");
        }
        return composite;
    }

    /// <summary>
    /// The map as a PowerShell hashtable literal an operator can pass to -ColumnMap. A composite is a
    /// nested hashtable; write it as <c>[ordered]@{…}</c> to keep its key order in the JSON documents.
    /// </summary>
    public string ToPowerShell()
    {
        var text = new StringBuilder("@{ ");
        bool first = true;
        foreach (string field in Fields)
        {
            if (!_sources.TryGetValue(field, out var source)) continue;
            if (!first) text.Append("; ");
            first = false;
            text.Append(field).Append(" = ");
            switch (source)
            {
                case ColumnSource.Column column:
                    text.Append(Quote(column.Name));
                    break;
                case ColumnSource.Composite composite:
                    text.Append("@{ ")
                        .AppendJoin("; ", composite.Keys.Select(k => string.Create(CultureInfo.InvariantCulture, $"{Key(k.Key)} = {Quote(k.Column)}")))
                        .Append(" }");
                    break;
            }
        }
        return text.Append(" }").ToString();
    }

    public override string ToString() => ToPowerShell();

    private static string Key(string key) =>
        key.Length > 0 && (char.IsAsciiLetter(key[0]) || key[0] == '_') && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? key : Quote(key);

    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static MilvusOpsException Invalid(string message) =>
        new("ColumnMapInvalid", ErrorKind.InvalidArgument, message);
}
