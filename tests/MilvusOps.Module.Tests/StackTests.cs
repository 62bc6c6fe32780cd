using System.Net;
using System.Text.Json;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Module.Tests;

/// <summary>
/// Health, metrics and alerts against the stateful peer over real gRPC and HTTP (its --http port serves the management
/// port's /healthz and /metrics), healthy and unhealthy; and the scheduled-check example end to end, with its webhook.
/// </summary>
public sealed class StackTests : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public void Dispose()
    {
        foreach (var owned in _owned) owned.Dispose();
    }

    private (ConformancePeer Peer, ModuleSession Session) Start(params string[] peerArguments)
    {
        Skip.If(ConformancePeer.SkipReason is not null, ConformancePeer.SkipReason);
        var peer = ConformancePeer.Start(["--stateful", "--http", .. peerArguments]);
        _owned.Add(peer);
        var session = new ModuleSession();
        _owned.Add(session);
        session.Run("Connect-Milvus $args[0] | Out-Null", peer.Address);
        return (peer, session);
    }

    private static List<PSObject> Failed(IEnumerable<PSObject> checks) => checks.Where(c => !(bool)c.Properties["Passed"].Value).ToList();

    [SkippableFact]
    public void A_healthy_peer_passes_every_check_over_grpc_and_http()
    {
        var (peer, session) = Start();
        var checks = session.Run("Test-MilvusHealth -ManagementUri $args[0]", peer.HttpAddress);
        Assert.Empty(Failed(checks));
        Assert.Contains(checks, c => (string)c.Properties["Check"].Value == "GET /healthz");
        Assert.Contains(checks, c => (string)c.Properties["Component"].Value == "proxy 1");
        Assert.Contains(checks, c => (string)c.Properties["Status"].Value == "v2.5.27");
        Assert.Equal(true, session.Run("Test-MilvusHealth -ManagementUri $args[0] -Quiet", peer.HttpAddress).Single().BaseObject);
        Assert.Equal("2.5", session.Run("(Connect-Milvus $args[0] -NoDefault).VersionLine", peer.Address).Single().BaseObject);
    }

    [SkippableFact]
    public void An_unhealthy_peer_fails_CheckHealth_and_healthz_as_Critical_and_names_the_sick_component()
    {
        var (peer, session) = Start("--unhealthy");
        var failed = Failed(session.Run("Test-MilvusHealth -ManagementUri $args[0]", peer.HttpAddress));
        Assert.Equal(["CheckHealth", "GET /healthz"], failed.Select(c => (string)c.Properties["Check"].Value));
        Assert.All(failed, c => Assert.Equal("Critical", c.Properties["Severity"].Value.ToString()));
        Assert.Contains("QueryNode", (string)failed[0].Properties["Message"].Value);
        Assert.Contains("Not healthy: querynode", (string)failed[1].Properties["Message"].Value);
        Assert.Equal(false, session.Run("Test-MilvusHealth -ManagementUri $args[0] -Quiet", peer.HttpAddress).Single().BaseObject);
    }

    [SkippableFact]
    public void Metrics_read_the_servers_counters_and_latency_histograms_with_their_units()
    {
        var (peer, session) = Start();
        session.Run("""
            New-PatternCollection m -Dimension 4 -IndexType FLAT | Out-Null
            [pscustomobject]@{ PatternId = 'a'; Vector = [float[]](1, 0, 0, 0) } | Add-Pattern m
            1..3 | ForEach-Object { Find-SimilarPattern m -Vector ([float[]](1, 0, 0, 0)) -Top 1 | Out-Null }
            """);
        var searches = session.Run("Get-MilvusMetric milvus_proxy_req_count -Label @{ function_name = 'Search'; status = 'success' } -ManagementUri $args[0]", peer.HttpAddress);
        Assert.Equal(3.0, (double)Assert.Single(searches).Properties["Value"].Value);

        // The proxy times searches in milvus_proxy_sq_latency, by query type.
        var latency = session.Run("Get-MilvusMetric milvus_proxy_sq_latency -Label @{ query_type = 'search' } -ManagementUri $args[0]", peer.HttpAddress).Single();
        Assert.Equal(("histogram", 3.0, "ms"), ((string)latency.Properties["Type"].Value, (double)latency.Properties["Value"].Value, (string)latency.Properties["Unit"].Value));
        Assert.NotNull(latency.Properties["P99"].Value);

        var curated = session.Run("Get-MilvusMetric -ManagementUri $args[0] | ForEach-Object Name", peer.HttpAddress).Select(o => (string)o.BaseObject).Distinct().ToList();
        Assert.Contains("milvus_querynode_entity_num", curated);
        Assert.DoesNotContain("go_goroutines", curated);
        Assert.Contains("go_goroutines", session.Run("Get-MilvusMetric '*' -ManagementUri $args[0] | ForEach-Object Name", peer.HttpAddress).Select(o => (string)o.BaseObject));
    }

    [SkippableFact]
    public void The_scheduled_check_exits_2_on_an_unhealthy_peer_logs_the_alerts_and_posts_them_to_the_webhook()
    {
        var (peer, _) = Start("--unhealthy");
        using var webhook = new HttpListener();
        int port = FreePort();
        webhook.Prefixes.Add($"http://127.0.0.1:{port}/");
        webhook.Start();
        var received = Task.Run(async () =>
        {
            var context = await webhook.GetContextAsync();
            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            context.Response.StatusCode = 200;
            context.Response.Close();
            return body;
        });

        var folder = Directory.CreateTempSubdirectory("milvusops-stack-").FullName;
        try
        {
            var (exitCode, output) = ScheduledCheckTests.RunScheduledCheck(folder,
                "-Store", peer.Address, "-ManagementUri", peer.HttpAddress!, "-LogPath", "./alerts.jsonl", "-WebhookUri", $"http://127.0.0.1:{port}/hooks/T0KEN");
            Assert.True(exitCode == 2, output);
            Assert.Contains("FAIL Critical Milvus (CheckHealth)", output);
            Assert.Contains("FAIL Critical Milvus management (GET /healthz)", output);
            Assert.True(received.Wait(TimeSpan.FromSeconds(30)), "the webhook got nothing");
            using var body = JsonDocument.Parse(received.Result);
            Assert.Equal(2, body.RootElement.GetProperty("alerts").GetArrayLength());
            Assert.Equal(2, File.ReadAllLines(Path.Combine(folder, "alerts.jsonl")).Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("Test-MilvusHealth -EtcdUri localhost:2379")]
    [InlineData("Get-MilvusMetric -ManagementUri milvus")]
    [InlineData("Get-MilvusGpu -DcgmUri gpu-host:9400")]
    [InlineData("Test-MilvusHealth | Send-MilvusAlert -WebhookUri hooks/x")]
    public void An_endpoint_that_is_no_http_address_is_InvalidEndpointUri(string script)
    {
        using var session = new ModuleSession();
        session.Run("Connect-Milvus ./s.db -Create -WarningAction SilentlyContinue | Out-Null");
        var refused = session.Fail(script);
        Assert.Equal(("InvalidEndpointUri", ErrorCategory.InvalidArgument), (refused.FullyQualifiedErrorId.Split(',')[0], refused.CategoryInfo.Category));
    }

    [Fact]
    public void Metrics_of_the_embedded_store_need_a_management_address()
    {
        using var session = new ModuleSession();
        session.Run("Connect-Milvus ./s.db -Create -WarningAction SilentlyContinue | Out-Null");
        var refused = session.Fail("Get-MilvusMetric");
        Assert.Equal(("NotSupportedByBackend", ErrorCategory.NotImplemented), (refused.FullyQualifiedErrorId.Split(',')[0], refused.CategoryInfo.Category));
    }

    private static int FreePort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
