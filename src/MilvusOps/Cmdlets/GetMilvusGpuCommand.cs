using System.Management.Automation;
using MilvusOps.Engine.Stack;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// GPU utilisation, memory, temperature and power of the GPU stack. Milvus exports no GPU metrics of its own: the figures
/// come from NVIDIA's DCGM exporter (-DcgmUri, port 9400 in the compose stack's gpu profile) or, without it, from
/// nvidia-smi on this machine.
/// </summary>
/// <example>
/// <code>
/// Get-MilvusGpu -DcgmUri http://localhost:9400
/// </code>
/// <para>One object per GPU that the exporter on the Milvus host reports.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusGpu")]
[OutputType(typeof(GpuStatus))]
public sealed class GetMilvusGpuCommand : EngineCmdlet
{
    /// <summary>A DCGM exporter (http://host:9400); without it, nvidia-smi on this machine.</summary>
    [Parameter(Position = 0)]
    public Uri? DcgmUri { get; set; }

    /// <summary>How long the exporter or nvidia-smi may take.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int TimeoutSec { get; set; } = 10;

    protected override void EndProcessing()
    {
        var timeout = TimeSpan.FromSeconds(TimeoutSec);
        var gpus = Call(() => DcgmUri is null
            ? GpuMetrics.FromNvidiaSmi(timeout, Cancellation)
            : GpuMetrics.FromDcgm(new Uri(StackHttp.Check(DcgmUri, nameof(DcgmUri)), "/metrics"), timeout, Cancellation));
        foreach (var gpu in gpus) WriteObject(gpu);
    }
}
