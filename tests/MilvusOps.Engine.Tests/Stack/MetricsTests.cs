using MilvusOps.Engine.Backends.Milvus;
using MilvusOps.Engine.Stack;

namespace MilvusOps.Engine.Tests.Stack;

/// <summary>The Prometheus text reader, histogram summaries and units, and the GPU figures from DCGM and nvidia-smi.
/// The pages are written here in the exposition format (0.0.4) with the metric names Milvus and the DCGM exporter use.</summary>
public sealed class MetricsTests
{
    private const string MilvusPage = """
        # HELP milvus_proxy_req_count count of operation executed
        # TYPE milvus_proxy_req_count counter
        milvus_proxy_req_count{function_name="Search",node_id="1",status="success"} 120
        milvus_proxy_req_count{function_name="Search",node_id="1",status="fail"} 3
        milvus_proxy_req_count{function_name="Insert",node_id="1",status="success"} 7 1733140000000
        # HELP milvus_proxy_req_latency latency of each request
        # TYPE milvus_proxy_req_latency histogram
        milvus_proxy_req_latency_bucket{function_name="Search",node_id="1",le="1"} 10
        milvus_proxy_req_latency_bucket{function_name="Search",node_id="1",le="2"} 60
        milvus_proxy_req_latency_bucket{function_name="Search",node_id="1",le="4"} 100
        milvus_proxy_req_latency_bucket{function_name="Search",node_id="1",le="+Inf"} 100
        milvus_proxy_req_latency_sum{function_name="Search",node_id="1"} 215
        milvus_proxy_req_latency_count{function_name="Search",node_id="1"} 100
        # TYPE milvus_datacoord_stored_binlog_size gauge
        milvus_datacoord_stored_binlog_size{cluster_id="c",collection_id="449",segment_id="1"} 1.5e+06
        # TYPE go_gc_duration_seconds summary
        go_gc_duration_seconds{quantile="0.5"} 0.0002
        go_gc_duration_seconds{quantile="0.99"} 0.0031
        go_gc_duration_seconds_sum 0.25
        go_gc_duration_seconds_count 500
        # a comment that is no HELP or TYPE
        process_open_fds 42
        """;

    private static string? Unit(string family) => MilvusMetrics.UnitOf(family, MilvusVersion.Parse("v2.5.27"));

    [Fact]
    public void A_metrics_page_reads_into_series_and_histograms_into_counts_sums_and_quantiles()
    {
        var samples = MetricScrape.Summarize(PrometheusText.Parse(MilvusPage), "http://h:9091/metrics", Unit);

        var counters = samples.Where(s => s.Name == "milvus_proxy_req_count").ToList();
        Assert.Equal(3, counters.Count);
        Assert.Equal(("counter", 3.0, "fail"), (counters[1].Type, counters[1].Value, counters[1].Labels["status"]));
        Assert.Equal("count of operation executed", counters[0].Help);

        var latency = Assert.Single(samples, s => s.Name == "milvus_proxy_req_latency");
        Assert.Equal(("histogram", 100.0, 215.0, 2.15, "ms"), (latency.Type, latency.Value, latency.Sum!.Value, latency.Mean!.Value, latency.Unit));
        Assert.False(latency.Labels.ContainsKey("le"));
        // Rank 50 lies in (1, 2], which holds ranks 11..60: 1 + (2 - 1) * (50 - 10) / 50. Rank 99 lies in (2, 4].
        Assert.Equal(1.8, latency.P50!.Value, 10);
        Assert.Equal(2 + 2 * (99 - 60) / 40.0, latency.P99!.Value, 10);

        var size = Assert.Single(samples, s => s.Name == "milvus_datacoord_stored_binlog_size");
        Assert.Equal((1_500_000.0, "bytes"), (size.Value, size.Unit));

        var gc = Assert.Single(samples, s => s.Name == "go_gc_duration_seconds");
        Assert.Equal((500.0, 0.0002, 0.0031, "s"), (gc.Value, gc.P50!.Value, gc.P99!.Value, gc.Unit));
        Assert.Equal(("untyped", 42.0), Assert.Single(samples, s => s.Name == "process_open_fds") is var fds ? (fds.Type, fds.Value) : default);
    }

    [Fact]
    public void Label_values_keep_their_escapes_and_special_values_read_as_Go_writes_them()
    {
        var samples = PrometheusText.Parse("""
            m{path="C:\\data",msg="say \"hi\"\nbye",}  NaN
            m { a = "x" } +Inf
            n -Inf 17
            o 1e-3
            """);
        Assert.Equal(@"C:\data", samples[0].Labels["path"]);
        Assert.Equal("say \"hi\"\nbye", samples[0].Labels["msg"]);
        Assert.True(double.IsNaN(samples[0].Value));
        Assert.Equal(("x", double.PositiveInfinity), (samples[1].Labels["a"], samples[1].Value));
        Assert.Equal((double.NegativeInfinity, 17L), (samples[2].Value, samples[2].TimestampMs!.Value));
        Assert.Equal(0.001, samples[3].Value);
    }

    [Theory]
    [InlineData("m{a=\"x\" 1", 1)]
    [InlineData("ok 1\nm{a=x} 1", 2)]
    [InlineData("ok 1\n\nm{a=\"x\",a=\"y\"} 1", 3)]
    [InlineData("m twelve", 1)]
    [InlineData("m 1 2 3", 1)]
    [InlineData("# TYPE m gauge-ish\nm 1", 1)]
    [InlineData("9m 1", 1)]
    [InlineData("m{a=\"\\q\"} 1", 1)]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"fast\"} 1", 2)]
    [InlineData("# TYPE h histogram\nh_bucket{x=\"1\"} 1", 2)]
    [InlineData("# TYPE s summary\ns{quantile=\"p99\"} 1", 2)]
    public void A_line_that_cannot_be_read_fails_the_scrape_naming_its_line(string page, int line)
    {
        var failure = Assert.Throws<MilvusOpsException>(() => PrometheusText.Parse(page));
        Assert.Equal(("MetricsMalformed", ErrorKind.InvalidData, (object)line), (failure.ErrorId, failure.Kind, failure.Target));
        Assert.Contains($"Line {line}", failure.Message);
    }

    [Theory]
    [InlineData("v2.5.27", "ms")]
    [InlineData("v2.6.14", "ms")]
    [InlineData("v2.6.15", "µs")]
    [InlineData("v3.0.1", "µs")]
    [InlineData(null, "ms or µs")]
    public void Latency_units_follow_the_servers_version(string? version, string unit) =>
        Assert.Equal(unit, MilvusMetrics.UnitOf("milvus_proxy_sq_latency", version is null ? null : MilvusVersion.Parse(version)));

    [Fact]
    public void Quantiles_of_empty_or_unbounded_histograms_are_unknown_and_a_rank_past_the_last_bound_is_that_bound()
    {
        Assert.Null(MetricScrape.Quantile(0.5, []));
        Assert.Null(MetricScrape.Quantile(0.5, [(1, 0), (double.PositiveInfinity, 0)]));
        Assert.Null(MetricScrape.Quantile(0.5, [(1, 5), (2, 9)]));   // no +Inf bucket: not a whole histogram
        Assert.Equal(2, MetricScrape.Quantile(0.99, [(1, 5), (2, 9), (double.PositiveInfinity, 20)]));
        Assert.Equal(0.5, MetricScrape.Quantile(0.5, [(1, 10), (double.PositiveInfinity, 10)]));
    }

    [Fact]
    public void A_DCGM_page_gives_one_status_per_GPU()
    {
        const string page = """
            # HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
            # TYPE DCGM_FI_DEV_GPU_UTIL gauge
            DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a1",device="nvidia0",modelName="NVIDIA H200",Hostname="gpu1"} 87
            DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b2",device="nvidia1",modelName="NVIDIA H200",Hostname="gpu1"} 0
            # TYPE DCGM_FI_DEV_FB_USED gauge
            DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-a1",device="nvidia0",modelName="NVIDIA H200",Hostname="gpu1"} 30000
            DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-b2",device="nvidia1",modelName="NVIDIA H200",Hostname="gpu1"} 1
            # TYPE DCGM_FI_DEV_FB_FREE gauge
            DCGM_FI_DEV_FB_FREE{gpu="0",UUID="GPU-a1",device="nvidia0",modelName="NVIDIA H200",Hostname="gpu1"} 110000
            DCGM_FI_DEV_FB_FREE{gpu="1",UUID="GPU-b2",device="nvidia1",modelName="NVIDIA H200",Hostname="gpu1"} 139999
            # TYPE DCGM_FI_DEV_GPU_TEMP gauge
            DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a1",device="nvidia0",modelName="NVIDIA H200",Hostname="gpu1"} 61
            # TYPE DCGM_FI_DEV_POWER_USAGE gauge
            DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-a1",device="nvidia0",modelName="NVIDIA H200",Hostname="gpu1"} 412.5
            """;
        var gpus = GpuMetrics.FromDcgmSamples(MetricScrape.Summarize(PrometheusText.Parse(page), "x", _ => null), "http://gpu1:9400/metrics");
        Assert.Equal(2, gpus.Count);
        var busy = gpus[0];
        Assert.Equal((0, "GPU-a1", "NVIDIA H200", "gpu1"), (busy.Gpu, busy.Uuid, busy.Model, busy.Host));
        Assert.Equal((87.0, 30000.0, 140000.0, 21.4, 61.0, 412.5), (busy.UtilizationPercent!.Value, busy.MemoryUsedMiB!.Value,
            busy.MemoryTotalMiB!.Value, busy.MemoryUsedPercent!.Value, busy.TemperatureC!.Value, busy.PowerW!.Value));
        Assert.Null(gpus[1].TemperatureC);
    }

    [Fact]
    public void Nvidia_smi_csv_reads_one_status_per_line_and_unsupported_fields_are_unknown()
    {
        var gpus = GpuMetrics.FromNvidiaSmiCsv("""
            0, GPU-5c7e, NVIDIA H200, 3, 512, 143771, 31, 76.08
            1, GPU-9d1f, NVIDIA H200, [N/A], 0, 143771, 29, [Not Supported]
            """);
        Assert.Equal(2, gpus.Count);
        Assert.Equal((0, "GPU-5c7e", 3.0, 512.0, 143771.0, 76.08), (gpus[0].Gpu, gpus[0].Uuid, gpus[0].UtilizationPercent!.Value,
            gpus[0].MemoryUsedMiB!.Value, gpus[0].MemoryTotalMiB!.Value, gpus[0].PowerW!.Value));
        Assert.Null(gpus[1].UtilizationPercent);
        Assert.Null(gpus[1].PowerW);
        Assert.Equal("GpuToolFailed", Assert.Throws<MilvusOpsException>(() => GpuMetrics.FromNvidiaSmiCsv("garbage")).ErrorId);
    }
}
