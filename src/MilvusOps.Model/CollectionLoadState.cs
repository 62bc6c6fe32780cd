namespace MilvusOps.Model;

/// <summary>Whether a collection is loaded into the query nodes, how far a load has got, and its replicas.</summary>
public sealed class CollectionLoadState : StoreObject
{
    public required string Collection { get; init; }

    /// <summary>Loaded, Loading or NotLoad, as Milvus names them.</summary>
    public required LoadStatus State { get; init; }

    /// <summary>Percent loaded, 0 to 100.</summary>
    public long Progress { get; init; }

    /// <summary>In-memory replicas serving the collection (0 when not loaded).</summary>
    public int Replicas { get; init; }

    /// <summary>The query nodes that hold the replicas.</summary>
    public IReadOnlyList<long> QueryNodes { get; init; } = [];

    public override string ToString() => $"{Collection}: {State} ({Progress} %)";
}

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum LoadStatus
{
    NotLoad,
    Loading,
    Loaded,
}
