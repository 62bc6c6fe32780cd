using System.Collections.Concurrent;
using System.Globalization;
using MilvusOps.Engine.Filtering;
using MilvusOps.Engine.Search.Cells;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

// Hilbert-cell partitioning on Milvus (CellPartitioning): the cell is the collection's partition key, and the model lives
// in the collection's properties. Milvus has no transaction to fit the model in, so rows written before there is one get
// the cell Unplaced, which every cell search reads too. The write that brings the unplaced rows to FitRows fits the model
// from them and its own batch, stores it, and rewrites them with their cells; the model never changes afterwards.
public sealed partial class MilvusStore
{
    /// <summary>The collection property holding the cell model's JSON.</summary>
    internal const string CellModelProperty = "milvusops.cell_model";

    /// <summary>The cell of a row written before the model was fitted.</summary>
    internal const long Unplaced = -1;

    /// <summary>
    /// Milvus hashes partition-key values into this many partitions (its default is 16, its limit 1,024). A search of
    /// n cells reads the partitions their hashes fall in, about 64 × (1 − (63/64)^n): 30 of 64 for 41 cells. More
    /// partitions would prune more, but split a collection into more, smaller segments.
    /// </summary>
    internal const int CellPartitions = 64;

    /// <summary>Models read from collection properties, by collection id and text: a model never changes once stored, and
    /// a collection dropped and re-made has another id.</summary>
    private readonly ConcurrentDictionary<(long CollectionId, string Json), CellModel> _cellModels = new();

    /// <summary>The collection's cell model; null when it has none yet.</summary>
    private CellModel? CellModelOf(Rpc.DescribeCollectionResponse described, string name, int dimension)
    {
        var json = described.Properties.FirstOrDefault(p => p.Key == CellModelProperty)?.Value;
        if (json is null) return null;
        return _cellModels.GetOrAdd((described.CollectionID, json), key => CellModel.FromJson(key.Json, dimension)
            ?? throw new MilvusOpsException("CellModelUnreadable", ErrorKind.InvalidData,
                $"Collection '{name}' has a cell model (property '{CellModelProperty}') this MilvusOps cannot read.", name));
    }

    /// <summary>How a write gives each row its cell: by the model, fitting it first when this write brings the unplaced rows
    /// to <see cref="CellPartitioning.FitRows"/>; <see cref="Unplaced"/> until then.</summary>
    private Func<FloatVector, long> CellsForWrite(CollectionInfo info, IReadOnlyList<Pattern> patterns, PatternColumnWriter writer, CancellationToken cancellation)
    {
        if (info.Cells is { } fitted) return vector => fitted.CellOf(vector);
        long unplaced;
        try
        {
            unplaced = Count(info.Name, null, cancellation, UnplacedCondition);
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "CollectionNotLoaded")
        {
            return _ => Unplaced;   // a released collection cannot be counted: the fit waits for a write to it loaded
        }
        if (unplaced + patterns.Count < CellPartitioning.FitRows) return _ => Unplaced;

        // Fewer than FitRows rows are unplaced (the fit happens as soon as they reach it), so they are few enough to hold.
        var rewritten = new HashSet<string>(patterns.Select(p => p.PatternId), StringComparer.Ordinal);
        var stored = Iterate(info.Name, info.Mapping, null, null, 0, info.Mapping.ReadFields, PageRows(info.Dimension), cancellation, UnplacedCondition)
            .Where(p => !rewritten.Contains(p.PatternId)).ToList();
        var rows = stored.Select(p => p.Vector).Concat(patterns.Select(p => p.Vector)).ToList();
        int every = Math.Max(1, (rows.Count + CellPartitioning.SampleRows - 1) / CellPartitioning.SampleRows);
        var model = CellModel.Fit(rows.Where((_, row) => row % every == 0).Select(v => v.ToArray()).ToList(), info.Metric ?? MetricType.L2, cancellation);

        // Another writer may have fitted one meanwhile: theirs stands, so every row is placed by the same model.
        var current = Info(info.Name, cancellation).Cells;
        if (current is null)
        {
            var alter = new Rpc.AlterCollectionRequest { DbName = Db, CollectionName = info.Name };
            alter.Properties.Add(Kv(CellModelProperty, model.ToJson()));
            Guard(info.Name, () => _rpc.Call("AlterCollection", info.Name, cancellation, (c, o) => c.AlterCollection(alter, o)));
            current = Info(info.Name, cancellation).Cells ?? model;
        }
        Func<FloatVector, long> cellOf = vector => current.CellOf(vector);
        foreach (var batch in Batches(stored))
            Upsert(info.Name, batch, writer, cellOf, cancellation);
        return cellOf;
    }

    private static string UnplacedCondition => $"{PatternSchema.Cell} == {Unplaced}";

    /// <summary>The rows of the <paramref name="count"/> cells nearest a query, and the unplaced ones.</summary>
    private static string CellCondition(CellModel model, ReadOnlySpan<float> query, int count) =>
        $"{PatternSchema.Cell} in [{Unplaced.ToString(CultureInfo.InvariantCulture)},{string.Join(",", model.NearestCells(query, count))}]";
}
