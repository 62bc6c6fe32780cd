using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Sources.Legacy;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Reads patterns out of a legacy SQLite file whatever its table and column names and vector
/// encodings. Each row becomes a Pattern (with SourceRow) that pipes into Add-Pattern; a row that
/// does not fit is a non-terminating error naming the row and the reason.
/// </summary>
/// <example>
/// <code>
/// Get-SqlitePattern ./legacy.db -Table patterns | Add-Pattern current
/// </code>
/// <para>Reads the legacy table patterns and upserts its rows into the collection current; rows that do not fit are non-terminating errors.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "SqlitePattern", DefaultParameterSetName = TableSet)]
[OutputType(typeof(Pattern))]
public sealed class GetSqlitePatternCommand : PSCmdlet
{
    private const string TableSet = "Table";
    private const string QuerySet = "Query";

    /// <summary>The legacy SQLite file to read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "SourcePath")]
    public string Path { get; set; } = "";

    /// <summary>The table to read; without it, the one table that looks like patterns.</summary>
    [Parameter(ParameterSetName = TableSet)]
    [ArgumentCompleter(typeof(LegacyTableCompleter))]
    public string? Table { get; set; }

    /// <summary>A read-only SELECT whose columns are mapped like a table's.</summary>
    [Parameter(Mandatory = true, ParameterSetName = QuerySet)]
    public string? Query { get; set; }

    /// <summary>Source columns per field, e.g. @{ pattern_id = 'uid'; vector = 'emb'; coherence_metrics = 'qc','qs' }.</summary>
    [Parameter]
    public Hashtable? ColumnMap { get; set; }

    /// <summary>The vector dimension, when inference from the data is not wanted.</summary>
    [Parameter]
    [ValidateRange(1, PatternSchema.MaxDimension)]
    public int? Dimension { get; set; }

    protected override void ProcessRecord()
    {
        LegacySource source;
        try
        {
            source = LegacySource.Open(LegacySourceArguments.Options(this, Path, Table, Query, ColumnMap, Dimension));
        }
        catch (MilvusOpsException ex)
        {
            ThrowTerminatingError(MilvusOpsCmdlet.ToErrorRecord(ex));
            return;
        }
        using (source)
        {
            WriteVerbose(source.Mapping.ToMarkdown());
            foreach (var record in source.Read())
            {
                if (record.Pattern is { } pattern) WriteObject(pattern);
                else WriteError(MilvusOpsCmdlet.ToErrorRecord(new MilvusOpsException(record.ErrorId!, ErrorKind.InvalidData,
                    $"Source row {record.SourceRow}: {record.Reason}", record.SourceRow)));
            }
        }
    }
}

/// <summary>The source parameters Get-SqlitePattern, Import-SqlitePattern and Test-PatternCoherence share.</summary>
internal static class LegacySourceArguments
{
    public static LegacySourceOptions Options(PSCmdlet cmdlet, string path, string? table, string? query, Hashtable? columnMap, int? dimension) =>
        new(cmdlet.GetUnresolvedProviderPathFromPSPath(path))
        {
            Table = table,
            Query = query,
            ColumnMap = ColumnMapInput.From(columnMap),
            Dimension = dimension,
        };
}
