using System.Text;

namespace MilvusOps.Model;

/// <summary>
/// The checks a pattern passes before any backend writes it, so both backends reject the same
/// input with the same ErrorId. Each failure names the pattern id.
/// </summary>
public static class PatternValidator
{
    public static Pattern Validate(Pattern pattern, PatternCollection collection)
    {
        CheckLimits(pattern, collection);
        CheckVector(pattern.Vector.Values, collection.Dimension, pattern.PatternId);
        Metadata.Validate(pattern.CoherenceMetricsJson, PatternSchema.CoherenceMetrics, pattern.PatternId);
        Metadata.Validate(pattern.TemporalContextJson, PatternSchema.TemporalContext, pattern.PatternId);
        return pattern;
    }

    /// <summary>
    /// Only the collection's own limits: a present id, and the byte lengths of pattern_id and
    /// pattern_type. Enough for patterns whose vector and JSON a reader already checked.
    /// </summary>
    public static Pattern CheckLimits(Pattern pattern, PatternCollection collection)
    {
        string id = pattern.PatternId;
        if (string.IsNullOrEmpty(id))
            throw Invalid("MissingPatternId", "A pattern has no id: pattern_id is the primary key and must be set.", id);
        // Before the byte counts below, which would count a lone surrogate as the 3 bytes of U+FFFD.
        Utf16Text.CheckEncodable(id, PatternSchema.PatternId, id);
        Utf16Text.CheckEncodable(pattern.PatternType, PatternSchema.PatternType, id);
        int maxIdLength = MaxLength(collection, PatternSchema.PatternId);
        if (Encoding.UTF8.GetByteCount(id) > maxIdLength)
            throw Invalid("PatternIdTooLong",
                $"Pattern id '{Abbreviate(id)}' is {Encoding.UTF8.GetByteCount(id)} bytes; collection '{collection.Name}' allows {maxIdLength}.", id);
        if (pattern.PatternType is { } type && Encoding.UTF8.GetByteCount(type) > MaxLength(collection, PatternSchema.PatternType))
            throw Invalid("PatternTypeTooLong",
                $"Pattern '{id}': pattern_type is {Encoding.UTF8.GetByteCount(type)} bytes; collection '{collection.Name}' allows {MaxLength(collection, PatternSchema.PatternType)}.", id);
        return pattern;
    }

    /// <summary>Checks a stored or query vector: the collection's dimension, and only finite values.</summary>
    public static void CheckVector(float[]? vector, int dimension, string owner)
    {
        if (vector is null || vector.Length == 0)
            throw Invalid("MissingVector", $"Pattern '{owner}' has no vector.", owner);
        if (vector.Length != dimension)
            throw Invalid("VectorDimensionMismatch",
                $"Pattern '{owner}' has a {vector.Length}-d vector; the collection expects {dimension}.", owner);
        for (int i = 0; i < vector.Length; i++)
        {
            if (!float.IsFinite(vector[i]))
                throw Invalid("VectorNotFinite", $"Pattern '{owner}' has {vector[i]} at vector[{i}]; vectors must be finite.", owner);
        }
    }

    private static int MaxLength(PatternCollection collection, string field) =>
        collection.Fields.FirstOrDefault(f => f.Name == field)?.MaxLength ?? PatternSchema.MaxVarCharLength;

    private static string Abbreviate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static MilvusOpsException Invalid(string errorId, string message, string target) =>
        new(errorId, ErrorKind.InvalidData, message, target);
}
