using System.Text.Json;
using MilvusOps.Engine.Stack;

namespace MilvusOps.Engine.Tests.Stack;

/// <summary>Check results into alerts, the alert log that never writes to another file, and the webhook body.</summary>
public sealed class AlertTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-alerts-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly DateTimeOffset Now = new(2026, 12, 2, 14, 0, 0, TimeSpan.Zero);

    private static MilvusAlert Alert(string component, HealthSeverity severity = HealthSeverity.Critical) =>
        AlertRules.From(HealthCheck.Fail(component, "CheckHealth", severity, "Unhealthy", $"{component} is down", "http://h:19530"), Now, "ops1")!;

    [Fact]
    public void Failed_checks_become_alerts_at_their_severity_and_passed_ones_raise_nothing()
    {
        Assert.Null(AlertRules.From(HealthCheck.Pass("Milvus", "CheckHealth", "Healthy", "ok", "t"), Now, "h"));
        var warning = AlertRules.From(HealthCheck.Fail("Milvus version", "GetVersion", HealthSeverity.Warning, "v2.5.4", "advisory", "t"), Now, "h")!;
        Assert.Equal((HealthSeverity.Warning, "Milvus version", "v2.5.4"), (warning.Severity, warning.Component, warning.Status));

        var coherence = AlertRules.From(new CoherenceCheckResult
        {
            Check = "Threshold", Collection = "patterns", Passed = false, Checked = 10, Failed = 2, Expected = ">= 0.9", Actual = "0.5",
            Message = "2 patterns below 0.9", Violations = [],
        }, Now, "h")!;
        Assert.Equal((HealthSeverity.Critical, "collection patterns", "2 of 10 failed"), (coherence.Severity, coherence.Component, coherence.Status));

        Assert.Null(AlertRules.From(new CollectionLoadState { Collection = "c", State = LoadStatus.Loaded, Progress = 100 }, Now, "h"));
        var released = AlertRules.From(new CollectionLoadState { Collection = "c", State = LoadStatus.NotLoad }, Now, "h")!;
        Assert.Equal(HealthSeverity.Critical, released.Severity);
        Assert.Contains("Mount-MilvusCollection", released.Message);
        Assert.Equal(HealthSeverity.Warning, AlertRules.From(new CollectionLoadState { Collection = "c", State = LoadStatus.Loading, Progress = 50 }, Now, "h")!.Severity);

        Assert.Equal("AlertInputNotSupported", Assert.Throws<MilvusOpsException>(() => AlertRules.From("text", Now, "h")).ErrorId);
    }

    [Fact]
    public void The_alert_log_appends_json_lines_and_refuses_any_file_that_is_not_one()
    {
        var log = Path.Combine(_folder, "alerts.jsonl");
        AlertLog.Append(log, [Alert("proxy")]);
        AlertLog.Append(log, [Alert("querynode 3", HealthSeverity.Warning), Alert("etcd")]);
        var lines = File.ReadAllLines(log);
        Assert.Equal(3, lines.Length);
        using (var second = JsonDocument.Parse(lines[1]))
        {
            Assert.Equal("MilvusOps.Alert", second.RootElement.GetProperty("kind").GetString());
            Assert.Equal("Warning", second.RootElement.GetProperty("severity").GetString());
            Assert.Equal("querynode 3", second.RootElement.GetProperty("component").GetString());
        }

        var store = Path.Combine(_folder, "store.db");
        File.WriteAllBytes(store, "SQLite format 3\0"u8.ToArray().Concat(new byte[100]).ToArray());
        var script = Path.Combine(_folder, "check.ps1");
        File.WriteAllText(script, "Test-MilvusHealth\n");
        foreach (var (path, reason) in new[] { (store, "not a MilvusOps alert log"), (script, "not a MilvusOps alert log"), (_folder, "folder"), (Path.Combine(_folder, "no", "a.jsonl"), "does not exist") })
        {
            var refused = Assert.Throws<MilvusOpsException>(() => AlertLog.Append(path, [Alert("proxy")]));
            Assert.Equal(("AlertLogInvalid", ErrorKind.InvalidArgument), (refused.ErrorId, refused.Kind));
            Assert.Contains(reason, refused.Message);
        }
        Assert.Equal("Test-MilvusHealth\n", File.ReadAllText(script));
        Assert.Equal(116, new FileInfo(store).Length);
    }

    [Fact]
    public void An_alert_longer_than_any_buffer_leaves_the_log_an_alert_log()
    {
        var log = Path.Combine(_folder, "alerts.jsonl");
        var longOne = AlertRules.From(HealthCheck.Fail("proxy", "CheckHealth", HealthSeverity.Critical, "Unhealthy", new string('x', 20_000), "t"), Now, "ops1")!;
        AlertLog.Append(log, [longOne]);
        AlertLog.Append(log, [Alert("etcd")]);
        Assert.Equal(2, File.ReadAllLines(log).Length);
    }

    [Fact]
    public async Task A_webhook_that_redirects_is_not_taken_as_delivered()
    {
        await using var server = await LoopbackHttp.Start(request => request.Method == "POST" ? (302, "") : (200, "login page"));
        var refused = Assert.Throws<MilvusOpsException>(() => AlertLog.Post(new Uri(server.Uri, "/hooks/x"), [Alert("proxy")], TimeSpan.FromSeconds(5), default));
        Assert.Equal("WebhookFailed", refused.ErrorId);
        Assert.Contains("HTTP 302", refused.Message);
    }

    [Fact]
    public async Task A_webhook_gets_one_json_body_with_a_summary_and_the_alerts_and_a_refusal_hides_the_secret_path()
    {
        var bodies = new List<LoopbackHttp.Request>();
        await using var server = await LoopbackHttp.Start(request =>
        {
            lock (bodies) bodies.Add(request);
            return request.Path.StartsWith("/hooks/good", StringComparison.Ordinal) ? (200, "ok") : (403, "invalid token");
        });
        AlertLog.Post(new Uri(server.Uri, "/hooks/good/T0KEN"), [Alert("proxy"), Alert("etcd", HealthSeverity.Warning)], TimeSpan.FromSeconds(5), default);
        var posted = Assert.Single(bodies);
        Assert.Equal(("POST", "application/json"), (posted.Method, posted.ContentType));
        using (var body = JsonDocument.Parse(posted.Body))
        {
            Assert.StartsWith("MilvusOps on ops1: 1 critical, 1 warning.", body.RootElement.GetProperty("text").GetString());
            Assert.Equal(2, body.RootElement.GetProperty("alerts").GetArrayLength());
            Assert.Equal("Critical", body.RootElement.GetProperty("alerts")[0].GetProperty("severity").GetString());
        }

        var refused = Assert.Throws<MilvusOpsException>(() => AlertLog.Post(new Uri(server.Uri, "/hooks/bad/S3CRET"), [Alert("proxy")], TimeSpan.FromSeconds(5), default));
        Assert.Equal(("WebhookFailed", ErrorKind.ConnectionError), (refused.ErrorId, refused.Kind));
        Assert.Contains("HTTP 403", refused.Message);
        Assert.DoesNotContain("S3CRET", refused.Message);
        Assert.DoesNotContain("S3CRET", refused.Target?.ToString());
    }
}
