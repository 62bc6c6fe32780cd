using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Creates a pattern collection with the seed's schema (pattern_id, vector, pattern_type, two JSON fields).</summary>
[Cmdlet(VerbsCommon.New, "PatternCollection", SupportsShouldProcess = true)]
[OutputType(typeof(PatternCollection))]
public sealed class NewPatternCollectionCommand : MilvusOpsCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Collection")]
    public string Name { get; set; } = "";

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, PatternSchema.MaxDimension)]
    public int Dimension { get; set; } = PatternSchema.DefaultDimension;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public MetricType Metric { get; set; } = MetricType.L2;

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IndexTypeCompleter))]
    public string IndexType { get; set; } = "HNSW";

    /// <summary>Index build parameters, e.g. @{ M = 16; efConstruction = 200 }.</summary>
    [Parameter]
    public Hashtable? IndexParameter { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    /// <summary>The byte limit of pattern_id (Milvus VarChar max_length).</summary>
    [Parameter]
    [ValidateRange(1, PatternSchema.MaxVarCharLength)]
    public int MaxIdLength { get; set; } = PatternSchema.DefaultMaxIdLength;

    /// <summary>Return an identical existing collection instead of failing.</summary>
    [Parameter]
    public SwitchParameter IfNotExists { get; set; }

    protected override void ProcessRecord()
    {
        var spec = Call(() => new CollectionSpec
        {
            Name = Name,
            Dimension = Dimension,
            Metric = Metric,
            IndexType = IndexType.ToUpperInvariant(),
            IndexParametersJson = IndexParameter is null ? null : Metadata.Serialize(IndexParameter),
            Description = Description,
            MaxIdLength = MaxIdLength,
        }.Validate());
        if (!ShouldProcess($"{Name} ({Dimension}-d, {Metric}, {spec.IndexType}) in {Store.Uri}", "Create pattern collection")) return;
        try
        {
            WriteObject(Store.CreateCollection(spec, IfNotExists));
        }
        catch (MilvusOpsException ex)
        {
            WriteEngineError(ex);
        }
    }
}

/// <summary>Completes -IndexType with the index types Milvus builds.</summary>
public sealed class IndexTypeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        System.Management.Automation.Language.CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern(wordToComplete + "*", WildcardOptions.IgnoreCase);
        return CollectionSpec.IndexTypes.Where(pattern.IsMatch).Select(type => new CompletionResult(type));
    }
}
