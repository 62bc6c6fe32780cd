using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Sources.Legacy;

/// <summary>Where one pattern field comes from.</summary>
/// <param name="Field">The pattern field (pattern_id, vector, …).</param>
/// <param name="Source">The column or composite; null when nothing maps to the field.</param>
/// <param name="DeclaredType">The column's declared SQLite type (single columns only; may be empty).</param>
/// <param name="MatchedBy">How it was chosen: "-ColumnMap", "exact name", "alias 'emb'", "detected from data", or "not mapped".</param>
public sealed record FieldMapping(string Field, ColumnSource? Source, string? DeclaredType, string MatchedBy)
{
    /// <summary><c>pattern_id &lt;- uid (INTEGER)</c>, <c>coherence_metrics &lt;- {quantum_coherence: qc}</c>.</summary>
    public override string ToString() => Source switch
    {
        null => $"{Field} <- (not mapped)",
        ColumnSource.Column column when !string.IsNullOrEmpty(DeclaredType) => $"{Field} <- {column.Name} ({DeclaredType})",
        _ => $"{Field} <- {Source}",
    };
}

/// <summary>
/// How a legacy source maps onto patterns: the source, each field's column(s), the vector encodings
/// and dimension found, and the row count. <see cref="ToMarkdown"/> documents it for a migration record.
/// </summary>
public sealed record SourceMapping
{
    public required string SourcePath { get; init; }
    public string? Table { get; init; }
    public string? Query { get; init; }

    /// <summary>Every pattern field, in schema order, mapped or not.</summary>
    public required IReadOnlyList<FieldMapping> Fields { get; init; }

    /// <summary>The field mappings as readable lines: <c>pattern_id &lt;- uid (INTEGER)</c>.</summary>
    public IReadOnlyList<string> FieldLines => Fields.Select(f => f.ToString()).ToList();

    /// <summary>Encodings of the sampled non-null vectors that decode at <see cref="Dimension"/>, with counts.</summary>
    public required IReadOnlyDictionary<VectorEncoding, int> VectorEncodings { get; init; }

    /// <summary>How many non-null vector values were sampled.</summary>
    public int SampledVectors { get; init; }

    /// <summary>Sampled vector values that will be rejected (undecodable or another dimension).</summary>
    public int SampledUnusable { get; init; }

    /// <summary>The vector dimension; null only when the source has no vector values at all.</summary>
    public int? Dimension { get; init; }

    /// <summary>True when the dimension was inferred from the sample rather than given.</summary>
    public bool DimensionInferred { get; init; }

    /// <summary>Rows in the table or query (<c>SELECT count(*)</c> when the source was opened).</summary>
    public long RowCount { get; init; }

    /// <summary>What SourceRow means and the order rows are read in.</summary>
    public required string RowOrder { get; init; }

    /// <summary>Source columns no field reads (they still appear in a reject's original values).</summary>
    public required IReadOnlyList<string> UnmappedColumns { get; init; }

    /// <summary>The tables discovery considered, when no -Table or -Query was given.</summary>
    public IReadOnlyList<string> DiscoveryCandidates { get; init; } = [];

    /// <summary>The -ColumnMap that reproduces this mapping.</summary>
    public required ColumnMap ColumnMap { get; init; }

    public override string ToString() =>
        $"{(Table is not null ? Table : "query")}: {RowCount} rows, {(Dimension is { } d ? d + "-d" : "no")} vectors; " + string.Join("; ", FieldLines);

    /// <summary>The mapping as a Markdown document: source, fields, encodings, and the conversion rules applied.</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        static string Code(string text) => "`" + text.Replace("`", "'", StringComparison.Ordinal) + "`";
        static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

        Line("# Legacy source mapping");
        Line();
        Line("| Property | Value |");
        Line("|---|---|");
        Line($"| Source file | {Cell(Code(SourcePath))} |");
        if (Table is not null) Line($"| Table | {Cell(Code(Table))} |");
        if (Query is not null) Line($"| Query | {Cell(Code(Query))} |");
        Line($"| Rows | {N(RowCount)} |");
        string dimension = Dimension is { } d
            ? DimensionInferred ? $"{d} (inferred from {N(SampledVectors)} sampled vectors)" : $"{d} (given)"
            : "unknown (no vector values)";
        Line($"| Vector dimension | {dimension} |");
        Line($"| Row order / SourceRow | {Cell(RowOrder)} |");
        Line();
        Line("## Field mappings");
        Line();
        Line("| Target field | Source | Declared type | Matched by |");
        Line("|---|---|---|---|");
        foreach (var field in Fields)
        {
            string source = field.Source switch
            {
                null => "(not mapped)",
                ColumnSource.Column column => Code(column.Name),
                ColumnSource.Composite composite => "JSON object: " + string.Join(", ", composite.Keys.Select(k => $"{Code(k.Key)} ← {Code(k.Column)}")),
                _ => field.Source.ToString(),
            };
            Line($"| {field.Field} | {Cell(source)} | {Cell(field.DeclaredType ?? "")} | {Cell(field.MatchedBy)} |");
        }
        Line();
        Line("To reproduce this mapping explicitly:");
        Line();
        Line("```powershell");
        Line($"-ColumnMap {ColumnMap.ToPowerShell()}");
        Line("```");
        Line();
        if (UnmappedColumns.Count > 0)
        {
            Line($"Source columns not mapped: {string.Join(", ", UnmappedColumns.Select(Code))}.");
            Line();
        }
        Line($"## Vector encodings (sample of {N(SampledVectors)} non-null values)");
        Line();
        Line("| Encoding | Sampled rows |");
        Line("|---|---|");
        foreach (var (encoding, count) in VectorEncodings.OrderByDescending(e => e.Value).ThenBy(e => e.Key))
            Line($"| {Describe(encoding)} | {N(count)} |");
        if (SampledUnusable > 0) Line($"| undecodable or another dimension (will be rejected) | {N(SampledUnusable)} |");
        Line();
        if (DiscoveryCandidates.Count > 0)
        {
            Line("## Discovery");
            Line();
            foreach (string candidate in DiscoveryCandidates) Line($"- {Cell(candidate)}");
            Line();
        }
        Line("## Conversion rules");
        Line();
        Line("- pattern_id: TEXT is kept as is; INTEGER, and REAL with an integral value, become their invariant integer text; NULL, empty text, BLOB and fractional REAL ids are rejected.");
        Line("- vector: per row, a BLOB of 4 × dimension bytes is float32 and of 8 × dimension bytes is float64 (little-endian); text is a JSON array or numbers separated by commas, semicolons or whitespace. float64 values are narrowed to float32 (round to nearest); NaN or Infinity rejects the row.");
        Line("- JSON fields from one TEXT column keep the exact text (checked to be a JSON object of at most 65,536 bytes). Composite fields become a JSON object in key order: INTEGER → integer, REAL → number (round-trip, 1.0 stays 1.0), TEXT → string; a NULL column omits its key, all NULL gives no document.");
        Line("- Duplicate ids and the collection's id length limit are checked by the importer, not here.");
        return md.ToString();
    }

    private static string Describe(VectorEncoding encoding) => encoding switch
    {
        VectorEncoding.Float32Blob => "float32 little-endian BLOB",
        VectorEncoding.Float64Blob => "float64 little-endian BLOB (narrowed to float32)",
        VectorEncoding.JsonArrayText => "JSON array text",
        VectorEncoding.DelimitedText => "delimited text (comma, semicolon or whitespace)",
        _ => encoding.ToString(),
    };
}
