using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Filtering;
using MilvusOps.Engine.Search;
using MilvusOps.Engine.Search.Graph;

namespace MilvusOps.Engine.Backends.Embedded;

// HNSW collections: an approximate graph index (USearch) over the collection's rows, keyed by rowid.
//  - It is built at the first search of a version, and brought up to date after writes: rows above the highest rowid
//    it saw are new, and the change log, kept in each writing transaction, names the rows deleted or given another
//    vector since (with the version that did it), and new rows that took a rowid the graph may hold.
//  - It is saved beside the store and reused by the next process, after it is checked against the rows.
//  - A search uses it only when it holds exactly the version the search's snapshot reads, and checks each hit's vector
//    against the row it names before answering; distances are then computed exactly, as for FLAT.
public sealed partial class EmbeddedStore
{
    /// <summary>The variable that sets <see cref="ExactSearchBelowRows"/> for the stores a process opens.</summary>
    public const string ExactSearchBelowVariable = "MILVUSOPS_EXACT_SEARCH_BELOW";

    /// <summary>HNSW collections with fewer rows are searched exactly. At the default 10,000, a 512-d query reads 20 MB
    /// (about 2 ms), while a graph costs seconds to build and memory beside the vectors. 0 gives every HNSW collection its
    /// graph, so a rehearsal answers approximately at any size, as Milvus's indexed segments do.</summary>
    internal long ExactSearchBelowRows { get; set; } =
        long.TryParse(Environment.GetEnvironmentVariable(ExactSearchBelowVariable), out long rows) && rows >= 0 ? rows : 10_000;

    /// <summary>A filter that passes at most this many rows is searched exactly over them; above it the graph walk skips
    /// the rows the filter refuses. Null (the default) means 2,000 rows or 1% of the collection, whichever is more: the
    /// walk must visit about ef / share rows to find ef that pass, so it loses to exact search at small shares
    /// (docs/benchmarks.md has the figures).</summary>
    internal long? ExactFilterMaximumRows { get; set; }

    private long ExactFilterLimit(long rows) => ExactFilterMaximumRows ?? Math.Max(2_000, rows / 100);

    private const string HnswIndexType = "HNSW";
    private const int GraphBatchRows = 1024;

    private readonly GraphCache _graphs = new();
    private long _graphsBuilt, _graphsLoaded;

    /// <summary>How many graphs this store built from rows, and read from saved files (for tests).</summary>
    internal long GraphsBuilt => Interlocked.Read(ref _graphsBuilt);
    internal long GraphsLoaded => Interlocked.Read(ref _graphsLoaded);

    /// <summary>Bytes the collection's graph holds in memory, 0 without one (for the benchmark).</summary>
    internal long GraphMemoryBytes(string collection)
    {
        long id = Run(connection => RequireCollection(connection, collection, null).Id, CancellationToken.None);
        var state = _graphs.For(id);
        state.Enter(write: false, CancellationToken.None);
        try { return state.Graph?.MemoryBytes ?? 0; }
        finally { state.Exit(write: false); }
    }

    /// <summary>Waits for the graph files being written in the background (for tests).</summary>
    internal void WaitForGraphSaves() => _graphs.WaitForSaves();
    private GraphFiles Files => new(Uri);

    /// <summary>
    /// Searches an HNSW collection through its graph. Exact when the collection is too small for one; Retry (in a new
    /// transaction) when the graph already holds a newer version than this snapshot, or when a hit's row did not match
    /// the graph (the graph is then dropped).
    /// </summary>
    private (GraphOutcome Outcome, IReadOnlyList<IReadOnlyList<SearchHit>>? Hits) SearchGraph(SqliteConnection connection, CatalogEntry entry, SqlFilter? where, SearchRequest request,
        float[] queries, SqliteTransaction tx, CancellationToken cancellation)
    {
        var state = _graphs.For(entry.Id);
        var explain = request.Explain ?? (_ => { });
        var ready = Ready(state, connection, entry, tx, explain, request.Progress, cancellation);
        if (ready == GraphOutcome.Exact)
            explain($"'{entry.Spec.Name}' has {state.Rows:N0} rows, fewer than {ExactSearchBelowRows:N0}: searched exactly.");
        if (ready != GraphOutcome.Searched) return (ready, null);
        int ef = (int)IndexRules.SearchParameters(HnswIndexType, Metadata.Parse(entry.Spec.IndexParametersJson), request.Top, request.Parameters)["ef"];
        if (ef >= state.Rows)
        {
            // A walk that may visit every row costs what exact search does, and can still miss rows the graph does not
            // reach (under IP, small vectors may have no incoming edge): asked for that much, the caller gets exact.
            long rows = state.Rows;
            state.Exit(write: false);
            explain($"ef = {ef} is at least the {rows:N0} rows: searched exactly.");
            return (GraphOutcome.Exact, null);
        }
        HnswGraph graph = state.Graph!;
        bool stale;
        IReadOnlyList<IReadOnlyList<SearchHit>>? hits;
        try
        {
            int dimension = entry.Spec.Dimension;
            int nq = request.Vectors.Count;
            long[][] found;
            if (where is null)
            {
                explain($"Searched the HNSW graph of {state.Rows:N0} rows with ef = {ef}.");
                found = Walk(graph, entry, request, queries, ef, null, cancellation);
            }
            else
            {
                long[] passing = PassingRowIds(connection, entry, where, tx);
                if (passing.Length <= ExactFilterLimit(state.Rows))
                {
                    explain($"The filter passes {passing.Length:N0} of {state.Rows:N0} rows (at most {ExactFilterLimit(state.Rows):N0}): searched exactly over them.");
                    found = ExactOver(graph, passing, entry, request, queries, cancellation);
                }
                else
                {
                    explain($"The filter passes {passing.Length:N0} of {state.Rows:N0} rows: searched the HNSW graph with ef = {ef}, skipping the others.");
                    found = Walk(graph, entry, request, queries, ef, new KeyFilter(passing, passing[^1] + 1), cancellation);
                }
            }
            hits = GraphHits(connection, entry, graph, request, found, tx, cancellation);
            stale = hits is null;
        }
        finally
        {
            state.Exit(write: false);
        }
        if (!stale) return (GraphOutcome.Searched, hits);
        // A hit named a row whose vector is not the graph's: whatever wrote it, this graph is not the file's. Drop it.
        _graphs.Evict(entry.Id);
        Files.RemoveAll(entry.Id);
        return (GraphOutcome.Retry, null);
    }

    private enum GraphOutcome { Searched, Exact, Retry }

    /// <summary>Holds the read side of the collection's gate with a graph at this snapshot's version, building, loading or
    /// catching it up first; or says why not (the gate is then not held).</summary>
    private GraphOutcome Ready(CollectionGraph state, SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx,
        Action<string> explain, Action<string, int>? progress, CancellationToken cancellation)
    {
        while (true)
        {
            state.Enter(write: false, cancellation);
            if (state.Version == entry.Version)
            {
                if (state.Graph is not null) return GraphOutcome.Searched;
                state.Exit(write: false);
                return GraphOutcome.Exact;
            }
            bool ahead = state.Version is { } held && held.CreatedUtc == entry.Version.CreatedUtc && held.DataVersion > entry.Version.DataVersion;
            state.Exit(write: false);
            if (ahead) return GraphOutcome.Retry;
            state.Enter(write: true, cancellation);
            try
            {
                if (state.Version != entry.Version) Update(state, connection, entry, tx, explain, progress, cancellation);
            }
            finally
            {
                state.Exit(write: true);
            }
        }
    }

    /// <summary>Brings the graph to this snapshot's version: caught up from the change log, loaded from a saved file, or
    /// built from the rows. Each way ends with the graph's count checked against the rows'. Called under the write side.</summary>
    private void Update(CollectionGraph state, SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx, Action<string> explain,
        Action<string, int>? progress, CancellationToken cancellation)
    {
        long rows = connection.ExecuteScalarLong($"SELECT count(*) FROM {TableName(entry.Id)}", tx);
        state.Rows = rows;
        if (rows < ExactSearchBelowRows)
        {
            state.Graph?.Dispose();
            state.Graph = null;
            state.Version = entry.Version;
            return;
        }
        bool logged = HasChangeLog(connection, entry.Id, tx);
        if (state.Graph is { } held && state.Version is { } from && from.CreatedUtc == entry.Version.CreatedUtc && logged
            && CatchUp(held, connection, entry, from.DataVersion, state.MaxRowId, rows, tx, cancellation) is long changed)
        {
            explain($"Brought the HNSW graph of '{entry.Spec.Name}' up to date: {changed:N0} changed rows.");
            state.Version = entry.Version;
            state.MaxRowId = MaxRowId(connection, entry, tx);
            state.ChangedSinceSave += changed;
            if (state.ChangedSinceSave > rows / 10) SaveInBackground(state, entry);
            return;
        }
        state.Graph?.Dispose();
        state.Graph = null;
        state.Version = null;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (graph, saved) = Load(connection, entry, rows, logged, tx, cancellation) is { } loaded
            ? (loaded, true)
            : (Build(connection, entry, rows, tx, explain, progress, cancellation), false);
        explain($"{(saved ? "Read the saved" : "Built the")} HNSW graph of '{entry.Spec.Name}' ({rows:N0} rows) in {clock.Elapsed.TotalSeconds:0.0} s; " +
            $"it holds {graph.MemoryBytes / 1048576.0:N0} MB.");
        state.Graph = graph;
        state.Version = entry.Version;
        state.MaxRowId = MaxRowId(connection, entry, tx);
        state.ChangedSinceSave = 0;
        if (saved)
        {
            Interlocked.Increment(ref _graphsLoaded);
            state.SavedVersion = entry.Version.DataVersion;
        }
        else
        {
            Interlocked.Increment(ref _graphsBuilt);
            SaveInBackground(state, entry);
        }
    }

    private HnswGraph Build(SqliteConnection connection, CatalogEntry entry, long rows, SqliteTransaction tx, Action<string> explain,
        Action<string, int>? progress, CancellationToken cancellation)
    {
        var (m, efConstruction) = IndexRules.HnswBuildParameters(Metadata.Parse(entry.Spec.IndexParametersJson));
        explain($"Building the HNSW graph of '{entry.Spec.Name}' from {rows:N0} rows (M = {m}, efConstruction = {efConstruction}); later searches reuse it.");
        var graph = HnswGraph.Create(entry.Spec.Dimension, entry.Spec.Metric, m, efConstruction, _maxDegreeOfParallelism);
        try
        {
            graph.Reserve(rows + (rows / 8) + GraphBatchRows);
            using var command = connection.CreateCommand($"SELECT rowid, vector FROM {TableName(entry.Id)} ORDER BY rowid", tx);
            using var reader = command.ExecuteReader();
            string activity = $"Building the HNSW graph of '{entry.Spec.Name}'";
            Apply(graph, entry, ReadRows(reader, entry), cancellation,
                progress is null ? null : added => progress($"{activity}: {added:N0} of {rows:N0} rows", (int)(100 * added / Math.Max(1, rows))));
            if (graph.Count != rows)
                throw new MilvusOpsException("StoreCorrupt", ErrorKind.InvalidData,
                    $"Collection '{entry.Spec.Name}' has {rows} rows but {graph.Count} vectors were read in one transaction.", entry.Spec.Name);
            return graph;
        }
        catch
        {
            graph.Dispose();
            throw;
        }
    }

    /// <summary>Applies the rows changed after <paramref name="fromVersion"/>, when the graph's highest rowid was
    /// <paramref name="fromMaxRowId"/>: the number applied, or null when there are so many that a new graph is better
    /// (removals leave holes a fresh build does not have), or the counts disagree.</summary>
    private long? CatchUp(HnswGraph graph, SqliteConnection connection, CatalogEntry entry, long fromVersion, long fromMaxRowId, long rows,
        SqliteTransaction tx, CancellationToken cancellation)
    {
        string changedRows = $"SELECT row FROM {ChangeLog(entry.Id)} WHERE version > @from UNION SELECT rowid FROM {TableName(entry.Id)} WHERE rowid > @max";
        SqliteCommand Command(string sql)
        {
            var command = connection.CreateCommand(sql, tx);
            command.Parameters.AddWithValue("@from", fromVersion);
            command.Parameters.AddWithValue("@max", fromMaxRowId);
            return command;
        }
        long changed;
        using (var count = Command($"SELECT count(*) FROM ({changedRows})"))
            changed = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (changed > rows / 2) return null;
        if (graph.Capacity < rows + GraphBatchRows) graph.Reserve(rows + (rows / 4) + GraphBatchRows);
        using var command = Command($"SELECT c.row, t.vector FROM ({changedRows}) c LEFT JOIN {TableName(entry.Id)} t ON t.rowid = c.row ORDER BY c.row");
        using var reader = command.ExecuteReader();
        Apply(graph, entry, ReadRows(reader, entry), cancellation);
        return graph.Count == rows ? changed : null;
    }

    /// <summary>The table's highest rowid in this snapshot (0 when empty): rows above it later are new.</summary>
    private static long MaxRowId(SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx) =>
        connection.ExecuteScalarLong($"SELECT coalesce(max(rowid), 0) FROM {TableName(entry.Id)}", tx);

    /// <summary>The newest saved graph this snapshot can use: one at its version, or an older one the change log brings up
    /// to it. Checked against the rows (count, and the vectors of rows spread over the table); null when there is none
    /// or it fails a check (it is then removed).</summary>
    private HnswGraph? Load(SqliteConnection connection, CatalogEntry entry, long rows, bool logged, SqliteTransaction tx, CancellationToken cancellation)
    {
        if (Files.Newest(entry.Id, entry.Version) is not { } file) return null;
        if (file.Version != entry.Version.DataVersion && !logged) return null;
        var graph = HnswGraph.TryLoad(file.Path, entry.Spec.Dimension, entry.Spec.Metric, _maxDegreeOfParallelism);
        bool good = graph is not null
            && (file.Version == entry.Version.DataVersion
                ? graph.Count == rows
                : CatchUp(graph, connection, entry, file.Version, file.MaxRowId, rows, tx, cancellation) is not null)
            && SampleMatches(graph, connection, entry, tx);
        if (good) return graph;
        graph?.Dispose();
        Files.RemoveAll(entry.Id);
        return null;
    }

    /// <summary>True when 16 rows spread over the rowid range hold the vectors the graph has under their rowids.</summary>
    private static bool SampleMatches(HnswGraph graph, SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx)
    {
        long low = connection.ExecuteScalarLong($"SELECT coalesce(min(rowid), 0) FROM {TableName(entry.Id)}", tx);
        long high = MaxRowId(connection, entry, tx);
        using var command = connection.CreateCommand($"SELECT rowid, vector FROM {TableName(entry.Id)} WHERE rowid >= @at ORDER BY rowid LIMIT 1", tx);
        var at = command.Parameters.Add("@at", SqliteType.Integer);
        var held = new float[entry.Spec.Dimension];
        for (int i = 0; i < 16; i++)
        {
            at.Value = low + ((high - low) * i / 15);
            using var reader = command.ExecuteReader();
            if (!reader.Read()) continue;
            if (!GraphHolds(graph, reader.GetInt64(0), (byte[])reader.GetValue(1), held)) return false;
        }
        return true;
    }

    /// <summary>True when the graph holds, under this rowid, exactly the vector stored in the row (<paramref name="buffer"/> is scratch).</summary>
    private static bool GraphHolds(HnswGraph graph, long rowId, byte[] storedVector, float[] buffer) =>
        graph.TryGet((ulong)rowId, buffer) && MemoryMarshal.AsBytes(buffer.AsSpan()).SequenceEqual(storedVector);

    /// <summary>Rows from a reader of (rowid, vector): the vector is null for a row the change log lists but that is gone.</summary>
    private static IEnumerable<(long RowId, byte[]? Vector)> ReadRows(SqliteDataReader reader, CatalogEntry entry)
    {
        int bytes = entry.Spec.Dimension * sizeof(float);
        while (reader.Read())
        {
            byte[]? vector = reader.IsDBNull(1) ? null : (byte[])reader.GetValue(1);
            if (vector is not null && vector.Length != bytes)
                throw new MilvusOpsException("StoreCorrupt", ErrorKind.InvalidData,
                    $"Collection '{entry.Spec.Name}' holds a {vector.Length}-byte vector; {bytes} expected.", entry.Spec.Name);
            yield return (reader.GetInt64(0), vector);
        }
    }

    /// <summary>Removes each row's old vector and adds its new one, a batch at a time on every thread; Ctrl+C stops it
    /// between batches (the graph is then thrown away by the caller's failure). <paramref name="added"/> is told the rows
    /// added so far after each batch, on the calling thread.</summary>
    private void Apply(HnswGraph graph, CatalogEntry entry, IEnumerable<(long RowId, byte[]? Vector)> rows, CancellationToken cancellation,
        Action<long>? added = null)
    {
        long done = 0;
        var batch = new List<(long RowId, byte[] Vector)>(GraphBatchRows);
        var options = new ParallelOptions { MaxDegreeOfParallelism = _maxDegreeOfParallelism, CancellationToken = cancellation };
        void Flush()
        {
            Parallel.For(0, batch.Count, options, i => graph.Add((ulong)batch[i].RowId, MemoryMarshal.Cast<byte, float>(batch[i].Vector)));
            done += batch.Count;
            batch.Clear();
            added?.Invoke(done);
        }
        foreach (var (rowId, vector) in rows)
        {
            graph.Remove((ulong)rowId);
            if (vector is not null) batch.Add((rowId, vector));
            if (batch.Count == GraphBatchRows)
            {
                cancellation.ThrowIfCancellationRequested();
                Flush();
            }
        }
        Flush();
    }

    /// <summary>Writes the graph in the background, so a search answers without waiting for a file of gigabytes; the write
    /// holds the read side, so searches go on and no update changes the graph under it.</summary>
    private void SaveInBackground(CollectionGraph state, CatalogEntry entry)
    {
        if (state.Saving is { IsCompleted: false }) return;
        var files = Files;
        state.Saving = Task.Run(() =>
        {
            state.Enter(write: false, CancellationToken.None);
            try
            {
                if (state.Graph is not { } graph || state.Version is not { } version) return;
                if (files.Save(graph, entry.Id, version, state.MaxRowId))
                {
                    state.SavedVersion = version.DataVersion;
                    state.ChangedSinceSave = 0;
                }
            }
            finally
            {
                state.Exit(write: false);
            }
        });
    }

    /// <summary>The rows each query's graph walk reaches first: top-k of them, with ef candidates.</summary>
    private long[][] Walk(HnswGraph graph, CatalogEntry entry, SearchRequest request, float[] queries, int ef, KeyFilter? allowed,
        CancellationToken cancellation)
    {
        int dimension = entry.Spec.Dimension, nq = request.Vectors.Count;
        var found = new long[nq][];
        var options = new ParallelOptions { MaxDegreeOfParallelism = nq == 1 ? 1 : _maxDegreeOfParallelism, CancellationToken = cancellation };
        Parallel.For(0, nq, options, q =>
        {
            var keys = new ulong[request.Top];
            int n = graph.Search(queries.AsSpan(q * dimension, dimension), ef, keys, allowed, cancellation);
            found[q] = Array.ConvertAll(keys[..n], key => (long)key);
        });
        return found;
    }

    /// <summary>Exact top-k over a few passing rows, whose vectors the graph holds.</summary>
    private long[][] ExactOver(HnswGraph graph, long[] rowIds, CatalogEntry entry, SearchRequest request, float[] queries, CancellationToken cancellation)
    {
        using var matrix = new VectorMatrix(entry.Spec.Dimension, rowIds.Length);
        var vector = new float[entry.Spec.Dimension];
        foreach (long rowId in rowIds)
        {
            if (!graph.TryGet((ulong)rowId, vector))
                throw new MilvusOpsException("StoreCorrupt", ErrorKind.InvalidData,
                    $"Collection '{entry.Spec.Name}' has a row its graph lacks at the same version.", entry.Spec.Name);
            matrix.Append(vector);
        }
        var results = ExactSearch.Search(matrix, queries, request.Vectors.Count, request.Top, entry.Spec.Metric, [], _maxDegreeOfParallelism, cancellation);
        return Array.ConvertAll(results, result => result.Hits.Select(hit => rowIds[hit.Position]).ToArray());
    }

    /// <summary>
    /// The hits with their rows' fields and exact distances, best first. Null when a hit's row is missing or holds another
    /// vector than the graph has under its rowid: then the graph is not this file's.
    /// </summary>
    private IReadOnlyList<IReadOnlyList<SearchHit>>? GraphHits(SqliteConnection connection, CatalogEntry entry, HnswGraph graph, SearchRequest request,
        long[][] found, SqliteTransaction tx, CancellationToken cancellation)
    {
        var rowIds = found.SelectMany(f => f).Distinct().Order().ToArray();
        var rows = new Dictionary<long, (string Id, byte[] Vector, string? Type, string? Coherence, string? Temporal)>(rowIds.Length);
        using (var command = connection.CreateCommand(
            $"SELECT rowid, pattern_id, vector, pattern_type, coherence_metrics, temporal_context FROM {TableName(entry.Id)} WHERE rowid IN (SELECT value FROM json_each(@rows))", tx))
        {
            command.Parameters.AddWithValue("@rows", System.Text.Json.JsonSerializer.Serialize(rowIds));
            using var reader = command.ExecuteReader();
            while (reader.Read())
                rows[reader.GetInt64(0)] = (reader.GetString(1), (byte[])reader.GetValue(2), NullableString(reader, 3), NullableString(reader, 4), NullableString(reader, 5));
        }
        var held = new float[entry.Spec.Dimension];
        foreach (long rowId in rowIds)
        {
            if (!rows.TryGetValue(rowId, out var row) || !GraphHolds(graph, rowId, row.Vector, held)) return null;
        }
        int dimension = entry.Spec.Dimension;
        var hits = new IReadOnlyList<SearchHit>[found.Length];
        for (int q = 0; q < found.Length; q++)
        {
            // The walk found the rows; their distances and order come from the exact kernel, ties by rowid (as exact search
            // breaks them by matrix position: rowid order, or cell order in a partitioned collection).
            long[] mine = [.. found[q].Order()];
            var list = new List<SearchHit>(mine.Length);
            if (mine.Length > 0)
            {
                using var matrix = new VectorMatrix(dimension, mine.Length);
                foreach (long rowId in mine) matrix.Append(rows[rowId].Vector);
                var ranked = ExactSearch.Search(matrix, request.Vectors[q], 1, mine.Length,
                    entry.Spec.Metric, [], 1, cancellation)[0];
                foreach (var hit in ranked.Hits)
                {
                    var row = rows[mine[hit.Position]];
                    list.Add(new SearchHit(request.QueryIds[q], list.Count + 1, row.Id, hit.Distance, row.Type, row.Coherence, row.Temporal, entry.Spec.Name));
                }
            }
            hits[q] = list;
        }
        return hits;
    }
}
