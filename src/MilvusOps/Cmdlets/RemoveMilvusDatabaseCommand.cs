using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Drops an empty database; Milvus refuses one that still holds collections, and the default database. Milvus only.</summary>
/// <example>
/// <code>
/// Remove-MilvusDatabase staging
/// </code>
/// <para>Drops the rehearsal database once its collections are gone, asking first.</para>
/// </example>
[Cmdlet(VerbsCommon.Remove, "MilvusDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveMilvusDatabaseCommand : StoreObjectCmdlet
{
    /// <summary>The databases to drop.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string[] Name { get; set; } = [];

    protected override void ProcessRecord()
    {
        foreach (var name in Name)
            if (ShouldProcess($"database '{name}' on {Target.Uri}", "Remove database"))
                TryCall(() => Session.DropDatabase(name), name);
    }
}
