namespace MilvusOps.Engine.Stack;

/// <summary>
/// Which check results become alerts, and how bad each is: a failed health check at its own severity, a failed
/// coherence check as Critical (the data is wrong), a collection that is not loaded as Critical (its searches fail).
/// Passed checks raise nothing.
/// </summary>
public static class AlertRules
{
    /// <summary>A check that could not run at all (its command failed) is Critical: nothing vouches for what it checks.</summary>
    public static MilvusAlert FromFailure(string errorId, string message, string? target, DateTimeOffset time, string host) => new()
    {
        Time = time, Host = host, Severity = HealthSeverity.Critical, Component = target is { Length: > 0 } ? target : "check", Check = errorId,
        Status = "Failed", Message = message, Target = target,
    };

    /// <summary>The alert for a result, null when it raises none; NotSupported for objects that are no check result.</summary>
    public static MilvusAlert? From(object result, DateTimeOffset time, string host) => result switch
    {
        HealthCheck { Passed: true } => null,
        HealthCheck check => new MilvusAlert
        {
            Time = time, Host = host, Severity = check.Severity == HealthSeverity.None ? HealthSeverity.Critical : check.Severity,
            Component = check.Component, Check = check.Check, Status = check.Status, Message = check.Message, Target = check.Target, Store = check.Connection?.Uri,
        },
        CoherenceCheckResult { Passed: true } => null,
        CoherenceCheckResult check => new MilvusAlert
        {
            Time = time, Host = host, Severity = HealthSeverity.Critical, Component = $"collection {check.Collection}", Check = check.Check,
            Status = $"{check.Failed} of {check.Checked} failed", Message = check.Message, Target = check.Collection, Store = check.Connection?.Uri,
        },
        CollectionLoadState { State: LoadStatus.Loaded } => null,
        CollectionLoadState state => new MilvusAlert
        {
            Time = time, Host = host, Severity = state.State == LoadStatus.NotLoad ? HealthSeverity.Critical : HealthSeverity.Warning,
            Component = $"collection {state.Collection}", Check = "GetLoadState", Status = state.State.ToString(),
            Message = state.State == LoadStatus.NotLoad
                ? $"Collection '{state.Collection}' is not loaded: its searches and queries fail. Mount-MilvusCollection loads it."
                : $"Collection '{state.Collection}' is still loading ({state.Progress} %).",
            Target = state.Collection, Store = state.Connection?.Uri,
        },
        _ => throw new MilvusOpsException("AlertInputNotSupported", ErrorKind.InvalidArgument,
            $"A {result.GetType().Name} is no check result. Send-MilvusAlert takes the output of Test-MilvusHealth, Test-PatternCoherence and Get-MilvusLoadState, and the errors of any check.",
            result.GetType().Name),
    };
}
