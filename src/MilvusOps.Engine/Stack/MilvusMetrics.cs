
namespace MilvusOps.Engine.Stack;

/// <summary>The metrics an operator of Milvus reads first, and the unit of each Milvus metric.</summary>
public static class MilvusMetrics
{
    /// <summary>Request rates and latencies, entity and segment counts, the compaction backlog, stored and index sizes
    /// (milvus-operations.md). Get-MilvusMetric returns these unless -Name asks for others.</summary>
    public static readonly IReadOnlyList<string> Curated =
    [
        "milvus_proxy_req_count", "milvus_proxy_req_latency", "milvus_proxy_sq_latency", "milvus_proxy_mutation_latency",
        "milvus_proxy_search_vectors_count", "milvus_proxy_insert_vectors_count",
        "milvus_querynode_sq_req_latency", "milvus_querynode_entity_num", "milvus_querynode_segment_num",
        "milvus_querynode_load_segment_latency", "milvus_querynode_consume_tt_lag_ms",
        "milvus_datacoord_stored_rows_num", "milvus_datacoord_stored_binlog_size", "milvus_datacoord_stored_index_files_size",
        "milvus_datacoord_segment_num", "milvus_datacoord_compaction_task_num", "milvus_datacoord_import_jobs",
    ];

    /// <summary>
    /// A Milvus metric's unit, from its name. Latencies were milliseconds until 2.6.15 and are microseconds since; with no
    /// version known, the unit says both, rather than guess.
    /// </summary>
    public static string? UnitOf(string family, MilvusVersion? version)
    {
        if (family.EndsWith("_latency", StringComparison.Ordinal))
            return version is null ? "ms or µs" : version.IsBefore(2, 6, 15) ? "ms" : "µs";
        if (family.EndsWith("_ms", StringComparison.Ordinal)) return "ms";
        if (family.EndsWith("_seconds", StringComparison.Ordinal) || family.EndsWith("_seconds_total", StringComparison.Ordinal)) return "s";
        if (family.EndsWith("_bytes", StringComparison.Ordinal) || family.EndsWith("_size", StringComparison.Ordinal)) return "bytes";
        return null;
    }
}
