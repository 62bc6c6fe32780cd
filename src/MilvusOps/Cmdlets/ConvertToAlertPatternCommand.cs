using System.Management.Automation;
using MilvusOps.Engine.Stack;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Turns the module's alerts into patterns, so Find-PatternCorrelation and Get-PatternPrediction work on them: piped
/// alerts (from Send-MilvusAlert), or every alert of an alert log. Each pattern's vector is the alert's identity hashed into
/// 64 coordinates (component, check, target, status and severity; the same alert always gets the same vector, cosine 1),
/// its type is "alert", and its temporal_context is the alert, with its time under "timestamp". Store them in a
/// 64-d COSINE collection. A log line that is not an alert is an AlertLogLineInvalid error, and the rest go on.
/// </summary>
/// <example>
/// <code>
/// New-PatternCollection alerts -Dimension 64 -Metric COSINE -IndexType FLAT -IfNotExists | Out-Null
/// ConvertTo-AlertPattern -LogPath /var/log/milvusops/alerts.jsonl | Add-Pattern alerts
/// Find-PatternCorrelation alerts -Threshold 0.99 -Window 00:10:00
/// </code>
/// <para>Loads the alert log as patterns and lists the alerts that keep firing together.</para>
/// </example>
[Cmdlet(VerbsData.ConvertTo, "AlertPattern", DefaultParameterSetName = AlertSet)]
[OutputType(typeof(Pattern))]
public sealed class ConvertToAlertPatternCommand : EngineCmdlet
{
    private const string AlertSet = "Alert";
    private const string LogSet = "Log";

    /// <summary>An alert, as Send-MilvusAlert writes them.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = AlertSet)]
    public MilvusAlert Alert { get; set; } = null!;

    /// <summary>An alert log (Send-MilvusAlert -LogPath) to read every alert of.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = LogSet)]
    public string LogPath { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (ParameterSetName == AlertSet)
        {
            WriteObject(AlertPatterns.ToPattern(Alert));
            return;
        }
        string path = GetUnresolvedProviderPathFromPSPath(LogPath);
        using var lines = Call(() => AlertLog.Read(path, Cancellation)).GetEnumerator();
        while (Call(lines.MoveNext))
        {
            var (line, alert, problem) = lines.Current;
            if (alert is not null) WriteObject(AlertPatterns.ToPattern(alert));
            else WriteEngineError(new MilvusOpsException("AlertLogLineInvalid", ErrorKind.InvalidData,
                $"Line {line} of the alert log '{path}' is left out: {problem}.", $"{path}:{line}"));
        }
    }
}
