using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Sources.Collections;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Copies a collection, or the patterns a filter matches, to a collection of another store (embedded to Milvus, Milvus
/// to embedded, Milvus to Milvus) or of the same one, streaming in primary-key order with the importer's guarantees:
/// rejects with their reasons, a checkpoint that -Resume continues from, progress, Ctrl+C, -WhatIf. -CreateCollection
/// makes the target with the source's schema and index. A complete copy ends with the Fidelity check of the target
/// against the source (every id, every vector bit, every JSON value, and the count), in the report's Verification; a
/// failed check is also written as CoherenceCheckFailed.
/// </summary>
/// <example>
/// <code>
/// Copy-PatternCollection correlation_patterns -Destination http://new-cluster:19530 -CreateCollection
/// </code>
/// <para>Copies the collection of the session's store to a collection of the same name on another cluster, with its index, and verifies it.</para>
/// </example>
/// <example>
/// <code>
/// Copy-PatternCollection correlation_patterns correlation_v2 -CreateCollection
/// </code>
/// <para>Copies a collection into a new one in the same store (for example before switching an alias to it).</para>
/// </example>
[Cmdlet(VerbsCommon.Copy, "PatternCollection", SupportsShouldProcess = true)]
[OutputType(typeof(MigrationReport))]
public sealed class CopyPatternCollectionCommand : ImportCmdlet
{
    private MilvusConnection? _destination;

    /// <summary>A collection piped from a store: the copy reads from that store.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public StoreObject? InputObject { get; set; }

    private protected override MilvusConnection? PipedConnection => InputObject?.Connection;

    /// <summary>The collection to copy, or an alias of it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    /// <summary>The collection to write; without it, the source collection's name (which needs another -Destination).</summary>
    [Parameter(Position = 1)]
    public string? DestinationCollection { get; set; }

    /// <summary>The store to copy to: a connection from Connect-Milvus, a store path or a server URI. Without it, the source's store.</summary>
    [Parameter]
    public ConnectionParameter? Destination { get; set; }

    /// <summary>Copy only the patterns this Milvus boolean expression matches.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(FilterFieldCompleter))]
    public string? Filter { get; set; }

    /// <summary>Values for the {name} placeholders of -Filter, as for Get-Pattern.</summary>
    [Parameter]
    public Hashtable? FilterParameter { get; set; }

    /// <summary>Create the destination collection if it does not exist, with the source's schema and index (type, metric and parameters).</summary>
    [Parameter]
    public SwitchParameter CreateCollection { get; set; }

    protected override void ProcessRecord()
    {
        var filter = Call(() => FilterInput.From(Filter, FilterParameter));
        var destination = _destination ??= Destination is null ? Target : Resolve(Destination);
        var sourceSession = SessionFor(Target);
        var source = Call(() => CollectionSource.Open(sourceSession, Collection, filter));
        string name = DestinationCollection ?? source.Collection.Name;
        if (destination.IsSameStore(Target) && name == source.Collection.Name)
            ThrowEngineError(new MilvusOpsException("CopyOntoItself", ErrorKind.InvalidArgument,
                $"Collection '{name}' would be copied onto itself in {destination}: give another -DestinationCollection or another -Destination.", name));
        string folder = SessionState.Path.CurrentFileSystemLocation.ProviderPath;
        Import(source, destination, name, source.Collection.ToSpec(name),
            ImportIdentity.DefaultCopyRejectPath(folder, Target, source.Collection.Name, destination, name),
            $"Copy {source.RowCount:N0} patterns",
            () =>
            {
                using var check = FidelityCheck.Open(SessionFor(destination), name, _ => CollectionSource.Open(SessionFor(Target), Collection, filter), everyRow: true);
                return check.Run();
            },
            create: CreateCollection);
    }
}
