using System.Management.Automation;
using MilvusOps.Engine.Stack;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Turns check results into alerts: every failed check piped in (from Test-MilvusHealth, Test-PatternCoherence or
/// Get-MilvusLoadState), and every error of a check that could not run (an ErrorRecord, as Critical), at or above
/// -MinimumSeverity becomes a MilvusAlert, appended as a JSON line to -LogPath and, with
/// -WebhookUri, POSTed in one JSON body (a "text" summary, as Slack and Teams webhooks show it, and the "alerts").
/// The alerts are also written to the pipeline, so a script can count them and choose its exit code. A failed check
/// also writes an error of its own, which under $ErrorActionPreference = 'Stop' would end the pipeline before the
/// alerts go out: there, run the checks with -ErrorAction SilentlyContinue, as examples/scheduled-check.ps1 does.
/// </summary>
/// <example>
/// <code>
/// Test-MilvusHealth -ManagementUri http://localhost:9091 -ErrorAction SilentlyContinue | Send-MilvusAlert -LogPath /var/log/milvusops/alerts.jsonl -WebhookUri $env:ALERT_WEBHOOK
/// </code>
/// <para>Logs each failed health check, and tells the team's channel about them.</para>
/// </example>
[Cmdlet(VerbsCommunications.Send, "MilvusAlert", SupportsShouldProcess = true)]
[OutputType(typeof(MilvusAlert))]
public sealed class SendMilvusAlertCommand : EngineCmdlet
{
    private readonly List<MilvusAlert> _alerts = [];
    private readonly DateTimeOffset _time = DateTimeOffset.UtcNow;

    /// <summary>A check result, or the ErrorRecord of a check that failed to run; passed checks raise nothing.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public object InputObject { get; set; } = null!;

    /// <summary>The alert log: JSON lines, appended; created when missing. A file that is not an alert log is refused.</summary>
    [Parameter]
    public string? LogPath { get; set; }

    /// <summary>A webhook that takes a JSON POST (Slack, Teams, a pager's inbound hook).</summary>
    [Parameter]
    public Uri? WebhookUri { get; set; }

    /// <summary>Alerts below this severity are left out.</summary>
    [Parameter]
    [ValidateSet("Warning", "Critical")]
    public string MinimumSeverity { get; set; } = "Warning";

    /// <summary>How long the webhook may take to answer.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int WebhookTimeoutSec { get; set; } = 10;

    private string? _logPath;

    protected override void BeginProcessing()
    {
        if (WebhookUri is not null) Call(() => StackHttp.Check(WebhookUri, nameof(WebhookUri)));
        if (LogPath is null) return;
        _logPath = GetUnresolvedProviderPathFromPSPath(LogPath);
        Call(() => AlertLog.CheckPlace(_logPath)); // before any check runs: a bad path fails now, not after the checks
    }

    protected override void ProcessRecord()
    {
        var result = InputObject is PSObject wrapped ? wrapped.BaseObject : InputObject;
        MilvusAlert? alert = null;
        if (result is ErrorRecord failed)
            alert = AlertRules.FromFailure(failed.FullyQualifiedErrorId.Split(',')[0], failed.Exception.Message, failed.TargetObject?.ToString(), _time, Environment.MachineName);
        else if (!TryCall(() => alert = AlertRules.From(result, _time, Environment.MachineName), result)) return;
        if (alert is null || alert.Severity < Enum.Parse<HealthSeverity>(MinimumSeverity)) return;
        _alerts.Add(alert);
        WriteObject(alert);
    }

    protected override void EndProcessing()
    {
        if (_alerts.Count == 0) return;
        if (_logPath is not null && ShouldProcess(_logPath, $"Append {_alerts.Count} alert(s)"))
            TryCall(() => AlertLog.Append(_logPath, _alerts), _logPath);
        if (WebhookUri is not null && ShouldProcess($"{WebhookUri.Scheme}://{WebhookUri.Authority}/…", $"Send {_alerts.Count} alert(s)"))
            TryCall(() => AlertLog.Post(WebhookUri, _alerts, TimeSpan.FromSeconds(WebhookTimeoutSec), Cancellation));
    }
}
