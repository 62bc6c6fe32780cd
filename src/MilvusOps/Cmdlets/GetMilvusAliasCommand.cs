using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Lists aliases and the collections they name. Works on Milvus and on the embedded store.</summary>
/// <example>
/// <code>
/// Get-MilvusAlias -Collection patterns_v2
/// </code>
/// <para>The aliases that name patterns_v2.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusAlias", DefaultParameterSetName = ByAlias)]
[OutputType(typeof(CollectionAlias))]
public sealed class GetMilvusAliasCommand : StoreObjectCmdlet
{
    private const string ByAlias = "ByAlias";
    private const string ByCollection = "ByCollection";

    /// <summary>The aliases to list; wildcards are accepted. Without it, every alias.</summary>
    [Parameter(Position = 0, ParameterSetName = ByAlias)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(AliasNameCompleter))]
    public string[]? Alias { get; set; }

    /// <summary>Only the aliases of this collection.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByCollection, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByCollection)
        {
            TryCall(() => { foreach (var alias in Session.ListAliases(Collection)) WriteStoreObject(alias); }, Collection);
            return;
        }
        var aliases = Call(() => Session.ListAliases());
        if (Alias is null)
        {
            foreach (var alias in aliases) WriteStoreObject(alias);
            return;
        }
        foreach (var name in Alias)
        {
            var pattern = new WildcardPattern(name, WildcardOptions.None);
            var matches = aliases.Where(a => pattern.IsMatch(a.Alias)).ToList();
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                WriteEngineError(new MilvusOpsException("AliasNotFound", ErrorKind.ObjectNotFound,
                    $"Alias '{name}' does not exist in '{Target}'. New-MilvusAlias creates one.", name));
            foreach (var alias in matches) WriteStoreObject(alias);
        }
    }
}
