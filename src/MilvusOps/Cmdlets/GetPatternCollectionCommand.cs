using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Lists collections, with exact entity counts. Names accept wildcards.</summary>
/// <example>
/// <code>
/// Get-PatternCollection correlation_*
/// </code>
/// <para>Lists the collections whose names start with correlation_, each with its exact EntityCount and its fields.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "PatternCollection")]
[OutputType(typeof(PatternCollection))]
public sealed class GetPatternCollectionCommand : StoreObjectCmdlet
{
    /// <summary>The collections to list; wildcards are accepted. Without it, every collection.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Collection")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var collections = Call(() => Session.List());
        if (Name is null)
        {
            foreach (var collection in collections) WriteCounted(collection);
            return;
        }
        foreach (string name in Name)
        {
            // A name no collection can have is a mistake to report, not a wildcard that matches nothing.
            if (name.Any(char.IsControl) || !WildcardPattern.ContainsWildcardCharacters(name))
            {
                try
                {
                    CollectionSpec.CheckName(name);
                }
                catch (MilvusOpsException invalid)
                {
                    WriteEngineError(invalid);
                    continue;
                }
            }
            var pattern = new WildcardPattern(name, WildcardOptions.None);
            var matches = collections.Where(c => pattern.IsMatch(c.Name)).ToList();
            // A name that is no collection's may be an alias: describing it resolves it, or says it does not exist.
            if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                TryCall(() => matches.Add(Session.Describe(name)), name);
            foreach (var collection in matches) WriteCounted(collection);
        }
    }

    /// <summary>The count is shown, so it is paid here: exact, for each collection listed. One that cannot be counted (another
    /// tool's collection without an index cannot load) is an error, and is still listed, with no count.</summary>
    private void WriteCounted(PatternCollection collection)
    {
        TryCall(() => collection.EntityCount = Session.Count(collection.Name), collection.Name);
        WriteStoreObject(collection);
    }
}
