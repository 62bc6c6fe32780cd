using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Creates a database on the server; Connect-Milvus -Database then works in it. Milvus only.</summary>
/// <example>
/// <code>
/// New-MilvusDatabase staging; Connect-Milvus http://localhost:19530 -Database staging
/// </code>
/// <para>A namespace of its own for a rehearsal on the production server.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "MilvusDatabase", SupportsShouldProcess = true)]
[OutputType(typeof(StoreDatabase))]
public sealed class NewMilvusDatabaseCommand : MilvusOpsCmdlet
{
    /// <summary>The database name: letters, digits and underscores, starting with a letter or underscore.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"database '{Name}' on {Target.Uri}", "Create database")) return;
        TryCall(() =>
        {
            Session.CreateDatabase(Name);
            WriteStoreObject(Session.DescribeDatabase(Name));
        }, Name);
    }
}
