using System.Net;
using System.Net.Sockets;
using System.Text;
using DotNet.Testcontainers.Builders;
using DotNet.Testcontainers.Containers;

namespace MilvusOps.Module.Tests.Contract;

/// <summary>
/// A real Milvus: the server at MILVUSOPS_TEST_URI (with MILVUSOPS_TEST_TOKEN when set), or else a throwaway
/// Milvus 2.5 standalone started with Testcontainers. Skipped, with the reason, where neither is possible.
/// </summary>
public sealed class MilvusTarget : ContractTarget
{
    /// <summary>Overridable with MILVUSOPS_TEST_IMAGE (e.g. a mirror, or another 2.5 patch).</summary>
    public const string DefaultImage = "milvusdb/milvus:v2.5.27";

    private const int GrpcPort = 19530;
    private const int HealthPort = 9091;

    // Embedded etcd must listen on all interfaces inside the container; Milvus reads this file at start.
    private const string EmbedEtcdConfig = "listen-client-urls: http://0.0.0.0:2379\nadvertise-client-urls: http://0.0.0.0:2379\n";

    private IContainer? _container;

    public MilvusTarget() => Open(Start);

    public override string Name => "Milvus";

    protected override string ExpectedBackend => "Milvus";

    private (string?, string?) Start()
    {
        string? uri = Environment.GetEnvironmentVariable("MILVUSOPS_TEST_URI");
        if (!string.IsNullOrWhiteSpace(uri))
        {
            string? token = Environment.GetEnvironmentVariable("MILVUSOPS_TEST_TOKEN");
            return (Quote(uri.Trim()) + (string.IsNullOrEmpty(token) ? "" : $" -Token ([System.Net.NetworkCredential]::new('', {Quote(token)}).SecurePassword)"), null);
        }

        // Ask the engine ourselves first: it answers (or not) in milliseconds, where Testcontainers' own
        // discovery and retries take far longer on a machine without Docker.
        var (endpoint, answered) = DockerProbe.Find();
        if (answered == false)
            return (null, $"No Docker engine answered (checked {endpoint}) and MILVUSOPS_TEST_URI is not set: the Milvus contract run is skipped.");

        string image = Environment.GetEnvironmentVariable("MILVUSOPS_TEST_IMAGE") is { Length: > 0 } custom ? custom : DefaultImage;
        try
        {
            _container = new ContainerBuilder(image)
                .WithCommand("milvus", "run", "standalone")
                .WithEnvironment("DEPLOY_MODE", "STANDALONE")
                .WithEnvironment("COMMON_STORAGETYPE", "local")
                .WithEnvironment("ETCD_USE_EMBED", "true")
                .WithEnvironment("ETCD_DATA_DIR", "/var/lib/milvus/etcd")
                .WithEnvironment("ETCD_CONFIG_PATH", "/milvus/configs/embedEtcd.yaml")
                // Tests flush far more often than once per 10 s per collection.
                .WithEnvironment("QUOTA_AND_LIMITS_FLUSH_RATE_COLLECTION_MAX", "-1")
                .WithResourceMapping(Encoding.UTF8.GetBytes(EmbedEtcdConfig), "/milvus/configs/embedEtcd.yaml")
                .WithPortBinding(GrpcPort, assignRandomHostPort: true)
                .WithPortBinding(HealthPort, assignRandomHostPort: true)
                // Standalone start takes 60-90 s; healthz answers 200 only once every component is up.
                .WithWaitStrategy(Wait.ForUnixContainer().UntilHttpRequestIsSucceeded(
                    request => request.ForPort(HealthPort).ForPath("/healthz"),
                    wait => wait.WithTimeout(TimeSpan.FromMinutes(3))))
                .Build();
            _container.StartAsync().GetAwaiter().GetResult();
        }
        catch (DockerUnavailableException ex)
        {
            return (null, $"No Docker engine answered ({ex.Message}) and MILVUSOPS_TEST_URI is not set: the Milvus contract run is skipped.");
        }
        return (Quote($"http://{_container.Hostname}:{_container.GetMappedPublicPort(GrpcPort)}"), null);
    }

    public override void Dispose()
    {
        base.Dispose();
        _container?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}

/// <summary>
/// Finds the Docker engine's endpoint as the Docker CLI does, and asks it /_ping with a short timeout.
/// Answered is null where a plain probe cannot tell (TLS, named pipes): Testcontainers decides there.
/// </summary>
internal static class DockerProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public static (string Endpoint, bool? Answered) Find()
    {
        string? host = Environment.GetEnvironmentVariable("DOCKER_HOST");
        if (string.IsNullOrWhiteSpace(host)) host = FromTestcontainersProperties();
        if (!string.IsNullOrWhiteSpace(host)) return (host, Ping(host));

        var sockets = new List<string> { "/var/run/docker.sock" };
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime) sockets.Add(Path.Combine(runtime, "docker.sock"));
        sockets.Add(Path.Combine(home, ".docker", "run", "docker.sock"));
        sockets.Add(Path.Combine(home, ".docker", "desktop", "docker.sock"));
        foreach (string socket in sockets)
            if (File.Exists(socket) && Ping("unix://" + socket) == true) return ("unix://" + socket, true);
        if (OperatingSystem.IsWindows()) return ("npipe:////./pipe/docker_engine", null);
        return (string.Join(", ", sockets.Select(s => "unix://" + s)), false);
    }

    private static string? FromTestcontainersProperties()
    {
        string file = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".testcontainers.properties");
        if (!File.Exists(file)) return null;
        return File.ReadLines(file).Select(l => l.Trim())
            .Where(l => l.StartsWith("docker.host", StringComparison.Ordinal) && l.Contains('='))
            .Select(l => l[(l.IndexOf('=') + 1)..].Trim()).FirstOrDefault();
    }

    private static bool? Ping(string endpoint)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)) return null;
        Socket socket;
        EndPoint target;
        if (uri.Scheme == "unix")
        {
            if (!File.Exists(uri.AbsolutePath)) return false;
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            target = new UnixDomainSocketEndPoint(uri.AbsolutePath);
        }
        else if (uri.Scheme is "tcp" or "http" && Environment.GetEnvironmentVariable("DOCKER_TLS_VERIFY") is not { Length: > 0 })
        {
            socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            target = new DnsEndPoint(uri.Host, uri.Port);
        }
        else
        {
            return null;
        }
        using (socket)
        {
            try
            {
                socket.SendTimeout = socket.ReceiveTimeout = (int)Timeout.TotalMilliseconds;
                if (!socket.ConnectAsync(target).Wait(Timeout)) return false;
                socket.Send(Encoding.ASCII.GetBytes("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"));
                var buffer = new byte[256];
                string status = Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer));
                return status.StartsWith("HTTP/1.", StringComparison.Ordinal) && status.Contains(" 200 ", StringComparison.Ordinal);
            }
            catch (Exception ex) when (ex is SocketException or IOException or AggregateException)
            {
                return false;   // refused, reset or timed out: nothing answers there
            }
        }
    }
}
