namespace MilvusOps.Model;

/// <summary>A connection an operator holds: where the patterns live, and the store that reaches them.</summary>
public sealed class MilvusConnection(IPatternStore store)
{
    public string Uri => Store.Uri;
    public StoreBackend Backend => Store.Backend;
    public string Database => Store.Database;
    public string ServerVersion => Store.ServerVersion;
    public IPatternStore Store { get; } = store;

    public override string ToString() => Uri;
}
