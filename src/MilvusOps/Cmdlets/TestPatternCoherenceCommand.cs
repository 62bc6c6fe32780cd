using System.Collections;
using System.Globalization;
using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Sources.ExportSets;
using MilvusOps.Engine.Sources.Legacy;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Verifies a collection: coherence thresholds, temporal context, and (with -SourcePath) bit-exact
/// fidelity against the legacy SQLite file it was migrated from or the export set it was imported from. One result object per check;
/// -Quiet returns a single bool for Pester and scripts. A collection with fewer than -MinCount patterns
/// (default 1) fails the Threshold check, so a scheduled check cannot pass on an emptied collection. After the results,
/// each failed check writes a CoherenceCheckFailed error (not with -Quiet), so a script that stops on errors fails.
/// </summary>
/// <example>
/// <code>
/// Test-PatternCoherence current -Threshold 0.9 -SourcePath ./legacy.db
/// </code>
/// <para>Runs the Threshold, TemporalContext and Fidelity checks and emits one result per check.</para>
/// </example>
/// <example>
/// <code>
/// Test-Coherence current -Quiet | Should -BeTrue
/// </code>
/// <para>In a Pester test: -Quiet returns one bool, true when every check passed.</para>
/// </example>
/// <example>
/// <code>
/// $ErrorActionPreference = 'Stop'; Test-PatternCoherence current -Threshold 0.9
/// </code>
/// <para>A script a scheduler runs with pwsh -File: a failed check ends it with exit code 1, after every result is shown; the script needs no exit logic.</para>
/// </example>
/// <example>
/// <code>
/// Test-PatternCoherence sensors -TimeKey observed_at -MaxGap 00:15:00 -IdOrder
/// </code>
/// <para>Adds the TimeSeries check: every pattern has a parseable observed_at, no pattern_type goes 15 minutes without a pattern, and each one's ids count up with its time.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "PatternCoherence", DefaultParameterSetName = SourceTable)]
[Alias("Test-Coherence")]
[OutputType(typeof(CoherenceCheckResult), typeof(bool))]
public sealed class TestPatternCoherenceCommand : StoreObjectCmdlet
{
    private const string SourceTable = "SourceTable";
    private const string SourceQuery = "SourceQuery";
    private readonly List<CoherenceCheckResult> _failed = [];

    /// <summary>The collection to verify.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    /// <summary>The minimum every metric must reach, unless -Thresholds names its own. NaN and infinity are refused (InvalidThreshold).</summary>
    [Parameter]
    public double Threshold { get; set; } = CoherenceVerifier.DefaultThreshold;

    /// <summary>Per-metric minimums, e.g. @{ quantum_coherence = 0.95 }. Metrics named here are checked too. A value that is not a finite number is refused (InvalidThreshold).</summary>
    [Parameter]
    public Hashtable? Thresholds { get; set; }

    /// <summary>The coherence_metrics keys the Threshold check reads.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(CoherenceMetricCompleter))]
    public string[] Metric { get; set; } = [.. CoherenceVerifier.DefaultMetrics];

    /// <summary>The legacy SQLite file the collection was migrated from, or the export set folder it was imported or restored from: adds the Fidelity check. It is opened (an export set's checksums verified) before the collection is scanned, so a missing or changed source fails at once (SourceNotFound, ExportSetInvalid).</summary>
    [Parameter]
    [Alias("Path")]
    public string? SourcePath { get; set; }

    /// <summary>The source table for the Fidelity check; without it, the one table that looks like patterns.</summary>
    [Parameter(ParameterSetName = SourceTable)]
    [ArgumentCompleter(typeof(LegacyTableCompleter))]
    public string? Table { get; set; }

    /// <summary>A read-only SELECT that gives the source rows for the Fidelity check.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SourceQuery)]
    public string? Query { get; set; }

    /// <summary>The same -ColumnMap the import used.</summary>
    [Parameter]
    public Hashtable? ColumnMap { get; set; }

    /// <summary>How many violations each result lists (the count is always complete).</summary>
    [Parameter]
    [ValidateRange(0, 1_000_000)]
    public int MaxViolations { get; set; } = 100;

    /// <summary>The fewest patterns the collection may hold: fewer fails the Threshold check, and -Quiet returns false. Pass 0 to accept an empty collection.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MinCount { get; set; } = 1;

    /// <summary>
    /// Adds the TimeSeries check: every pattern's temporal_context holds an ISO-8601 time under this key (a time without an
    /// offset is UTC); a missing or unparseable one is a violation, never guessed.
    /// </summary>
    [Parameter]
    public string? TimeKey { get; set; }

    /// <summary>With -TimeKey: no series (the patterns of one pattern_type) may go longer than this without a pattern.</summary>
    [Parameter]
    public TimeSpan? MaxGap { get; set; }

    /// <summary>With -TimeKey: within each series, primary-key order must be time order (for ids that count up).</summary>
    [Parameter]
    public SwitchParameter IdOrder { get; set; }

    /// <summary>Return one bool: true when every check passed.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    protected override void ProcessRecord()
    {
        var thresholds = Call(ResolveThresholds);
        if (TimeKey is null && (MaxGap is not null || IdOrder))
            ThrowEngineError(new MilvusOpsException("TimeKeyRequired", ErrorKind.InvalidArgument, "-MaxGap and -IdOrder check a time series: name its time with -TimeKey.", TimeKey));
        if (MaxGap is { } gap && gap <= TimeSpan.Zero)
            ThrowEngineError(new MilvusOpsException("InvalidWindow", ErrorKind.InvalidArgument, $"-MaxGap must be longer than zero; it was {gap}.", gap));
        var series = TimeKey is null ? null : new TimeSeriesRules(TimeKey, MaxGap, IdOrder);
        // Every argument is checked, and the source opened, before the collection is scanned.
        using var fidelity = OpenFidelityCheck();
        foreach (var result in Call(() => CoherenceVerifier.CheckPatterns(Session, Collection, thresholds, DateTimeOffset.UtcNow, MinCount, MaxViolations, series)))
            Report(result);
        if (fidelity is not null) Report(Call(() => fidelity.Run(MaxViolations)));
    }

    private FidelityCheck? OpenFidelityCheck()
    {
        if (SourcePath is null)
        {
            if (Table is not null || Query is not null || ColumnMap is not null)
                ThrowEngineError(new MilvusOpsException("SourcePathRequired", ErrorKind.InvalidArgument,
                    "-Table, -Query and -ColumnMap describe the legacy source: add -SourcePath to run the fidelity check."));
            return null;
        }
        string path = GetUnresolvedProviderPathFromPSPath(SourcePath);
        if (Directory.Exists(path))
        {
            if (Table is not null || Query is not null || ColumnMap is not null)
                ThrowEngineError(new MilvusOpsException("LegacyOptionOnExportSet", ErrorKind.InvalidArgument,
                    $"'{path}' is a folder, an export set: -Table, -Query and -ColumnMap describe a legacy file.", path));
            return Call(() => FidelityCheck.Open(Session, Collection, _ => ExportSetSource.Open(path, Cancellation)));
        }
        var source = Call(() => LegacySourceArguments.Options(this, SourcePath, Table, Query, ColumnMap, dimension: null));
        return Call(() => FidelityCheck.Open(Session, Collection, dimension => LegacySource.Open(source with { Dimension = source.Dimension ?? dimension })));
    }

    protected override void EndProcessing()
    {
        if (Quiet)
        {
            WriteObject(_failed.Count == 0);
            return;
        }
        // After every result, so that -ErrorAction Stop (or pwsh -File under $ErrorActionPreference = 'Stop') stops with the whole picture shown.
        foreach (var failed in _failed) WriteEngineError(failed.Failure(), failed);
    }

    private void Report(CoherenceCheckResult result)
    {
        if (!result.Passed) _failed.Add(result);
        if (!Quiet) WriteStoreObject(result);
        WriteVerbose(result.ToString());
    }

    private Dictionary<string, double> ResolveThresholds()
    {
        var thresholds = Metric.ToDictionary(m => m, _ => Threshold, StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Thresholds ?? [])
        {
            string metric = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? "";
            thresholds[metric] = LanguagePrimitives.TryConvertTo(entry.Value, CultureInfo.InvariantCulture, out double value)
                ? value : throw CoherenceVerifier.InvalidThreshold(metric, entry.Value);
        }
        return thresholds;
    }
}
