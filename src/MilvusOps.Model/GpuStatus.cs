namespace MilvusOps.Model;

/// <summary>One GPU's figures, from NVIDIA's DCGM exporter or nvidia-smi: Milvus exports no GPU metrics of its own.</summary>
public sealed class GpuStatus
{
    /// <summary>The GPU's index on its host.</summary>
    public required int Gpu { get; init; }
    public string? Uuid { get; init; }
    public string? Model { get; init; }

    /// <summary>Percent of time a kernel ran, over the last sample period.</summary>
    public double? UtilizationPercent { get; init; }
    public double? MemoryUsedMiB { get; init; }
    public double? MemoryTotalMiB { get; init; }
    public double? MemoryUsedPercent => MemoryUsedMiB is { } used && MemoryTotalMiB is { } total && total > 0 ? Math.Round(100 * used / total, 1) : null;
    public double? TemperatureC { get; init; }
    public double? PowerW { get; init; }
    public string? Host { get; init; }

    /// <summary>Where the figures came from: the exporter's URL, or "nvidia-smi".</summary>
    public required string Source { get; init; }

    public override string ToString() => $"GPU {Gpu} {Model}: {UtilizationPercent}% busy, {MemoryUsedMiB}/{MemoryTotalMiB} MiB";
}
