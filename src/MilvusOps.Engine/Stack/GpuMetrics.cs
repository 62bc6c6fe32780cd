using System.Diagnostics;
using System.Globalization;

namespace MilvusOps.Engine.Stack;

/// <summary>
/// GPU figures for the GPU stack, where Milvus exports none: from NVIDIA's DCGM exporter (Prometheus text, :9400/metrics),
/// or from nvidia-smi on this machine.
/// </summary>
public static class GpuMetrics
{
    // The DCGM exporter's default field names (its default-counters.csv).
    private const string Utilization = "DCGM_FI_DEV_GPU_UTIL", MemoryUsed = "DCGM_FI_DEV_FB_USED", MemoryFree = "DCGM_FI_DEV_FB_FREE",
        Temperature = "DCGM_FI_DEV_GPU_TEMP", Power = "DCGM_FI_DEV_POWER_USAGE";

    /// <summary>Reads a DCGM exporter's metrics page: one status per GPU (its gpu and UUID labels).</summary>
    public static IReadOnlyList<GpuStatus> FromDcgm(Uri endpoint, TimeSpan timeout, CancellationToken cancellation)
    {
        var samples = MetricScrape.Read(endpoint, timeout, cancellation, family => family.StartsWith("DCGM_FI_DEV_", StringComparison.Ordinal), _ => true, _ => null);
        var gpus = FromDcgmSamples(samples, endpoint.ToString());
        // Exporter 4.9 renamed the default metrics; an empty answer must not read as "no GPUs".
        return gpus.Count > 0 ? gpus : throw new MilvusOpsException("GpuMetricsNotFound", ErrorKind.ObjectNotFound,
            $"{endpoint} has no per-GPU DCGM_FI_DEV_* metrics. Get-MilvusGpu reads the default metrics of DCGM exporter 4.8 (the compose stack's); is this a DCGM exporter, and of that line?", endpoint.ToString());
    }

    public static IReadOnlyList<GpuStatus> FromDcgmSamples(IReadOnlyList<MetricSample> samples, string source)
    {
        var statuses = new List<GpuStatus>();
        foreach (var gpu in samples.Where(s => s.Labels.ContainsKey("gpu")).GroupBy(s => (Index: s.Labels["gpu"], Uuid: s.Labels.GetValueOrDefault("UUID"))))
        {
            if (!int.TryParse(gpu.Key.Index, NumberStyles.Integer, CultureInfo.InvariantCulture, out int index)) continue;
            double? Value(string name) => gpu.FirstOrDefault(s => s.Name == name)?.Value is { } v && double.IsFinite(v) ? v : null;
            var labels = gpu.First().Labels;
            double? used = Value(MemoryUsed), free = Value(MemoryFree);
            statuses.Add(new GpuStatus
            {
                Gpu = index, Uuid = gpu.Key.Uuid, Model = labels.GetValueOrDefault("modelName"), Host = labels.GetValueOrDefault("Hostname"),
                UtilizationPercent = Value(Utilization), MemoryUsedMiB = used, MemoryTotalMiB = used + free,
                TemperatureC = Value(Temperature), PowerW = Value(Power), Source = source,
            });
        }
        return statuses.OrderBy(s => s.Host, StringComparer.Ordinal).ThenBy(s => s.Gpu).ToList();
    }

    /// <summary>The query nvidia-smi answers, one GPU per line.</summary>
    public const string NvidiaSmiQuery = "index,uuid,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw";

    /// <summary>Runs nvidia-smi on this machine; GpuToolNotFound when it is not installed.</summary>
    public static IReadOnlyList<GpuStatus> FromNvidiaSmi(TimeSpan timeout, CancellationToken cancellation)
    {
        var start = new ProcessStartInfo("nvidia-smi") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add($"--query-gpu={NvidiaSmiQuery}");
        start.ArgumentList.Add("--format=csv,noheader,nounits");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("nvidia-smi did not start");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new MilvusOpsException("GpuToolNotFound", ErrorKind.ObjectNotFound,
                "nvidia-smi is not on this machine's PATH. Read a GPU host's figures from its DCGM exporter: Get-MilvusGpu -DcgmUri http://gpu-host:9400.", "nvidia-smi", ex);
        }
        using (process)
        using (cancellation.Register(() => { try { process.Kill(); } catch (InvalidOperationException) { } }))
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellation);
            var errors = process.StandardError.ReadToEndAsync(cancellation);
            if (!process.WaitForExit(timeout))
            {
                process.Kill();
                throw new MilvusOpsException("GpuToolTimeout", ErrorKind.OperationTimeout, $"nvidia-smi did not answer within {timeout.TotalSeconds:0} s.", "nvidia-smi");
            }
            cancellation.ThrowIfCancellationRequested();
            if (process.ExitCode != 0)
                throw new MilvusOpsException("GpuToolFailed", ErrorKind.InvalidOperation,
                    $"nvidia-smi exited {process.ExitCode}: {(errors.Result + output.Result).Trim()}", "nvidia-smi");
            return FromNvidiaSmiCsv(output.Result);
        }
    }

    /// <summary>Reads nvidia-smi's CSV (no header, no units); "[N/A]" and "[Not Supported]" are unknown values.</summary>
    public static IReadOnlyList<GpuStatus> FromNvidiaSmiCsv(string csv)
    {
        var statuses = new List<GpuStatus>();
        foreach (var line in csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(',').Select(f => f.Trim()).ToArray();
            if (fields.Length != 8 || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int index))
                throw new MilvusOpsException("GpuToolFailed", ErrorKind.InvalidOperation, $"nvidia-smi answered a line MilvusOps cannot read: {line}", line);
            double? Number(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;
            statuses.Add(new GpuStatus
            {
                Gpu = index, Uuid = fields[1], Model = fields[2], UtilizationPercent = Number(fields[3]), MemoryUsedMiB = Number(fields[4]),
                MemoryTotalMiB = Number(fields[5]), TemperatureC = Number(fields[6]), PowerW = Number(fields[7]),
                Host = Environment.MachineName, Source = "nvidia-smi",
            });
        }
        return statuses;
    }
}
