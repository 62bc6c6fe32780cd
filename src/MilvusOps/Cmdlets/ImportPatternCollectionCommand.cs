using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Sources.ExportSets;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Loads an export set (Export-PatternCollection) into a collection of any store, with the importer's guarantees: every
/// shard's checksum verified first, every row checked, rejects in a rejects file with their reasons, a checkpoint that
/// -Resume continues from, progress, and -WhatIf for a plan. -CreateCollection makes the collection with the schema and
/// index the manifest records (-CreateCollection). Emits one MigrationReport.
/// </summary>
/// <example>
/// <code>
/// Import-PatternCollection ./exports/correlation-2026-12-02 -Connection http://new-cluster:19530 -CreateCollection
/// </code>
/// <para>Loads the set into a collection of the same name on another cluster, created with the source's index.</para>
/// </example>
/// <example>
/// <code>
/// Export-PatternCollection correlation_patterns ./rehearsal | Import-PatternCollection -Collection rehearsal -Connection ./rehearsal.db -CreateCollection
/// Test-PatternCoherence rehearsal -Connection ./rehearsal.db -SourcePath ./rehearsal
/// </code>
/// <para>Copies a collection into an embedded store through an export set, then proves every row bit for bit.</para>
/// </example>
[Cmdlet(VerbsData.Import, "PatternCollection", SupportsShouldProcess = true)]
[OutputType(typeof(MigrationReport))]
public sealed class ImportPatternCollectionCommand : ImportCmdlet
{
    /// <summary>The export set's folder.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    public string Path { get; set; } = "";

    /// <summary>The collection to write to; without it, the collection the set was exported from.</summary>
    [Parameter(Position = 1)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string? Collection { get; set; }

    /// <summary>Create the collection if it does not exist, with the schema and index the export set's manifest records.</summary>
    [Parameter]
    public SwitchParameter CreateCollection { get; set; }

    protected override void ProcessRecord()
    {
        using var source = Call(() => ExportSetSource.Open(GetUnresolvedProviderPathFromPSPath(Path), Cancellation));
        string collection = Collection ?? source.Set.Collection;
        Import(source, Target, collection, source.Set.ToSpec(collection), ImportIdentity.DefaultRejectPath(source.Path, collection, Target),
            $"Import an export set ({source.Set.Rows:N0} patterns)", create: CreateCollection);
    }
}
