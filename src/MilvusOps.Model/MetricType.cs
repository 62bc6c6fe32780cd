namespace MilvusOps.Model;

/// <summary>
/// Milvus distance semantics: L2 is the squared Euclidean distance (smaller is closer);
/// IP and COSINE are similarities (larger is closer).
/// </summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum MetricType
{
    L2,
    IP,
    COSINE,
}

public static class MetricTypeExtensions
{
    /// <summary>True when a larger distance value means a closer match.</summary>
    public static bool IsSimilarity(this MetricType metric) => metric != MetricType.L2;
}
