namespace MilvusOps.Model;

/// <summary>Another name for a collection: every collection cmdlet accepts it where the collection's name goes.</summary>
public sealed class CollectionAlias : StoreObject
{
    public required string Alias { get; init; }
    public required string Collection { get; init; }
    public required string Database { get; init; }

    public override string ToString() => $"{Alias} -> {Collection}";
}
