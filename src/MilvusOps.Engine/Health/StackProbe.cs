using System.Net.Http.Headers;
using System.Text.Json;

namespace MilvusOps.Engine.Health;

/// <summary>
/// One HTTP health endpoint of the stack around a store: Milvus's management port (:9091/healthz), etcd (:2379/health)
/// or MinIO (:9000/minio/health/live). An endpoint that does not answer is a failed check, never an exception.
/// </summary>
public sealed class StackProbe
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan, // each probe has its own limit, and Ctrl+C
    };

    private readonly Func<int, string, (bool Passed, string Status, string Message)> _judge;
    private readonly bool _asksForJson;

    private StackProbe(string component, Uri endpoint, TimeSpan timeout, bool asksForJson, Func<int, string, (bool, string, string)> judge)
    {
        Component = component;
        Endpoint = endpoint;
        Timeout = timeout;
        _asksForJson = asksForJson;
        _judge = judge;
    }

    public string Component { get; }
    public Uri Endpoint { get; }
    public TimeSpan Timeout { get; }

    /// <summary>Milvus's /healthz: 200 "OK" when every component is registered and healthy. Asked for JSON, it names the
    /// components that are not.</summary>
    public static StackProbe MilvusManagement(Uri baseUri, TimeSpan timeout) =>
        new("Milvus management", new Uri(baseUri, "/healthz"), timeout, asksForJson: true, (status, body) =>
        {
            var (state, unhealthy) = ReadHealthz(body);
            return status == 200
                ? (true, "OK", "Every component is registered and healthy.")
                : (false, status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    (state ?? $"HTTP {status}") + (unhealthy.Count > 0 ? $" Not healthy: {string.Join(", ", unhealthy)}." : ""));
        });

    /// <summary>etcd's /health: 200 with {"health":"true"}.</summary>
    public static StackProbe Etcd(Uri baseUri, TimeSpan timeout) =>
        new("etcd", new Uri(baseUri, "/health"), timeout, asksForJson: false, (status, body) =>
        {
            string? health = null, reason = null;
            try
            {
                using var json = JsonDocument.Parse(body);
                if (json.RootElement.TryGetProperty("health", out var h)) health = h.GetString();
                if (json.RootElement.TryGetProperty("reason", out var r)) reason = r.GetString();
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException) { }
            return status == 200 && health == "true"
                ? (true, "OK", "etcd reports itself healthy.")
                : (false, health is null ? $"HTTP {status}" : $"health={health}", string.IsNullOrEmpty(reason) ? $"etcd answered HTTP {status}: {Shorten(body)}" : $"etcd: {reason}");
        });

    /// <summary>MinIO's liveness probe: 200 when the server is up.</summary>
    public static StackProbe Minio(Uri baseUri, TimeSpan timeout) =>
        new("MinIO", new Uri(baseUri, "/minio/health/live"), timeout, asksForJson: false, (status, body) =>
            status == 200 ? (true, "OK", "MinIO is live.") : (false, $"HTTP {status}", $"MinIO answered HTTP {status}: {Shorten(body)}"));

    public HealthCheck Run(CancellationToken cancellation)
    {
        string check = "GET " + Endpoint.AbsolutePath;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(Timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, Endpoint);
            if (_asksForJson)
            {
                // Milvus answers /healthz in JSON when the request says its content is JSON.
                request.Content = new ByteArrayContent([]);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            using var response = Http.Send(request, limit.Token);
            using var reader = new StreamReader(response.Content.ReadAsStream(limit.Token));
            var body = reader.ReadToEnd();
            var (passed, status, message) = _judge((int)response.StatusCode, body);
            return passed
                ? HealthCheck.Pass(Component, check, status, message, Endpoint.ToString())
                : HealthCheck.Fail(Component, check, HealthSeverity.Critical, status, message, Endpoint.ToString());
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            return HealthCheck.Fail(Component, check, HealthSeverity.Critical, "Timeout", $"No answer within {Timeout.TotalSeconds:0.#} s.", Endpoint.ToString());
        }
        catch (HttpRequestException ex)
        {
            return HealthCheck.Fail(Component, check, HealthSeverity.Critical, "Unreachable", ex.Message, Endpoint.ToString());
        }
    }

    private static (string? State, IReadOnlyList<string> Unhealthy) ReadHealthz(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            string? state = root.TryGetProperty("state", out var s) ? s.GetString() : null;
            var unhealthy = new List<string>();
            if (root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.Array)
                foreach (var component in detail.EnumerateArray())
                    if (component.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() != 1)
                        unhealthy.Add(component.TryGetProperty("name", out var n) ? n.GetString() ?? "?" : "?");
            return (state, unhealthy);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return (string.IsNullOrWhiteSpace(body) ? null : Shorten(body), []);
        }
    }

    private static string Shorten(string text) => text.Length <= 200 ? text.Trim() : text[..200].Trim() + "…";
}
