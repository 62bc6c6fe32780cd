using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Gives a collection another name. Every collection cmdlet accepts the alias where the collection's name goes, so
/// clients can search "patterns" while Set-MilvusAlias switches it from one collection to another. Milvus and the embedded
/// store alike, so a blue-green switch can be rehearsed locally.
/// </summary>
/// <example>
/// <code>
/// New-MilvusAlias -Alias patterns -Collection patterns_v1
/// </code>
/// <para>Clients that search 'patterns' now search patterns_v1.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MilvusAlias", SupportsShouldProcess = true)]
[OutputType(typeof(CollectionAlias))]
public sealed class NewMilvusAliasCommand : StoreObjectCmdlet
{
    /// <summary>The new name; the same rules as collection names, and no collection may have it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Alias { get; set; } = "";

    /// <summary>The collection it names (its own name, not another alias).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"alias '{Alias}' for collection '{Collection}' in {Target}", "Create alias")) return;
        TryCall(() =>
        {
            Session.CreateAlias(Alias, Collection);
            WriteStoreObject(Session.DescribeAlias(Alias));
        }, Alias);
    }
}
