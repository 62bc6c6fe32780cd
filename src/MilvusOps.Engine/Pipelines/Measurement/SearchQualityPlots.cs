using System.Globalization;

namespace MilvusOps.Engine.Pipelines.Measurement;

/// <summary>
/// The two plots of a search-quality measurement, as PNG files in a folder: recall against queries per second (one point
/// per setting, labelled with its value) and the latency distribution of each setting. The names are taken before
/// anything is measured, and a file that exists is never replaced.
/// </summary>
public sealed class SearchQualityPlots
{
    private const int Width = 900, Height = 600, LatencyBins = 40;

    private SearchQualityPlots(string recallPath, string latencyPath)
    {
        RecallPath = recallPath;
        LatencyPath = latencyPath;
    }

    public string RecallPath { get; }
    public string LatencyPath { get; }

    /// <summary>Creates the folder when missing and checks that neither plot of this collection is there yet.</summary>
    public static SearchQualityPlots Reserve(string folder, string collection)
    {
        var plots = new SearchQualityPlots(Path.Combine(folder, $"{collection}-recall-qps.png"), Path.Combine(folder, $"{collection}-latency.png"));
        foreach (string path in new[] { plots.RecallPath, plots.LatencyPath })
        {
            if (File.Exists(path) || Directory.Exists(path)) throw Exists(path);
        }
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MilvusOpsException("PlotWriteFailed", ErrorKind.ResourceUnavailable, $"The plot folder '{folder}' cannot be created: {ex.Message}", folder, ex);
        }
        return plots;
    }

    public void Write(IReadOnlyList<SearchQualityResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        Save(RecallPath, RecallPlot(results));
        Save(LatencyPath, LatencyPlot(results));
    }

    private static ScottPlot.Plot RecallPlot(IReadOnlyList<SearchQualityResult> results)
    {
        var first = results[0];
        var plot = new ScottPlot.Plot();
        var line = plot.Add.Scatter(results.Select(r => r.QueriesPerSecond).ToArray(), results.Select(r => r.Recall).ToArray());
        line.MarkerSize = 8;
        foreach (var result in results.Where(r => r.Parameter is not null))
        {
            var label = plot.Add.Text($"{result.Parameter} = {Convert.ToString(result.Value, CultureInfo.InvariantCulture)}", result.QueriesPerSecond, result.Recall);
            label.LabelFontSize = 12;
        }
        plot.Title($"{first.Collection} ({first.IndexType}, {first.Metric}): recall@{first.Top} against queries/s, {first.Queries} queries, concurrency {first.Concurrency}");
        plot.XLabel("queries per second");
        plot.YLabel($"recall@{first.Top}");
        return plot;
    }

    /// <summary>One frequency line per setting over shared bins, so settings compare at a glance.</summary>
    private static ScottPlot.Plot LatencyPlot(IReadOnlyList<SearchQualityResult> results)
    {
        var first = results[0];
        var plot = new ScottPlot.Plot();
        double low = results.Min(r => r.LatenciesMs.Min()), high = results.Max(r => r.LatenciesMs.Max());
        double width = Math.Max(high - low, 1e-3) / LatencyBins;
        var centres = Enumerable.Range(0, LatencyBins).Select(bin => low + ((bin + 0.5) * width)).ToArray();
        foreach (var result in results)
        {
            var counts = new double[LatencyBins];
            foreach (double latency in result.LatenciesMs) counts[Math.Min(LatencyBins - 1, (int)((latency - low) / width))]++;
            var line = plot.Add.Scatter(centres, counts);
            line.MarkerSize = 0;
            line.LegendText = result.Parameter is null
                ? $"p50 {result.LatencyP50Ms:0.00} ms, p99 {result.LatencyP99Ms:0.00} ms"
                : $"{result.Parameter} = {Convert.ToString(result.Value, CultureInfo.InvariantCulture)}: p50 {result.LatencyP50Ms:0.00} ms, p99 {result.LatencyP99Ms:0.00} ms";
        }
        plot.ShowLegend();
        plot.Title($"{first.Collection}: latency of one query per call, {first.Queries} queries");
        plot.XLabel("milliseconds");
        plot.YLabel("queries");
        return plot;
    }

    /// <summary>Renders under a temporary name, then moves it into place without replacing anything.</summary>
    private static void Save(string path, ScottPlot.Plot plot)
    {
        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            plot.SavePng(temporary, Width, Height);
            File.Move(temporary, path, overwrite: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            try { File.Delete(temporary); }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException) { }
            throw File.Exists(path)
                ? Exists(path)
                : new MilvusOpsException("PlotWriteFailed", ErrorKind.ResourceUnavailable, $"The plot '{path}' cannot be written: {ex.Message}", path, ex);
        }
    }

    private static MilvusOpsException Exists(string path) =>
        new("PlotFileExists", ErrorKind.ResourceExists,
            $"'{path}' already exists, and a plot never replaces a file: give -PlotPath another folder, or move the file.", path);
}
