using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Session;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Creates a pattern collection with the seed's schema (pattern_id, vector, pattern_type, two JSON fields).</summary>
/// <example>
/// <code>
/// New-PatternCollection correlation_patterns -Dimension 512 -Metric L2 -IndexType HNSW -IndexParameter @{ M = 16; efConstruction = 200 } -IfNotExists
/// </code>
/// <para>Creates the 512-dimensional L2 collection of the quickstart; -IfNotExists makes the command safe to re-run.</para>
/// </example>
/// <example>
/// <code>
/// New-PatternCollection cells -IndexType FLAT -Partitioning Hilbert
/// Copy-PatternCollection correlation_patterns cells
/// Measure-SearchQuality cells -Sweep @{ cells = 16, 64, 256 }
/// </code>
/// <para>Makes a partitioned copy of a collection and measures recall and speed when each query reads only its nearest cells.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "PatternCollection", SupportsShouldProcess = true)]
[OutputType(typeof(PatternCollection))]
public sealed class NewPatternCollectionCommand : MilvusOpsCmdlet
{
    /// <summary>The collection name: letters, digits and underscores, starting with a letter or underscore.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Collection")]
    public string Name { get; set; } = "";

    /// <summary>The vector dimension (FLOAT_VECTOR(dim)).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, PatternSchema.MaxDimension)]
    public int Dimension { get; set; } = PatternSchema.DefaultDimension;

    /// <summary>The distance metric: L2 (squared Euclidean), IP (inner product) or COSINE.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public MetricType Metric { get; set; } = MetricType.L2;

    /// <summary>
    /// <para>The vector index Milvus builds: AUTOINDEX, FLAT, IVF_FLAT, IVF_SQ8, IVF_PQ, HNSW, DISKANN, SCANN, GPU_CAGRA,
    /// GPU_IVF_FLAT, GPU_IVF_PQ or GPU_BRUTE_FORCE. The embedded store builds a real graph for HNSW and searches the
    /// others exactly.</para>
    /// <para>HNSW is a CPU index. The GPU_ types need a GPU build of Milvus (the milvus -gpu image) and support only the
    /// L2 and IP metrics (COSINE fails with MetricNotSupportedByIndex; normalize the vectors and use IP); on a GPU stack,
    /// GPU_CAGRA does graph search on the GPU.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IndexTypeCompleter))]
    public string IndexType { get; set; } = "HNSW";

    /// <summary>
    /// <para>Index build parameters, e.g. @{ M = 16; efConstruction = 200 }, checked against -IndexType before the collection
    /// is created. Names are case-sensitive, as in Milvus.</para>
    /// <para>HNSW: M (2 to 2048), efConstruction (1 to 2147483647). IVF_FLAT, IVF_SQ8: nlist (1 to 65536). IVF_PQ: nlist,
    /// m (required; divides the dimension), nbits (1 to 24). SCANN: nlist, with_raw_data. GPU_IVF_FLAT: nlist,
    /// cache_dataset_on_device. GPU_IVF_PQ: nlist, m (0 or a divisor of the dimension), nbits (4 to 8),
    /// cache_dataset_on_device. GPU_CAGRA: intermediate_graph_degree, graph_degree (less than intermediate_graph_degree),
    /// build_algo (IVF_PQ or NN_DESCENT), cache_dataset_on_device, adapt_for_cpu. AUTOINDEX, FLAT, DISKANN and
    /// GPU_BRUTE_FORCE take none.</para>
    /// <para>A key the index does not take (a typo such as efconstruction, which Milvus would silently ignore) fails with
    /// UnknownIndexParameter; a value of the wrong type or out of range with InvalidIndexParameter. Numbers may be given
    /// as numeric strings; booleans as $true/$false or "true"/"false".</para>
    /// </summary>
    [Parameter]
    public Hashtable? IndexParameter { get; set; }

    /// <summary>A free-text description stored with the collection.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    /// <summary>The byte limit of pattern_id (Milvus VarChar max_length).</summary>
    [Parameter]
    [ValidateRange(1, PatternSchema.MaxVarCharLength)]
    public int MaxIdLength { get; set; } = PatternSchema.DefaultMaxIdLength;

    /// <summary>
    /// <para>Hilbert partitions the rows into 4,096 cells beside the index: each vector is projected onto the collection's
    /// 4 principal axes, each cut into 8 slices of equal share, and the cells are numbered along a Hilbert curve. A search
    /// with -SearchParameter @{ cells = 64 } then reads only the rows of the 64 cells nearest each query, exactly:
    /// recall for speed, with no graph to build. The cells are fitted when the collection first holds 1,000 rows; until
    /// then searches read every row. None (the default) does not partition.</para>
    /// <para>On Milvus the cell is an Int64 field, cell, the collection's partition key, and the model a collection
    /// property; a search by cells filters on cell and goes through the collection's index.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public CollectionPartitioning Partitioning { get; set; } = CollectionPartitioning.None;

    /// <summary>Return an identical existing collection instead of failing.</summary>
    [Parameter]
    public SwitchParameter IfNotExists { get; set; }

    protected override void ProcessRecord()
    {
        var spec = Call(() => PatternSession.Check(new CollectionSpec
        {
            Name = Name,
            Dimension = Dimension,
            Metric = Metric,
            IndexType = IndexType.ToUpperInvariant(),
            IndexParametersJson = IndexParameter is null ? null : Metadata.Serialize(IndexParameter),
            Description = Description,
            MaxIdLength = MaxIdLength,
            Partitioning = Partitioning,
        }));
        if (!ShouldProcess($"collection '{Name}' ({Dimension}-d, {Metric}, {spec.IndexType}) in {Target}", "Create pattern collection")) return;
        TryCall(() =>
        {
            var collection = Session.Create(spec, IfNotExists);
            // Shown to the user, so counted: zero for a new collection, the data of an existing one with -IfNotExists.
            collection.EntityCount = Session.Count(Name);
            WriteStoreObject(collection);
        }, Name);
    }
}
