using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Drops an index. Milvus drops indexes only from released collections (Dismount-MilvusCollection), and a collection
/// without an index on its vector field cannot load or be searched until a new one is built (New-MilvusIndex).
/// </summary>
/// <example>
/// <code>
/// Get-MilvusIndex patterns | Remove-MilvusIndex
/// </code>
/// <para>Drops every index of the released collection 'patterns', asking first.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "MilvusIndex", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveMilvusIndexCommand : CollectionCmdlet
{
    /// <summary>The index to drop (Get-MilvusIndex names them).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string IndexName { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"index '{IndexName}' of collection '{Collection}' in {Target}", "Remove index")) return;
        TryCall(() => Session.DropIndex(Collection, IndexName), IndexName);
    }
}
