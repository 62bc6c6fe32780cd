using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Lists a server's databases; a name without wildcards is described, with its properties. Milvus only.</summary>
/// <example>
/// <code>
/// Get-MilvusDatabase
/// </code>
/// <para>Every database of the connected server.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusDatabase")]
[OutputType(typeof(StoreDatabase))]
public sealed class GetMilvusDatabaseCommand : MilvusOpsCmdlet
{
    /// <summary>The databases to list; wildcards are accepted. Without it, every database.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is null)
        {
            foreach (var database in Call(() => Session.ListDatabases())) WriteStoreObject(database);
            return;
        }
        var all = Name.Any(WildcardPattern.ContainsWildcardCharacters) ? Call(() => Session.ListDatabases()) : [];
        foreach (var name in Name)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name))
            {
                TryCall(() => WriteStoreObject(Session.DescribeDatabase(name)), name);
                continue;
            }
            var pattern = new WildcardPattern(name, WildcardOptions.None);
            foreach (var database in all.Where(d => pattern.IsMatch(d.Name))) WriteStoreObject(database);
        }
    }
}
