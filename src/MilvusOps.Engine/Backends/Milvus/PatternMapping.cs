using System.Globalization;
using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>
/// How a collection's fields map onto <see cref="Pattern"/>. The pattern schema maps field for field. A collection
/// made by another tool (pymilvus, Attu) maps its primary key (VarChar, or Int64 read as text) to PatternId, its float
/// vector field, whatever its name, to Vector, and pattern_type, coherence_metrics and temporal_context where it has
/// them with the pattern's types; a pattern field it lacks reads as null.
/// </summary>
internal sealed class PatternMapping
{
    private const string FloatVector = "FloatVector";

    private PatternMapping(string idField, bool integerIds, FieldSchema? vector, IReadOnlyList<string> metadataFields,
        bool isPatternSchema, bool hasCells, string? unsupported, string fieldList)
    {
        HasCells = hasCells;
        IdField = idField;
        IntegerIds = integerIds;
        Vector = vector;
        MetadataFields = metadataFields;
        IsPatternSchema = isPatternSchema;
        Unsupported = unsupported;
        _fieldList = fieldList;
    }

    private readonly string _fieldList;

    /// <summary>The pattern schema's own mapping.</summary>
    public static readonly PatternMapping Pattern = From(PatternSchema.Fields(new CollectionSpec { Name = "pattern" }));

    /// <summary>The primary key field, read as PatternId.</summary>
    public string IdField { get; }

    /// <summary>True for an Int64 primary key: ids are decimal text, compared and written as numbers.</summary>
    public bool IntegerIds { get; }

    /// <summary>The vector field the collection is described by, and searched and read through when
    /// <see cref="Unsupported"/> is null: the only vector field, or among several the one named <c>vector</c>
    /// (else the first, described but not searched). Null when the schema has no vector field.</summary>
    public FieldSchema? Vector { get; }

    /// <summary>The pattern metadata fields the collection has with the pattern's types.</summary>
    public IReadOnlyList<string> MetadataFields { get; }

    /// <summary>True when the collection has exactly the pattern schema, the only one MilvusOps writes.</summary>
    public bool IsPatternSchema { get; }

    /// <summary>True for the pattern schema of a partitioned collection: its cell field is the partition key
    /// (<see cref="CellPartitioning"/>).</summary>
    public bool HasCells { get; }

    /// <summary>Why the collection cannot be read or searched as patterns; null when it can.</summary>
    public string? Unsupported { get; }

    /// <summary>The fields a read returns: the primary key, the vector and the metadata fields.</summary>
    public IReadOnlyList<string> ReadFields => [IdField, Vector!.Name, .. MetadataFields];

    public static PatternMapping From(IReadOnlyList<FieldSchema> fields)
    {
        var key = fields.FirstOrDefault(f => f.IsPrimaryKey);
        var vectors = fields.Where(f => f.DataType.EndsWith("Vector", StringComparison.Ordinal)).ToList();
        var chosen = vectors.Count == 1 ? vectors[0] : vectors.FirstOrDefault(f => f.Name == PatternSchema.Vector);
        string? unsupported =
            key is null ? "it has no primary key field"
            : key.DataType is not ("VarChar" or "Int64") ? $"its primary key '{key.Name}' is {key.DataType}; MilvusOps reads VarChar and Int64 keys"
            : vectors.Count == 0 ? "it has no vector field"
            : chosen is null ? $"it has {vectors.Count} vector fields ({string.Join(", ", vectors.Select(v => v.Name))}) and none is named '{PatternSchema.Vector}', so MilvusOps cannot tell which to search"
            : chosen.DataType != FloatVector ? $"its vector field '{chosen.Name}' is {chosen.DataType}; MilvusOps reads and searches float vectors (FloatVector) only"
            : null;
        var metadata = new[] { (PatternSchema.PatternType, "VarChar"), (PatternSchema.CoherenceMetrics, "JSON"), (PatternSchema.TemporalContext, "JSON") }
            .Where(m => fields.Any(f => f.Name == m.Item1 && f.DataType == m.Item2 && !f.IsPrimaryKey))
            .Select(m => m.Item1).ToList();
        bool Has(CollectionPartitioning partitioning)
        {
            var pattern = PatternSchema.Fields(new CollectionSpec { Name = "pattern", Partitioning = partitioning });
            return fields.Count == pattern.Count && pattern.All(p => fields.Any(f => f.Name == p.Name && f.DataType == p.DataType
                && f.IsPrimaryKey == p.IsPrimaryKey && f.IsPartitionKey == p.IsPartitionKey));
        }
        bool hasCells = Has(CollectionPartitioning.Hilbert);
        return new PatternMapping(key?.Name ?? PatternSchema.PatternId, key?.DataType == "Int64", chosen ?? vectors.FirstOrDefault(),
            metadata, hasCells || Has(CollectionPartitioning.None), hasCells, unsupported, string.Join(", ", fields));
    }

    /// <summary>Refuses a read or search of a collection whose schema does not map onto patterns, saying why.</summary>
    public void RequireReadable(string collection)
    {
        if (Unsupported is not null)
            throw new MilvusOpsException("CollectionSchemaNotSupported", ErrorKind.InvalidOperation,
                $"Collection '{collection}' cannot be read or searched as patterns: {Unsupported}. Its fields: {_fieldList}.", collection);
    }

    /// <summary>Refuses a write to a collection without the pattern schema: MilvusOps would write fields it does not have.</summary>
    public void RequireWritable(string collection)
    {
        if (!IsPatternSchema)
            throw new MilvusOpsException("CollectionSchemaNotSupported", ErrorKind.InvalidOperation,
                $"Collection '{collection}' does not have the pattern schema, so MilvusOps does not write to it; write to it with the tool that made it. Its fields: {_fieldList}.", collection);
    }

    /// <summary>The expression literal of an id, or null when it cannot be a key of this collection (text for an Int64 key).</summary>
    public string? IdLiteral(string id)
    {
        if (!IntegerIds)
            return FilterExpression.FormatString(id);
        return long.TryParse(id, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)
            && n.ToString(CultureInfo.InvariantCulture) == id ? id : null;
    }

    /// <summary><c>key in [...]</c> for the ids that can be keys, or null when none can.</summary>
    public string? IdIn(IEnumerable<string> ids)
    {
        var literals = ids.Select(IdLiteral).OfType<string>().ToList();
        return literals.Count == 0 ? null : $"{IdField} in [{string.Join(",", literals)}]";
    }

    /// <summary><c>key &gt; last</c>: the next page in primary-key order.</summary>
    public string After(string lastId) => $"{IdField} > {IdLiteral(lastId)}";

    /// <summary>Primary-key order: numeric for Int64 keys, byte-wise for VarChar.</summary>
    public IComparer<string> KeyOrder => IntegerIds
        ? Comparer<string>.Create((a, b) => long.Parse(a, CultureInfo.InvariantCulture).CompareTo(long.Parse(b, CultureInfo.InvariantCulture)))
        : StringComparer.Ordinal;

    /// <summary>An id as text: VarChar keys as they are, Int64 keys in invariant decimal.</summary>
    public static string IdText(object id) => id as string ?? Convert.ToString(id, CultureInfo.InvariantCulture)!;
}
