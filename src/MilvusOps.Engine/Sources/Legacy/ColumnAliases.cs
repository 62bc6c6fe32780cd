namespace MilvusOps.Engine.Sources.Legacy;

/// <summary>A column of the source: its name, declared type and ordinal in the read statement.</summary>
internal sealed record SourceColumn(string Name, string DeclaredType, int Ordinal)
{
    public override string ToString() => DeclaredType.Length == 0 ? Name : $"{Name} {DeclaredType}";
}

/// <summary>
/// The names legacy schemas use for each pattern field. A field matches its own name first, then
/// these aliases in order: pattern-specific names come before generic ones (<c>pattern_key</c>
/// beats <c>id</c>), so a surrogate <c>id INTEGER PRIMARY KEY</c> loses to the real key column.
/// Matching ignores case, and a second pass also ignores '_', '-' and spaces (PatternKey, pattern-key).
/// </summary>
internal static class ColumnAliases
{
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ByField =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            [PatternSchema.PatternId] =
            [
                "pattern_key", "patternid", "pattern_uid", "pattern_uuid", "pattern_guid",
                "uid", "uuid", "guid", "key", "pid", "id",
            ],
            [PatternSchema.Vector] =
            [
                "vector_blob", "embedding", "embeddings", "emb", "vec", "vectors", "embedding_blob", "features",
            ],
            [PatternSchema.PatternType] =
            [
                "pattern_kind", "ptype", "kind", "type", "category",
            ],
            [PatternSchema.CoherenceMetrics] =
            [
                "coherence_json", "coherence_metrics_json", "coherence", "metrics", "metrics_json", "quality",
            ],
            [PatternSchema.TemporalContext] =
            [
                "temporal_json", "temporal_context_json", "time_context", "temporal", "context", "context_json", "ctx",
            ],
        };

    /// <summary>
    /// The best-matching free column for a field, or null. <paramref name="matchedBy"/> says how:
    /// "exact name" or "alias".
    /// </summary>
    public static SourceColumn? Match(string field, IReadOnlyList<SourceColumn> columns, IReadOnlySet<int> taken, out string matchedBy)
    {
        var names = new List<string> { field };
        names.AddRange(ByField[field]);
        foreach (bool loose in new[] { false, true })
        {
            foreach (string name in names)
            {
                string wanted = loose ? Normalize(name) : name;
                foreach (var column in columns)
                {
                    if (taken.Contains(column.Ordinal)) continue;
                    bool same = loose
                        ? string.Equals(Normalize(column.Name), wanted, StringComparison.Ordinal)
                        : string.Equals(column.Name, wanted, StringComparison.OrdinalIgnoreCase);
                    if (!same) continue;
                    matchedBy = name == field && !loose ? "exact name" : name == field ? "field name" : $"alias '{name}'";
                    return column;
                }
            }
        }
        matchedBy = "";
        return null;
    }

    private static string Normalize(string name)
    {
        Span<char> buffer = stackalloc char[Math.Min(name.Length, 256)];
        int length = 0;
        foreach (char c in name)
        {
            if (c is '_' or '-' or ' ') continue;
            if (length == buffer.Length) return name.ToLowerInvariant();
            buffer[length++] = char.ToLowerInvariant(c);
        }
        return new string(buffer[..length]);
    }
}
