using System.Net;
using System.Net.Sockets;
using System.Text;
using MilvusOps.Engine.Backends.Milvus;
using MilvusOps.Engine.Stack;

namespace MilvusOps.Engine.Tests.Stack;

/// <summary>Server versions against the published advisories, and the stack's HTTP health endpoints against a small
/// loopback server that answers as Milvus, etcd and MinIO do.</summary>
public sealed class HealthTests
{
    [Theory]
    [InlineData("v2.5.27", "2.5", "")]
    [InlineData("v2.5.26", "2.5", "CVE-2026-26190")]
    [InlineData("2.5.4-gpu", "2.5", "CVE-2026-26190,CVE-2025-64513")]
    [InlineData("v2.5.20", "2.5", "CVE-2026-26190,CVE-2025-64513")]
    [InlineData("v2.5.21", "2.5", "CVE-2026-26190")]
    [InlineData("v2.6.4", "2.6", "CVE-2026-26190,CVE-2025-64513")]
    [InlineData("v2.6.9", "2.6", "CVE-2026-26190")]
    [InlineData("v2.6.10", "2.6", "")]
    [InlineData("v2.4.23", "2.4", "CVE-2026-26190,CVE-2025-64513")]
    [InlineData("v2.4.24", "2.4", "CVE-2026-26190")]
    [InlineData("v3.0.1", "3.0", "")]
    public void A_version_names_its_line_and_the_advisories_still_open_for_it(string version, string line, string advisories)
    {
        var parsed = MilvusVersion.Parse(version)!;
        Assert.Equal(line, parsed.Line);
        Assert.Equal(advisories, string.Join(",", MilvusAdvisories.Open(parsed).Select(a => a.Split(':')[0])));
        var check = MilvusAdvisories.Check(version, "http://h:19530");
        Assert.Equal(advisories.Length == 0, check.Passed);
        Assert.Equal(advisories.Length == 0 ? HealthSeverity.None : HealthSeverity.Warning, check.Severity);
    }

    [Fact]
    public void An_unreadable_version_is_a_warning_not_a_pass()
    {
        Assert.Null(MilvusVersion.Parse("master-latest"));
        var check = MilvusAdvisories.Check("master-latest", "t");
        Assert.False(check.Passed);
        Assert.Equal(HealthSeverity.Warning, check.Severity);
    }

    [Fact]
    public async Task Each_probe_reads_its_endpoint_as_the_component_answers_it()
    {
        await using var server = await LoopbackHttp.Start(request => request.Path switch
        {
            "/healthz" when request.ContentType == "application/json" =>
                (500, """{"state":"Not all components are healthy, 1/2","detail":[{"name":"proxy","code":1},{"name":"querynode","code":2}]}"""),
            "/healthz" => (500, "Not all components are healthy, 1/2"),
            "/health" => (200, """{"health":"true","reason":""}"""),
            "/minio/health/live" => (503, ""),
            _ => (404, "not found"),
        });
        var timeout = TimeSpan.FromSeconds(5);

        var milvus = StackProbe.MilvusManagement(server.Uri, timeout).Run(default);
        Assert.False(milvus.Passed);
        Assert.Equal((HealthSeverity.Critical, "500", "GET /healthz"), (milvus.Severity, milvus.Status, milvus.Check));
        Assert.Contains("Not healthy: querynode", milvus.Message);

        var etcd = StackProbe.Etcd(server.Uri, timeout).Run(default);
        Assert.True(etcd.Passed, etcd.Message);

        var minio = StackProbe.Minio(server.Uri, timeout).Run(default);
        Assert.False(minio.Passed);
        Assert.Equal("HTTP 503", minio.Status);
    }

    [Fact]
    public async Task A_body_that_stalls_after_the_headers_fails_at_the_timeout_and_ctrl_c_stops_it()
    {
        using var stalling = new TcpListener(IPAddress.Loopback, 0);
        stalling.Start();
        var held = new List<TcpClient>(); // held open: a collected client would close its socket and end the stall
        var serve = Task.Run(async () =>
        {
            while (true)
            {
                var client = await stalling.AcceptTcpClientAsync();
                lock (held) held.Add(client);
                var stream = client.GetStream();
                _ = await stream.ReadAsync(new byte[4096]); // the request, whatever its length: the answer is the same
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n{\"health\":"u8.ToArray()); // and no more
            }
        });
        var uri = new Uri($"http://127.0.0.1:{((IPEndPoint)stalling.LocalEndpoint).Port}");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var check = StackProbe.Etcd(uri, TimeSpan.FromMilliseconds(500)).Run(default);
        Assert.Equal("Timeout", check.Status);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"timed out after {watch.Elapsed}");

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        watch.Restart();
        Assert.ThrowsAny<OperationCanceledException>(() => StackProbe.Etcd(uri, TimeSpan.FromMinutes(1)).Run(stop.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopped after {watch.Elapsed}");
        lock (held) foreach (var client in held) client.Dispose();
        await Task.CompletedTask;
    }

    [Theory]
    [InlineData("localhost:2379")]
    [InlineData("etcd")]
    [InlineData("ftp://h/")]
    public void An_endpoint_that_is_no_absolute_http_address_is_refused_by_name(string text)
    {
        var refused = Assert.Throws<MilvusOpsException>(() => StackHttp.Check(new Uri(text, UriKind.RelativeOrAbsolute), "EtcdUri"));
        Assert.Equal(("InvalidEndpointUri", ErrorKind.InvalidArgument), (refused.ErrorId, refused.Kind));
        Assert.Contains("-EtcdUri", refused.Message);
    }

    [Fact]
    public void An_endpoint_that_is_not_listening_is_a_failed_check_not_an_exception()
    {
        var closedPort = LoopbackHttp.FreePort();
        var check = StackProbe.Etcd(new Uri($"http://127.0.0.1:{closedPort}"), TimeSpan.FromSeconds(5)).Run(default);
        Assert.False(check.Passed);
        Assert.Equal(("Unreachable", HealthSeverity.Critical), (check.Status, check.Severity));
    }

    [Fact]
    public async Task An_endpoint_that_never_answers_fails_at_the_probe_timeout_and_ctrl_c_stops_it_sooner()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts the connection, never answers
        var uri = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        var check = StackProbe.MilvusManagement(uri, TimeSpan.FromMilliseconds(300)).Run(default);
        Assert.Equal("Timeout", check.Status);

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() => StackProbe.MilvusManagement(uri, TimeSpan.FromMinutes(1)).Run(stop.Token));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopped after {watch.Elapsed}");
        await Task.CompletedTask;
    }
}

/// <summary>A small HTTP/1.1 server on loopback: one canned answer per request path.</summary>
internal sealed class LoopbackHttp : IAsyncDisposable
{
    public sealed record Request(string Method, string Path, string? ContentType, string Body);

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private LoopbackHttp(Func<Request, (int Status, string Body)> answer)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
                catch (OperationCanceledException) { return; }
                _ = Task.Run(() => Serve(client, answer));
            }
        });
    }

    public Uri Uri { get; }

    public static Task<LoopbackHttp> Start(Func<Request, (int Status, string Body)> answer) => Task.FromResult(new LoopbackHttp(answer));

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static async Task Serve(TcpClient client, Func<Request, (int Status, string Body)> answer)
    {
        using (client)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var first = await reader.ReadLineAsync() ?? "";
            string? contentType = null;
            int length = 0;
            for (string? line; !string.IsNullOrEmpty(line = await reader.ReadLineAsync());)
            {
                var (name, value) = (line[..line.IndexOf(':')].Trim(), line[(line.IndexOf(':') + 1)..].Trim());
                if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)) contentType = value.Split(';')[0];
                if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)) length = int.Parse(value);
            }
            var received = new char[length];
            int got = 0;
            while (got < length && await reader.ReadAsync(received.AsMemory(got)) is > 0 and var n) got += n;
            var (status, body) = answer(new Request(first.Split(' ')[0], first.Split(' ')[1], contentType, new string(received, 0, got)));
            var bytes = Encoding.UTF8.GetBytes(body);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head);
            await stream.WriteAsync(bytes);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _loop; } catch (OperationCanceledException) { }
    }
}
