using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Stack;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Scrapes Milvus's metrics (the management port's /metrics, Prometheus text) into objects: one per counter or gauge
/// series, one per histogram label set with its count, sum, mean and estimated P50 and P99. Without -Name it returns the
/// operator's set: request counts and latencies, entity and segment counts, the compaction backlog, stored and index
/// sizes. Each value says its unit: Milvus 2.6.15 changed latencies from milliseconds to microseconds. Counters and
/// histograms count from the server's start.
/// </summary>
/// <example>
/// <code>
/// Get-MilvusMetric milvus_proxy_req_latency -Label @{ function_name = 'Search' } | Format-Table LabelText, Value, Mean, P99, Unit
/// </code>
/// <para>Search latency at the proxy, per status.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusMetric")]
[OutputType(typeof(MetricSample))]
public sealed class GetMilvusMetricCommand : MilvusOpsCmdlet
{
    /// <summary>Metric families to return (wildcards accepted, e.g. milvus_querynode_*); '*' for all. Without it, the
    /// operator's set.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Only series whose labels have these values (wildcards accepted), e.g. @{ function_name = 'Search' }.</summary>
    [Parameter]
    public Hashtable? Label { get; set; }

    /// <summary>Milvus's management port; by default port 9091 of the connected Milvus server's host.</summary>
    [Parameter]
    public Uri? ManagementUri { get; set; }

    /// <summary>How long the scrape may take.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSec { get; set; } = 10;

    protected override void EndProcessing()
    {
        var server = ManagementUri is null || Connection is not null || SessionConnection.Current is not null ? Target : null;
        if (ManagementUri is not null) Call(() => StackHttp.Check(ManagementUri, nameof(ManagementUri)));
        var endpoint = ManagementUri ?? (server is { Backend: StoreBackend.Milvus }
            ? new UriBuilder(Uri.UriSchemeHttp, new Uri(server.Uri).Host, 9091).Uri
            : null);
        if (endpoint is null)
        {
            ThrowEngineError(new MilvusOpsException("NotSupportedByBackend", ErrorKind.NotImplemented,
                $"The embedded store '{server?.Uri}' has no metrics. For a Milvus server's, connect to it or pass -ManagementUri http://host:9091.", "metrics"));
            return;
        }
        // The connection's version says the latency unit only when it is the server being scraped.
        var version = server is { Backend: StoreBackend.Milvus } && new Uri(server.Uri).Host == endpoint.Host ? MilvusVersion.Parse(server.ServerVersion) : null;
        var names = (Name ?? MilvusMetrics.Curated.ToArray()).Select(n => new WildcardPattern(n, WildcardOptions.None)).ToList();
        var labels = (Label ?? new Hashtable()).Cast<DictionaryEntry>()
            .Select(e => (Key: e.Key.ToString()!, Pattern: new WildcardPattern(e.Value?.ToString() ?? "", WildcardOptions.None))).ToList();
        var metricsUri = new Uri(endpoint, "/metrics");
        var samples = Call(() => MetricScrape.Read(metricsUri, TimeSpan.FromSeconds(TimeoutSec), Cancellation,
            family => names.Any(n => n.IsMatch(family)),
            series => labels.All(l => series.TryGetValue(l.Key, out var value) && l.Pattern.IsMatch(value)),
            family => MilvusMetrics.UnitOf(family, version)));
        foreach (var sample in samples) WriteObject(sample);
    }
}
