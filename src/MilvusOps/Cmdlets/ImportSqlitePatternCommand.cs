using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Sources.Legacy;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Migrates a legacy SQLite file into a collection: streamed, validated row by row, written in
/// batches of upserts, every rejected row in a rejects file, resumable, and summarised in one
/// MigrationReport. -WhatIf reads and validates everything and reports the plan without writing.
/// </summary>
/// <example>
/// <code>
/// $plan = Import-SqlitePattern ./legacy.db current -CreateCollection -WhatIf
/// $plan.Mapping | Set-Content mapping.md
/// </code>
/// <para>Reads and checks the whole source without writing, and saves the mapping document of the plan.</para>
/// </example>
/// <example>
/// <code>
/// Import-SqlitePattern ./legacy.db current -CreateCollection -ColumnMap @{ coherence_metrics = [ordered]@{ quantum_coherence = 'qc'; quantum_stability = 'qs'; pattern_coherence = 'pc' } }
/// </code>
/// <para>Migrates the file, building coherence_metrics from three scalar columns; rejected rows go to ./legacy.current.&lt;target&gt;.rejects.jsonl (the report's RejectPath), where &lt;target&gt; is a short hash of the connected store. After an interruption, the same command with -Resume continues from the checkpoint; without -Resume the run warns that it starts over.</para>
/// </example>
[Cmdlet(VerbsData.Import, "SqlitePattern", SupportsShouldProcess = true, DefaultParameterSetName = TableSet)]
[Alias("Import-SqlitePatterns")]
[OutputType(typeof(MigrationReport))]
public sealed class ImportSqlitePatternCommand : ImportCmdlet
{
    private const string TableSet = "Table";
    private const string QuerySet = "Query";

    /// <summary>The legacy SQLite file to migrate.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName", "SourcePath")]
    public string Path { get; set; } = "";

    /// <summary>The collection to write to.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

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

    /// <summary>Create the collection if it does not exist, with the default schema and the legacy file's dimension.</summary>
    [Parameter]
    public SwitchParameter CreateCollection { get; set; }

    protected override void ProcessRecord()
    {
        var sourceOptions = Call(() => LegacySourceArguments.Options(this, Path, Table, Query, ColumnMap, Dimension));
        using var source = Call(() => LegacySource.Open(sourceOptions));
        Import(source, Target, Collection, newCollection: null, ImportIdentity.DefaultRejectPath(source.Path, Collection, Target), "Import legacy patterns",
            create: CreateCollection);
    }
}
