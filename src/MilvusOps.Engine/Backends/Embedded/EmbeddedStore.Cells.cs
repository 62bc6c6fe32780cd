using System.Collections;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Filtering;
using MilvusOps.Engine.Search;
using MilvusOps.Engine.Search.Cells;

namespace MilvusOps.Engine.Backends.Embedded;

// Hilbert-cell partitioning (CellPartitioning): a partitioned collection's table has a cell column, and its
// model lives in milvusops_cell_models. The model is fitted in the write that first brings the collection to
// CellPartitioning.FitRows rows, from the rows then, and every row gets its cell in that transaction; later writes give
// each row the cell of its vector. A cell is a function of the vector and a model that never changes, so it cannot go stale.
public sealed partial class EmbeddedStore
{
    private const string CellModels = "milvusops_cell_models";

    /// <summary>Models read from committed rows, by collection id, creation time and fit time: a model never changes once
    /// committed, and a file replaced by an older copy of itself names another fit, or none.</summary>
    private readonly ConcurrentDictionary<(long Id, string CreatedUtc, string FittedUtc), CellModel> _cellModels = new();

    /// <summary>The cell column, in the transaction that creates a partitioned collection's table. Not indexed: an index
    /// on 4,096 scattered keys rewrites thousands of pages per batch (a third off the import rate, measured at 1M rows),
    /// and searches read every row's cell once, with its vector, when they load the vectors.</summary>
    private static void CreateCellColumn(SqliteConnection connection, long id, SqliteTransaction tx)
    {
        connection.Execute($"""
            ALTER TABLE {TableName(id)} ADD COLUMN cell INTEGER;
            CREATE TABLE IF NOT EXISTS {CellModels} (collection_id INTEGER PRIMARY KEY, model TEXT NOT NULL, fitted_rows INTEGER NOT NULL, fitted_utc TEXT NOT NULL);
            """, tx);
    }

    private static bool IsPartitioned(CatalogEntry entry) => entry.Spec.Partitioning == CollectionPartitioning.Hilbert;

    /// <summary>The collection's cell model, or null when it has not been fitted yet (or the collection is not partitioned).</summary>
    private CellModel? LoadCellModel(SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx)
    {
        if (!IsPartitioned(entry)) return null;
        string? fitted;
        using (var find = connection.CreateCommand($"SELECT fitted_utc FROM {CellModels} WHERE collection_id = @id", tx))
        {
            find.Parameters.AddWithValue("@id", entry.Id);
            fitted = find.ExecuteScalar() as string;
        }
        if (fitted is null) return null;
        var key = (entry.Id, entry.Version.CreatedUtc, fitted);
        if (_cellModels.TryGetValue(key, out var cached)) return cached;
        using var command = connection.CreateCommand($"SELECT model FROM {CellModels} WHERE collection_id = @id", tx);
        command.Parameters.AddWithValue("@id", entry.Id);
        if (command.ExecuteScalar() is not string json) return null;
        var model = CellModel.FromJson(json, entry.Spec.Dimension)
            ?? throw new MilvusOpsException("StoreCorrupt", ErrorKind.InvalidData,
                $"Collection '{entry.Spec.Name}' has a cell model this MilvusOps cannot read.", entry.Spec.Name);
        // Read before this transaction's own writes (a fit comes after), so it is committed: safe to keep.
        return _cellModels.GetOrAdd(key, model);
    }

    /// <summary>After a write: fits the model when the collection has just reached <see cref="CellPartitioning.FitRows"/>
    /// rows without one, and gives every row its cell.</summary>
    private static void FitCellsIfDue(SqliteConnection connection, CatalogEntry entry, CellModel? model, SqliteTransaction tx, CancellationToken cancellation)
    {
        if (!IsPartitioned(entry) || model is not null) return;
        if (connection.ExecuteScalarLong($"SELECT count(*) FROM {TableName(entry.Id)}", tx) < CellPartitioning.FitRows) return;
        // This write is the one that crossed FitRows: the table holds fewer rows than FitRows plus the write's own, which
        // the caller holds in memory already, so one read keeps them all, for the fit and then for their cells.
        var rows = new List<(long RowId, float[] Vector)>();
        using (var read = connection.CreateCommand($"SELECT rowid, vector FROM {TableName(entry.Id)} ORDER BY rowid", tx))
        using (var reader = read.ExecuteReader())
        {
            while (reader.Read())
            {
                if ((rows.Count & 4095) == 0) cancellation.ThrowIfCancellationRequested();
                rows.Add((reader.GetInt64(0), VectorOf((byte[])reader.GetValue(1))));
            }
        }
        int every = Math.Max(1, (rows.Count + CellPartitioning.SampleRows - 1) / CellPartitioning.SampleRows);
        var sample = rows.Where((_, row) => row % every == 0).Select(row => row.Vector).ToList();
        model = CellModel.Fit(sample, entry.Spec.Metric, cancellation);
        using (var save = connection.CreateCommand($"INSERT INTO {CellModels}(collection_id, model, fitted_rows, fitted_utc) VALUES (@id, @model, @rows, @at)", tx))
        {
            save.Parameters.AddWithValue("@id", entry.Id);
            save.Parameters.AddWithValue("@model", model.ToJson());
            save.Parameters.AddWithValue("@rows", sample.Count);
            save.Parameters.AddWithValue("@at", DateTime.UtcNow.ToString("O"));
            save.ExecuteNonQuery();
        }
        using var update = connection.CreateCommand($"UPDATE {TableName(entry.Id)} SET cell = @cell WHERE rowid = @row", tx);
        var cell = update.Parameters.Add("@cell", SqliteType.Integer);
        var rowId = update.Parameters.Add("@row", SqliteType.Integer);
        update.Prepare();
        for (int i = 0; i < rows.Count; i++)
        {
            // An interrupt between two statements is lost, so the loop looks for Ctrl+C itself; the write rolls back whole.
            if ((i & 1023) == 0) cancellation.ThrowIfCancellationRequested();
            cell.Value = model.CellOf(rows[i].Vector);
            rowId.Value = rows[i].RowId;
            update.ExecuteNonQuery();
        }
    }

    private static float[] VectorOf(byte[] blob) => MemoryMarshal.Cast<byte, float>(blob).ToArray();

    /// <summary>
    /// Exact search of each query over the rows of its nearest cells (and the filter's, when there is one): one candidate
    /// list per query, since each query has cells of its own, gathered from the snapshot's rows held cell by cell.
    /// </summary>
    private SearchResult[] SearchCells(SqliteConnection connection, CatalogEntry entry, CellModel model, int cellCount, CollectionVectors vectors,
        float[] queries, SearchRequest request, SqlFilter? where, SqliteTransaction tx, CancellationToken cancellation)
    {
        int dimension = entry.Spec.Dimension;
        var cells = vectors.Cells ?? throw new InvalidOperationException("A partitioned collection's vectors were read without their cells.");
        BitArray? passing = null;
        if (where is not null)
        {
            passing = new BitArray(vectors.Matrix.Count);
            foreach (int position in FilterPositions(connection, entry, where, vectors, tx)) passing[position] = true;
        }
        var results = new SearchResult[request.Vectors.Count];
        for (int q = 0; q < results.Length; q++)
        {
            cancellation.ThrowIfCancellationRequested();
            var query = queries.AsSpan(q * dimension, dimension);
            var positions = cells.Positions(model.NearestCells(query, cellCount), passing);
            results[q] = positions.Length == 0
                ? SearchResult.Empty
                : ExactSearch.Search(vectors.Matrix, query, 1, request.Top, entry.Spec.Metric, positions, _maxDegreeOfParallelism, cancellation)[0];
        }
        return results;
    }
}
