using System.Text.Json;
using System.Text.RegularExpressions;

namespace MilvusOps.Model;

/// <summary>What an operator asks for when creating a collection. <see cref="Validate"/> applies Milvus's rules.</summary>
public sealed record CollectionSpec
{
    public required string Name { get; init; }
    public int Dimension { get; init; } = PatternSchema.DefaultDimension;
    public MetricType Metric { get; init; } = MetricType.L2;
    public string IndexType { get; init; } = "HNSW";

    /// <summary>Index build parameters as a JSON object, e.g. <c>{"M":16,"efConstruction":200}</c>; <see cref="IndexRules"/> says which the index type takes.</summary>
    public string? IndexParametersJson { get; init; }
    public string? Description { get; init; }
    public int MaxIdLength { get; init; } = PatternSchema.DefaultMaxIdLength;
    public int MaxPatternTypeLength { get; init; } = PatternSchema.DefaultMaxPatternTypeLength;

    /// <summary>How the rows are partitioned beside the index (<see cref="CellPartitioning"/>).</summary>
    public CollectionPartitioning Partitioning { get; init; } = CollectionPartitioning.None;

    /// <summary>Index types Milvus 2.5 builds on float vectors; the embedded store records them and searches exactly.</summary>
    public static readonly IReadOnlyList<string> IndexTypes = IndexRules.IndexTypes;

    // \z, not $: $ also matches before a final newline, which let "name\n" through.
    private static readonly Regex NamePattern = new(@"^[A-Za-z_][A-Za-z0-9_]{0,254}\z", RegexOptions.CultureInvariant);

    /// <summary>
    /// Milvus's rule for collection names. The session layer applies it to every name a caller gives, before the
    /// name reaches SQL or gRPC, so a name with a newline or a control character fails the same way on both backends.
    /// </summary>
    public static string CheckName(string name) => CheckNamingRule(name, "Collection", "InvalidCollectionName");

    /// <summary>Milvus applies the collection rule to aliases too.</summary>
    public static string CheckAliasName(string name) => CheckNamingRule(name, "Alias", "InvalidAliasName");

    /// <summary>Milvus applies the collection rule to index names too.</summary>
    public static string CheckIndexName(string name) => CheckNamingRule(name, "Index", "InvalidIndexName");

    private static string CheckNamingRule(string name, string what, string errorId)
    {
        if (name is null || !NamePattern.IsMatch(name))
            throw Invalid(errorId,
                $"{what} name '{Printable(name)}' is not valid: use letters, digits and underscores, start with a letter or underscore, at most 255 characters.", name);
        return name;
    }

    // Control characters shown as \uXXXX, so the message prints on one line and shows what is wrong.
    private static string Printable(string? name) =>
        string.Concat((name ?? "").Select(c => char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:X4}" : c.ToString()));

    public CollectionSpec Validate()
    {
        CheckName(Name);
        if (Dimension < 1 || Dimension > PatternSchema.MaxDimension)
            throw Invalid("InvalidDimension", $"Dimension {Dimension} is out of range: Milvus accepts 1 to {PatternSchema.MaxDimension}.", Dimension);
        if (MaxIdLength < 1 || MaxIdLength > PatternSchema.MaxVarCharLength)
            throw Invalid("InvalidMaxLength", $"The id length limit {MaxIdLength} is out of range: 1 to {PatternSchema.MaxVarCharLength}.", MaxIdLength);
        if (MaxPatternTypeLength < 1 || MaxPatternTypeLength > PatternSchema.MaxVarCharLength)
            throw Invalid("InvalidMaxLength", $"The pattern_type length limit {MaxPatternTypeLength} is out of range: 1 to {PatternSchema.MaxVarCharLength}.", MaxPatternTypeLength);
        IndexRules.CheckIndexType(IndexType);
        IndexRules.CheckMetric(IndexType, Metric);
        IndexRules.ValidateBuildParameters(IndexType, Dimension, ParseIndexParameters(IndexParametersJson));
        return this;
    }

    /// <summary>The index parameters as a dictionary (null when none); InvalidIndexParameter unless a JSON object.</summary>
    internal static MetadataDictionary? ParseIndexParameters(string? json)
    {
        try
        {
            return Metadata.Parse(json);
        }
        catch (JsonException ex)
        {
            throw Invalid("InvalidIndexParameter", $"Index parameters must be a JSON object: {ex.Message}", json);
        }
    }

    /// <summary>
    /// What creating this spec means when its name is taken: the existing collection, if -IfNotExists asked to reuse an
    /// identical one; otherwise a refusal. A name that turned out to be an alias is refused as well: a name means one thing.
    /// </summary>
    public PatternCollection ReuseExisting(PatternCollection existing, bool ifNotExists)
    {
        if (existing.Name != Name) throw CollectionAlias.NameTaken(Name, existing.Name);
        if (!ifNotExists)
            throw new MilvusOpsException("CollectionExists", ErrorKind.ResourceExists,
                $"Collection '{Name}' already exists. Use -IfNotExists to reuse it, or Remove-PatternCollection first.", Name);
        if (!SchemaMatches(existing))
            throw new MilvusOpsException("CollectionSchemaMismatch", ErrorKind.ResourceExists,
                $"Collection '{Name}' already exists with a different schema ({existing.Dimension}-d, {existing.Metric}, {existing.IndexType}{(existing.Partitioning == CollectionPartitioning.None ? "" : $", {existing.Partitioning} cells")}); -IfNotExists only reuses an identical one.", Name);
        return existing;
    }

    /// <summary>True when an existing collection has the schema this spec asks for (description aside).</summary>
    public bool SchemaMatches(PatternCollection existing) =>
        existing.Dimension == Dimension
        && existing.Metric == Metric
        && existing.Partitioning == Partitioning
        && existing.IndexType == IndexType
        && existing.Fields.SequenceEqual(PatternSchema.Fields(this))
        && CanonicalBuildParameters(existing.IndexType, existing.Dimension, existing.IndexParameters)
            == CanonicalBuildParameters(IndexType, Dimension, ParseIndexParameters(IndexParametersJson));

    /// <summary>Build parameters in IndexRules' canonical form, so 16 and "16", or $true and "true" (as a server may
    /// echo them), compare equal; null for parameters the rules refuse, which then match nothing.</summary>
    private static string? CanonicalBuildParameters(string indexType, int dimension, IReadOnlyDictionary<string, object?>? parameters)
    {
        try
        {
            return Metadata.Canonical(Metadata.Parse(IndexRules.BuildParamsJson(indexType, dimension, parameters)));
        }
        catch (MilvusOpsException)
        {
            return null;
        }
    }

    private static MilvusOpsException Invalid(string errorId, string message, object? target) =>
        new(errorId, ErrorKind.InvalidArgument, message, target);
}
