using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MilvusOps.Engine.Stack;

/// <summary>
/// Where alerts go: appended as JSON lines to a log file that only alerts are written to, and optionally POSTed to a
/// webhook as one JSON body per run. A file that is not an alert log is never written to: appending to a store or a
/// script would damage it.
/// </summary>
public static class AlertLog
{
    /// <summary>Every line carries this marker, so an alert log is known by its first line.</summary>
    private const string Marker = "MilvusOps.Alert";

    /// <summary>How every line of an alert log begins (<see cref="Line"/> writes "kind" first).</summary>
    private static readonly string LinePrefix = $"{{\"kind\":\"{Marker}\"";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // a log read by people: ' and + as they are
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Refuses a folder, a missing folder, and an existing non-empty file whose first line is not an alert.</summary>
    public static void CheckPlace(string path)
    {
        if (Directory.Exists(path)) throw Invalid(path, "it is a folder; name a file");
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder && !Directory.Exists(folder)) throw Invalid(path, $"its folder '{folder}' does not exist");
        if (!File.Exists(path)) return;
        string start;
        try
        {
            // Every line this log gets begins with the marker: its first bytes say whose file it is, however long the line.
            using var reader = new StreamReader(path, Encoding.UTF8);
            var buffer = new char[LinePrefix.Length];
            int read = reader.ReadBlock(buffer, 0, buffer.Length);
            if (read == 0) return;
            start = new string(buffer, 0, read);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Invalid(path, $"it cannot be read ({ex.Message})", ex);
        }
        if (start != LinePrefix)
            throw Invalid(path, "the file exists and is not a MilvusOps alert log; choose another path");
    }

    /// <summary>Appends the alerts, one JSON line each; the file is created if missing.</summary>
    public static void Append(string path, IReadOnlyList<MilvusAlert> alerts)
    {
        CheckPlace(path);
        var text = new StringBuilder();
        foreach (var alert in alerts) text.Append(Line(alert)).Append('\n');
        try
        {
            File.AppendAllText(path, text.ToString(), new UTF8Encoding(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Invalid(path, $"it cannot be written ({ex.Message})", ex);
        }
    }

    public static string Line(MilvusAlert alert)
    {
        var fields = JsonSerializer.SerializeToNode(alert, Json)!.AsObject();
        var line = new System.Text.Json.Nodes.JsonObject { ["kind"] = Marker };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            line[name] = value;
        }
        return line.ToJsonString(Json);
    }

    /// <summary>The alerts of a log, line by line (1-based), each with the reason when its line is not one.</summary>
    public static IEnumerable<(int Line, MilvusAlert? Alert, string? Problem)> Read(string path, CancellationToken cancellation = default)
    {
        if (!File.Exists(path))
            throw new MilvusOpsException("AlertLogNotFound", ErrorKind.ObjectNotFound, $"The alert log '{path}' does not exist.", path);
        CheckPlace(path);
        return Lines(path, cancellation);
    }

    private static IEnumerable<(int, MilvusAlert?, string?)> Lines(string path, CancellationToken cancellation)
    {
        int number = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            number++;
            if ((number & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            if (line.Length == 0) continue;
            MilvusAlert? alert = null;
            string? problem = null;
            try
            {
                alert = JsonSerializer.Deserialize<MilvusAlert>(line, Json);
                if (alert is null || !line.StartsWith(LinePrefix, StringComparison.Ordinal)) problem = "it is not a MilvusOps alert";
            }
            catch (JsonException ex)
            {
                problem = $"it is not an alert's JSON ({ex.Message})";
            }
            yield return (number, problem is null ? alert : null, problem);
        }
    }

    /// <summary>The body a webhook gets: a one-line summary in "text" (what Slack and Teams incoming webhooks show) and
    /// every alert in "alerts".</summary>
    public static string WebhookBody(IReadOnlyList<MilvusAlert> alerts)
    {
        int critical = alerts.Count(a => a.Severity == HealthSeverity.Critical);
        var summary = $"MilvusOps on {alerts[0].Host}: {critical} critical, {alerts.Count - critical} warning. " +
            string.Join(" | ", alerts.Take(5).Select(a => $"{a.Severity} {a.Component}: {a.Message}")) + (alerts.Count > 5 ? " | …" : "");
        return JsonSerializer.Serialize(new { kind = Marker, text = summary, alerts }, Json);
    }

    /// <summary>POSTs the alerts to a webhook; a non-2xx answer or no answer is WebhookFailed. The address is shown
    /// without its path and query, which often hold the webhook's secret.</summary>
    public static void Post(Uri webhook, IReadOnlyList<MilvusAlert> alerts, TimeSpan timeout, CancellationToken cancellation)
    {
        string shown = $"{webhook.Scheme}://{webhook.Authority}/…";
        int status;
        try
        {
            status = StackHttp.Post(webhook, WebhookBody(alerts), timeout, cancellation);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException)
        {
            throw new MilvusOpsException("WebhookFailed", ErrorKind.ConnectionError, $"The webhook at {shown} did not take the alerts: {ex.Message.Replace(webhook.ToString(), shown, StringComparison.Ordinal)}", shown, ex);
        }
        if (status is < 200 or > 299)
            throw new MilvusOpsException("WebhookFailed", ErrorKind.ConnectionError, $"The webhook at {shown} answered HTTP {status}; the alerts are in the log only.", shown);
    }

    private static MilvusOpsException Invalid(string path, string reason, Exception? inner = null) =>
        new("AlertLogInvalid", ErrorKind.InvalidArgument, $"-LogPath '{path}' cannot take alerts: {reason}.", path, inner);
}
