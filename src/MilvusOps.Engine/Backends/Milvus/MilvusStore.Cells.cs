using System.Collections.Concurrent;
using System.Globalization;
using MilvusOps.Engine.Filtering;
using MilvusOps.Engine.Search.Cells;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

// Hilbert-cell partitioning on Milvus (CellPartitioning): the cell is the collection's partition key, and the model lives
// in the collection's properties. Milvus has no transaction to fit the model in, so rows written before there is one get
// the cell Unplaced, and stay so; every cell search reads them too. The write that brings the unplaced rows to FitRows
// fits the model from them and its own rows, stores it, and places its own rows; the model never changes afterwards.
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

    /// <summary>The collection's cell model; null when it has none yet. Read only where cells are used (writes, searches by
    /// cells), so a model this MilvusOps cannot read stops those alone.</summary>
    private CellModel? Cells(CollectionInfo info) =>
        info.CellModelJson is not { } json ? null
        : _cellModels.GetOrAdd((info.Id, json), key => CellModel.FromJson(key.Json, info.Dimension)
            ?? throw new MilvusOpsException("CellModelUnreadable", ErrorKind.InvalidData,
                $"Collection '{info.Name}' has a cell model (property '{CellModelProperty}') this MilvusOps cannot read.", info.Name));

    private static string? CellModelJson(Rpc.DescribeCollectionResponse described) =>
        described.Properties.FirstOrDefault(p => p.Key == CellModelProperty)?.Value;

    /// <summary>
    /// How a write gives each row its cell: by the stored model; without one, by a model fitted now when this write brings
    /// the unplaced rows to <see cref="CellPartitioning.FitRows"/>, from (at most <see cref="CellPartitioning.SampleRows"/> of)
    /// them and this write's rows; else <see cref="Unplaced"/>. Rows already stored are read for the fit, never written
    /// again: a copy read earlier could undo another client's update, so they stay unplaced, which every search by cells
    /// reads. A fit that cannot be stored (a released collection, a refused property) leaves the write unplaced: the cells
    /// are a search option, never a reason to refuse a write. <c>Fitted</c> is the model when this write fitted it.
    /// </summary>
    private (Func<FloatVector, long> CellOf, CellModel? Fitted) CellsForWrite(CollectionInfo info, IReadOnlyList<Pattern> patterns, CancellationToken cancellation)
    {
        if (Cells(info) is { } stored) return (vector => stored.CellOf(vector), null);
        (Func<FloatVector, long>, CellModel?) unplaced = (_ => Unplaced, null);
        try
        {
            if (Count(info.Name, null, cancellation, UnplacedCondition) + patterns.Count < CellPartitioning.FitRows) return unplaced;
            var rows = Iterate(info.Name, info.Mapping, null, CellPartitioning.SampleRows, 0, info.Mapping.ReadFields, Math.Min(PageRows(info.Dimension), MaxPageRows),
                    cancellation, UnplacedCondition)
                .Select(p => p.Vector).Concat(patterns.Select(p => p.Vector)).ToList();
            int every = Math.Max(1, (rows.Count + CellPartitioning.SampleRows - 1) / CellPartitioning.SampleRows);
            var model = CellModel.Fit(rows.Where((_, row) => row % every == 0).Select(v => v.ToArray()).ToList(), info.Metric ?? MetricType.L2, cancellation);
            // Another writer may have fitted one meanwhile: theirs stands.
            if (Cells(Info(info.Name, cancellation)) is null)
            {
                var alter = new Rpc.AlterCollectionRequest { DbName = Db, CollectionName = info.Name };
                alter.Properties.Add(Kv(CellModelProperty, model.ToJson()));
                Guard(info.Name, () => _rpc.Call("AlterCollection", info.Name, cancellation, (c, o) => c.AlterCollection(alter, o)));
            }
            var fitted = Cells(Info(info.Name, cancellation)) ?? model;
            return (vector => fitted.CellOf(vector), fitted);
        }
        catch (MilvusOpsException ex) when (ex.ErrorId is not ("CollectionNotFound" or "CellModelUnreadable"))
        {
            return unplaced;   // released (no count), or the server refused the property
        }
    }

    private static string UnplacedCondition => $"{PatternSchema.Cell} == {Unplaced}";

    /// <summary>The rows of the <paramref name="count"/> cells nearest a query, and the unplaced ones.</summary>
    private static string CellCondition(CellModel model, ReadOnlySpan<float> query, int count) =>
        $"{PatternSchema.Cell} in [{Unplaced.ToString(CultureInfo.InvariantCulture)},{string.Join(",", model.NearestCells(query, count))}]";
}
