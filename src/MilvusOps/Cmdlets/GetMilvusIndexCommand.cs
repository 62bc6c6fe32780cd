using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Describes a collection's indexes: type, metric, parameters, build state, and how many rows are indexed and how many
/// still wait for the index. Milvus only; the embedded store answers NotSupportedByBackend.
/// </summary>
/// <example>
/// <code>
/// Get-PatternCollection | Get-MilvusIndex
/// </code>
/// <para>Every collection's indexes, with their build progress.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusIndex")]
[OutputType(typeof(CollectionIndex))]
public sealed class GetMilvusIndexCommand : CollectionCmdlet
{
    /// <summary>Only the index on this field.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Field { get; set; }

    protected override void ProcessRecord() =>
        TryCall(() =>
        {
            foreach (var index in Session.DescribeIndexes(Collection, Field)) WriteStoreObject(index);
        }, Collection);
}
