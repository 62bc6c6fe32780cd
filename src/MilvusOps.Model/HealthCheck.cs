namespace MilvusOps.Model;

/// <summary>One component's answer to Test-MilvusHealth: what was checked, whether it passed, and how bad a failure is.</summary>
public sealed class HealthCheck : StoreObject
{
    /// <summary>What was checked: "Milvus", "proxy", "querynode 3", "etcd", "MinIO", "store file"...</summary>
    public required string Component { get; init; }

    /// <summary>How it was checked: "CheckHealth", "GetComponentStates", "GET /healthz", "PRAGMA quick_check"...</summary>
    public required string Check { get; init; }
    public required bool Passed { get; init; }

    /// <summary>None when passed; Warning for what needs attention soon; Critical for what is down or unsafe now.</summary>
    public required HealthSeverity Severity { get; init; }

    /// <summary>The component's own word for its state: Healthy, Abnormal, DenyToWrite, OK, 500, v2.5.27...</summary>
    public required string Status { get; init; }
    public required string Message { get; init; }

    /// <summary>The address or file that answered.</summary>
    public required string Target { get; init; }

    public override string ToString() => $"{Component} ({Check}): {(Passed ? "passed" : Severity.ToString())} {Status}";

    /// <summary>The error a failed Critical check writes beside its result, so that a script that stops on errors stops here.</summary>
    public MilvusOpsException Failure() =>
        new("HealthCheckFailed", ErrorKind.InvalidResult, $"{Component} ({Check}) is {Status}: {Message}", Target);

    public static HealthCheck Pass(string component, string check, string status, string message, string target) =>
        new() { Component = component, Check = check, Passed = true, Severity = HealthSeverity.None, Status = status, Message = message, Target = target };

    public static HealthCheck Fail(string component, string check, HealthSeverity severity, string status, string message, string target) =>
        new() { Component = component, Check = check, Passed = false, Severity = severity, Status = status, Message = message, Target = target };
}

[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum HealthSeverity
{
    None,
    Warning,
    Critical,
}
