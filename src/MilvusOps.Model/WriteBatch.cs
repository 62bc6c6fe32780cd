using System.Text;

namespace MilvusOps.Model;

/// <summary>The size of a writer's batch: <see cref="MaxBytes"/> of encoded data, which keeps a Milvus upsert request well
/// under its 64 MB limit, and how a pattern is measured. <see cref="WriteBatcher{T}"/> cuts by it for Add-Pattern, the
/// importer and the Milvus store alike, so a writer's batch goes to Milvus as one request.</summary>
public static class WriteBatch
{
    public const long MaxBytes = 8L << 20;

    /// <summary>A pattern's share of an upsert request: its floats, the UTF-8 bytes of its strings and documents, and a
    /// few bytes of framing.</summary>
    public static long SizeOf(Pattern pattern) =>
        4L * pattern.Vector.Length + 16
        + Encoding.UTF8.GetByteCount(pattern.PatternId)
        + (pattern.PatternType is null ? 0 : Encoding.UTF8.GetByteCount(pattern.PatternType))
        + (pattern.CoherenceMetricsJson is null ? 0 : Encoding.UTF8.GetByteCount(pattern.CoherenceMetricsJson))
        + (pattern.TemporalContextJson is null ? 0 : Encoding.UTF8.GetByteCount(pattern.TemporalContextJson));
}
