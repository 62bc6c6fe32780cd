using System.Management.Automation;
using MilvusOps.Engine.Stack;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Checks the health of a store and the stack around it: one object per component, each with Passed, Severity, Status
/// and Message. For Milvus: CheckHealth (with quota states), GetComponentStates and the server version against published
/// advisories; with -ManagementUri, -EtcdUri and -MinioUri, the stack's HTTP health endpoints too. For the embedded
/// store: its format, integrity (PRAGMA quick_check), write-ahead log and write lock. After the results, each failed
/// Critical check writes a HealthCheckFailed error and each failed Warning a warning, so a script that stops on errors
/// fails when the stack does (not with -Quiet).
/// </summary>
/// <example>
/// <code>
/// Test-MilvusHealth -ManagementUri http://localhost:9091 -EtcdUri http://localhost:2379 -MinioUri http://localhost:9000
/// </code>
/// <para>Checks the compose stack: Milvus over gRPC, its /healthz, etcd and MinIO.</para>
/// </example>
/// <example>
/// <code>
/// $ErrorActionPreference = 'Stop'; Test-MilvusHealth -ManagementUri http://localhost:9091
/// </code>
/// <para>A script a scheduler runs with pwsh -File: a failed Critical check ends it with exit code 1, after every result is shown; the script needs no exit logic.</para>
/// </example>
/// <example>
/// <code>
/// Test-MilvusHealth -Quiet
/// </code>
/// <para>$true only when every check passed; no errors or warnings are written.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "MilvusHealth")]
[OutputType(typeof(HealthCheck), typeof(bool))]
public sealed class TestMilvusHealthCommand : MilvusOpsCmdlet
{
    /// <summary>Milvus's management port, where /healthz answers (http://localhost:9091 in the compose stack).</summary>
    [Parameter]
    public Uri? ManagementUri { get; set; }

    /// <summary>etcd's client port, where /health answers (http://localhost:2379).</summary>
    [Parameter]
    public Uri? EtcdUri { get; set; }

    /// <summary>MinIO's API port, where /minio/health/live answers (http://localhost:9000).</summary>
    [Parameter]
    public Uri? MinioUri { get; set; }

    /// <summary>How long each HTTP endpoint may take to answer.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int ProbeTimeoutSec { get; set; } = 5;

    /// <summary>Return one bool: $true when every check passed.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void EndProcessing()
    {
        var timeout = TimeSpan.FromSeconds(ProbeTimeoutSec);
        var probes = Call(() =>
        {
            var chosen = new List<StackProbe>();
            if (ManagementUri is not null) chosen.Add(StackProbe.MilvusManagement(StackHttp.Check(ManagementUri, nameof(ManagementUri)), timeout));
            if (EtcdUri is not null) chosen.Add(StackProbe.Etcd(StackHttp.Check(EtcdUri, nameof(EtcdUri)), timeout));
            if (MinioUri is not null) chosen.Add(StackProbe.Minio(StackHttp.Check(MinioUri, nameof(MinioUri)), timeout));
            return chosen;
        });

        // A store that cannot be reached is the failed check a health run is for, not an error; the probes still run.
        var checks = TryGiven(out var unreachable) is not null
            ? Call(() => Session.CheckHealth()).ToList()
            : [HealthCheck.Fail("store", "Connect", HealthSeverity.Critical, unreachable!.ErrorId,
                unreachable.Message, Connection?.ToString() ?? "")];
        foreach (var probe in probes) checks.Add(Call(() => probe.Run(Cancellation)));
        if (Quiet)
        {
            WriteObject(checks.All(c => c.Passed));
            return;
        }
        foreach (var check in checks)
        {
            if (unreachable is null) WriteStoreObject(check);
            else WriteObject(check);
        }
        // After every result, so that -ErrorAction Stop (or pwsh -File under $ErrorActionPreference = 'Stop') stops with the whole picture shown.
        foreach (var failed in checks.Where(c => !c.Passed))
        {
            if (failed.Severity == HealthSeverity.Critical) WriteEngineError(failed.Failure(), failed);
            else WriteWarning(failed.Failure().Message);
        }
    }
}
