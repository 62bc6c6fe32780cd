namespace MilvusOps.Model;

/// <summary>Another name for a collection: every collection cmdlet accepts it where the collection's name goes.</summary>
public sealed class CollectionAlias : StoreObject
{
    public required string Alias { get; init; }
    public required string Collection { get; init; }
    public required string Database { get; init; }

    public override string ToString() => $"{Alias} -> {Collection}";

    /// <summary>A new collection named like an existing alias: refused, as Milvus refuses it.</summary>
    internal static MilvusOpsException NameTaken(string name, string collection) =>
        new("AliasConflict", ErrorKind.ResourceExists,
            $"'{name}' is already an alias of collection '{collection}': choose another name, or drop the alias with Remove-MilvusAlias.", name);

    /// <summary>Dropping a collection by an alias: refused, as Milvus 2.5 refuses it.</summary>
    internal static MilvusOpsException DropByAlias(string alias, string collection) =>
        new("DropByAlias", ErrorKind.InvalidArgument,
            $"'{alias}' is an alias of collection '{collection}'. Drop the collection by its own name, or the alias with Remove-MilvusAlias.", alias);

    /// <summary>Dropping a collection that aliases still name: refused, so no alias points nowhere.</summary>
    internal static MilvusOpsException StillNamed(string collection, IReadOnlyList<string> aliases) =>
        new("CollectionHasAliases", ErrorKind.InvalidOperation,
            $"Collection '{collection}' is still named by alias(es) {string.Join(", ", aliases)}. Move them with Set-MilvusAlias or remove them with Remove-MilvusAlias first.", collection);
}
