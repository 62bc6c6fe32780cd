using System.Text.Json;

namespace MilvusOps.Engine.Stack;

/// <summary>
/// One HTTP health endpoint of the stack around a store: Milvus's management port (:9091/healthz), etcd (:2379/health)
/// or MinIO (:9000/minio/health/live). An endpoint that does not answer is a failed check, never an exception.
/// </summary>
public sealed class StackProbe
{
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
        try
        {
            var (status, body) = StackHttp.Get(Endpoint, Timeout, cancellation, _asksForJson);
            var (passed, state, message) = _judge(status, body);
            return passed
                ? HealthCheck.Pass(Component, check, state, message, Endpoint.ToString())
                : HealthCheck.Fail(Component, check, HealthSeverity.Critical, state, message, Endpoint.ToString());
        }
        catch (TimeoutException ex)
        {
            return HealthCheck.Fail(Component, check, HealthSeverity.Critical, "Timeout", ex.Message, Endpoint.ToString());
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
