using System.Text.RegularExpressions;

namespace MilvusOps.Model;

/// <summary>A database of a Milvus server: a namespace of collections (Connect-Milvus -Database chooses one).</summary>
public sealed class StoreDatabase : StoreObject
{
    public required string Name { get; init; }
    public long DatabaseId { get; init; }
    public DateTimeOffset? Created { get; init; }
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();

    public override string ToString() => Name;

    // \z, not $: $ also matches before a final newline.
    private static readonly Regex NamePattern = new(@"^[A-Za-z_][A-Za-z0-9_]{0,254}\z", RegexOptions.CultureInvariant);

    /// <summary>Milvus's rule for database names, applied before a name reaches gRPC.</summary>
    public static string CheckName(string name) =>
        name is not null && NamePattern.IsMatch(name) ? name
        : throw new MilvusOpsException("InvalidDatabaseName", ErrorKind.InvalidArgument,
            $"Database name '{name}' is not valid: use letters, digits and underscores, starting with a letter or underscore.", name);
}
