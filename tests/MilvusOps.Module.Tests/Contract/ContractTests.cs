using System.Collections;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.RegularExpressions;

namespace MilvusOps.Module.Tests.Contract;

/// <summary>
/// The backend contract: the same cmdlet pipelines, run against every target (one subclass each). Answers are
/// checked against an independent computation in the test (brute-force search, filters evaluated on the data)
/// and against <c>$global:ContractReference</c>, an embedded store in the same session loaded with identical
/// data, so a backend must return the embedded store's ids, in its order, with its distances.
/// </summary>
/// <remarks>
/// Milvus searches approximately unless told otherwise, so exact equality is asserted only where the search is
/// exact by construction: FLAT; IVF_FLAT with nprobe = nlist (every list scanned); HNSW with ef at least the row
/// count (the beam never fills, so the whole connected graph is visited). Every collection gets a fresh unique
/// name and is dropped on both stores when the test ends.
/// </remarks>
public abstract partial class ContractTests : IDisposable
{
    private const string OnReferenceStore = "$cx = @{ Connection = $global:ContractReference }\n";
    private const string OnTargetStore = "$cx = @{}\n";   // the target is the session default
    private readonly List<string> _collections = [];

    protected ContractTests(ContractTarget target) => Target = target;

    protected ContractTarget Target { get; }

    /// <summary>The target's session; skips the test where the target cannot run here.</summary>
    private ModuleSession Session => Target.Require();

    public void Dispose()
    {
        if (!Target.Ready || _collections.Count == 0) return;
        const string drop = "foreach ($n in $args[0]) { Remove-PatternCollection $n -Confirm:$false -ErrorAction SilentlyContinue @cx }";
        try
        {
            Session.Invoke(OnTargetStore + drop, [_collections.ToArray()]);
            Session.Invoke(OnReferenceStore + drop, [_collections.ToArray()]);
        }
        catch (RuntimeException)
        {
            // Cleanup must not hide the test's own outcome; a broken backend already failed the test.
        }
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Runs a script on the target; every cmdlet in it must splat @cx.</summary>
    protected Collection<PSObject> OnTarget(string script, params object?[] args) => Session.Run(OnTargetStore + script, args);

    protected ModuleSession.Result InvokeOnTarget(string script, params object?[] args) => Session.Invoke(OnTargetStore + script, args);

    protected ErrorRecord FailOnTarget(string script, params object?[] args) => Session.Fail(OnTargetStore + script, args);

    protected Collection<PSObject> OnReference(string script, params object?[] args) => Session.Run(OnReferenceStore + script, args);

    /// <summary>A unique collection name (Milvus rules: letters, digits, underscores), dropped after the test.</summary>
    protected string NewName(string purpose)
    {
        string name = $"ct_{purpose}_{Guid.NewGuid():N}"[..(16 + purpose.Length)];
        _collections.Add(name);
        return name;
    }

    /// <summary>Creates the collection on the target and, when asked, the same one on the reference store.</summary>
    protected string Create(string purpose, int dimension, string metric = "L2", string index = "FLAT", Hashtable? indexParameters = null, bool reference = true)
    {
        string name = NewName(purpose);
        var options = ContractData.Options(("Dimension", dimension), ("Metric", metric), ("IndexType", index), ("IndexParameter", indexParameters));
        const string create = "$o = $args[1]; New-PatternCollection $args[0] @o @cx | Out-Null";
        OnTarget(create, name, options);
        if (reference) OnReference(create, name, options);
        return name;
    }

    protected void Load(string collection, IEnumerable<ContractRow> rows, bool reference = true)
    {
        var objects = rows.Select(r => r.ToPSObject()).ToArray();
        const string add = "$args[1] | Add-Pattern $args[0] -ErrorAction Stop @cx";
        OnTarget(add, collection, objects);
        if (reference) OnReference(add, collection, objects);
    }

    protected long EntityCount(string collection) => Convert.ToInt64(OnTarget("(Get-PatternCollection $args[0] @cx).EntityCount", collection)[0].BaseObject, CultureInfo.InvariantCulture);

    protected List<string> Ids(Collection<PSObject> patterns) => patterns.Select(p => (string)p.Properties["PatternId"].Value).ToList();

    protected static string ErrorId(ErrorRecord error) => error.FullyQualifiedErrorId.Split(',')[0];

    /// <summary>Asserts one query's hits: the expected ids in order, the expected distances within tolerance.</summary>
    private static void SameHits(IReadOnlyList<(string Id, double Distance)> expected, IReadOnlyList<Hit>? actual, string what)
    {
        Assert.True(actual is not null, $"{what}: no hits came back");
        Assert.True(expected.Select(e => e.Id).SequenceEqual(actual.Select(h => h.PatternId)),
            $"{what}: expected ids [{string.Join(", ", expected.Select(e => e.Id))}] but got [{string.Join(", ", actual.Select(h => h.PatternId))}]");
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(ContractData.Close(expected[i].Distance, actual[i].Distance),
                $"{what}: rank {i + 1} ({expected[i].Id}) distance {actual[i].Distance:R}, expected {expected[i].Distance:R} within {ContractData.Tolerance:E0} relative");
            Assert.Equal(i + 1, actual[i].Rank);
        }
    }

    private static string Verbose(ModuleSession.Result result, string prefix) =>
        Assert.Single(result.Verbose, v => v.StartsWith(prefix, StringComparison.Ordinal));

    // ------------------------------------------------------------------ collections

    [SkippableTheory]
    [InlineData(null, "L2")]            // the defaults: 512-d, L2, HNSW
    [InlineData("FLAT", "IP")]
    [InlineData("IVF_FLAT", "COSINE")]
    public void New_collection_reports_its_schema_and_index_and_an_exact_count_right_after_a_write(string? index, string metric)
    {
        string name = NewName("schema");
        int dimension = index is null ? 512 : 12;
        var parameters = index switch
        {
            null => new Hashtable { ["M"] = 16, ["efConstruction"] = 200 },
            "IVF_FLAT" => new Hashtable { ["nlist"] = 16 },
            _ => null,
        };
        var options = index is null
            ? ContractData.Options(("IndexParameter", parameters), ("Description", "contract"))
            : ContractData.Options(("Dimension", dimension), ("Metric", metric), ("IndexType", index), ("IndexParameter", parameters), ("Description", "contract"));
        var created = OnTarget("$o = $args[1]; New-PatternCollection $args[0] @o @cx", name, options)[0];
        var listed = OnTarget("Get-PatternCollection $args[0] @cx", name);

        foreach (var collection in new[] { created, Assert.Single(listed) })
        {
            Assert.Equal(name, collection.Properties["Name"].Value);
            Assert.Equal(dimension, collection.Properties["Dimension"].Value);
            Assert.Equal(metric, collection.Properties["Metric"].Value.ToString());
            Assert.Equal(index ?? "HNSW", collection.Properties["IndexType"].Value);
            Assert.Equal("contract", collection.Properties["Description"].Value);
            Assert.Equal(0L, collection.Properties["EntityCount"].Value);
            var fields = ((IEnumerable)collection.Properties["Fields"].Value).Cast<object>().Select(f => f.ToString()).ToList();
            Assert.Equal(["pattern_id VarChar(100)", $"vector FloatVector({dimension})", "pattern_type VarChar(100) NULL", "coherence_metrics JSON NULL", "temporal_context JSON NULL"], fields);
            var stored = (IDictionary?)collection.Properties["IndexParameters"].Value;
            if (parameters is null) Assert.True(stored is null || stored.Count == 0);
            else foreach (DictionaryEntry p in parameters)
                Assert.Equal(Convert.ToInt64(p.Value, CultureInfo.InvariantCulture), Convert.ToInt64(stored![p.Key], CultureInfo.InvariantCulture));
        }

        // Exact, not a lagging statistic: the count is right the moment Add-Pattern returns.
        Load(name, ContractData.SearchRows(37, dimension), reference: false);
        Assert.Equal(37L, EntityCount(name));
        Load(name, ContractData.SearchRows(45, dimension).Skip(30), reference: false);   // 7 replaced, 8 new
        Assert.Equal(45L, EntityCount(name));
    }

    [SkippableFact]
    public void IfNotExists_returns_the_identical_collection_and_refuses_a_different_one()
    {
        string name = Create("exists", 8, "IP", reference: false);
        Load(name, ContractData.SearchRows(3, 8), reference: false);

        var exists = FailOnTarget("New-PatternCollection $args[0] -Dimension 8 -Metric IP -IndexType FLAT -ErrorAction Stop @cx", name);
        Assert.Equal(("CollectionExists", ErrorCategory.ResourceExists), (ErrorId(exists), exists.CategoryInfo.Category));
        var same = OnTarget("New-PatternCollection $args[0] -Dimension 8 -Metric IP -IndexType FLAT -IfNotExists @cx", name)[0];
        Assert.Equal(name, same.Properties["Name"].Value);
        Assert.Equal(3L, same.Properties["EntityCount"].Value);   // the existing collection, data and all
        var differs = FailOnTarget("New-PatternCollection $args[0] -Dimension 16 -Metric IP -IndexType FLAT -IfNotExists -ErrorAction Stop @cx", name);
        Assert.Equal(("CollectionSchemaMismatch", ErrorCategory.ResourceExists), (ErrorId(differs), differs.CategoryInfo.Category));
        Assert.Equal(3L, EntityCount(name));
    }

    [SkippableFact]
    public void Remove_PatternCollection_drops_the_collection_and_its_rows()
    {
        string name = Create("drop", 4, reference: false);
        Load(name, ContractData.FilterRows(10), reference: false);
        OnTarget("Remove-PatternCollection $args[0] -Confirm:$false @cx", name);

        var listed = InvokeOnTarget("Get-PatternCollection $args[0] @cx", name);
        Assert.Empty(listed.Output);
        Assert.Equal("CollectionNotFound", ErrorId(Assert.Single(listed.Errors)));
        Assert.Equal("CollectionNotFound", ErrorId(FailOnTarget("Get-Pattern $args[0] @cx", name)));

        // The name is free again, and nothing of the old collection survives in the new one.
        OnTarget("New-PatternCollection $args[0] -Dimension 6 -IndexType FLAT @cx | Out-Null", name);
        Assert.Equal(6, OnTarget("(Get-PatternCollection $args[0] @cx).Dimension", name)[0].BaseObject);
        Assert.Equal(0L, EntityCount(name));
        Assert.Empty(OnTarget("Get-Pattern $args[0] @cx", name));
    }
}
