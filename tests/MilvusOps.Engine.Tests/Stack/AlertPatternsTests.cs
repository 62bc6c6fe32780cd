using MilvusOps.Engine.Search;
using MilvusOps.Engine.Stack;

namespace MilvusOps.Engine.Tests.Stack;

/// <summary>Alerts as patterns: the same alert gets the same vector whenever it fires, other alerts are less alike, and an
/// alert log is read back line by line, a bad line reported with its number.</summary>
public sealed class AlertPatternsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-alertpatterns-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly DateTimeOffset Start = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static MilvusAlert Alert(string component, string check, DateTimeOffset time, string message = "down") => new()
    {
        Time = time, Severity = HealthSeverity.Critical, Component = component, Check = check, Status = "Unreachable",
        Message = message, Target = $"http://{component}:2379", Host = "ops-1",
    };

    [Fact]
    public void The_same_alert_has_the_same_vector_at_any_time_and_another_alert_is_less_alike()
    {
        var first = AlertPatterns.ToPattern(Alert("etcd", "GET /health", Start, "refused"));
        var again = AlertPatterns.ToPattern(Alert("etcd", "GET /health", Start.AddHours(5), "timed out"));
        var other = AlertPatterns.ToPattern(Alert("minio", "GET /health", Start));
        Assert.Equal(AlertPatterns.Dimension, first.Vector.Length);
        Assert.Equal(first.Vector.ToArray(), again.Vector.ToArray());
        Assert.Equal(1.0, PairScore.Of(MetricType.COSINE, first.Vector, first.Vector), 5);
        Assert.InRange(PairScore.Of(MetricType.COSINE, first.Vector, other.Vector), -0.9, 0.9);
        Assert.NotEqual(first.PatternId, again.PatternId);   // another firing, another pattern
        Assert.Equal(first.PatternId, AlertPatterns.ToPattern(Alert("etcd", "GET /health", Start, "refused")).PatternId);
        Assert.Equal(("alert", (DateTimeOffset?)Start), (first.PatternType, PatternTime.Of(first, PatternTime.DefaultKey, out _)));
        Assert.Equal("etcd", first.TemporalContext!["component"]);
    }

    [Fact]
    public void An_alert_log_reads_back_and_a_line_that_is_not_an_alert_is_named()
    {
        string log = Path.Combine(_folder, "alerts.jsonl");
        AlertLog.Append(log, [Alert("etcd", "GET /health", Start), Alert("minio", "GET /health", Start)]);
        File.AppendAllText(log, "{\"kind\":\"MilvusOps.Alert\",\"time\":\"not a time\"}\n");
        var lines = AlertLog.Read(log).ToList();
        Assert.Equal(["etcd", "minio"], lines.Where(l => l.Alert is not null).Select(l => l.Alert!.Component));
        var bad = Assert.Single(lines, l => l.Alert is null);
        Assert.Equal(3, bad.Line);
        Assert.Contains("not an alert's JSON", bad.Problem, StringComparison.Ordinal);
        Assert.Equal("AlertLogNotFound", Assert.Throws<MilvusOpsException>(() => AlertLog.Read(Path.Combine(_folder, "none.jsonl"))).ErrorId);
    }
}
