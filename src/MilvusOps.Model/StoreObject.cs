namespace MilvusOps.Model;

/// <summary>
/// An object a cmdlet emits from a store (a collection, a pattern, a hit, a report, a check result). It remembers the
/// connection it came from, so the next cmdlet in a pipeline acts on the same store, as dbatools' objects carry their
/// SqlInstance.
/// </summary>
public abstract class StoreObject
{
    /// <summary>The connection this object came from; null for objects that no store produced (a legacy file's rows).</summary>
    public MilvusConnection? Connection { get; internal set; }
}
