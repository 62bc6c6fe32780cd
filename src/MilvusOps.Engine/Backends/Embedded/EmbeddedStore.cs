using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Filtering;
using MilvusOps.Engine.Search;
using MilvusOps.Engine.Search.Cells;

namespace MilvusOps.Engine.Backends.Embedded;

/// <summary>
/// The embedded backend: any number of collections in one SQLite file (WAL, 16 KB pages, full
/// sync so a committed batch survives a crash). Search is exact, over vectors cached in memory.
/// </summary>
public sealed partial class EmbeddedStore : IPatternStore, IAliasCapability
{
    private const int FormatVersion = 1;
    private const int PageSize = 16384;
    private const string Catalog = "milvusops_collections";
    // The ids of dropped collections. SQLite gives a new row max(id) + 1, which reuses the id of the last
    // collection dropped; ids are issued above every retired one instead, so no two collections ever share
    // an id (or a table name) and another process's cache of a dropped one cannot pass for the new one.
    // Format-1 files get this table from their first create or drop, in that write's transaction.
    private const string RetiredIds = "milvusops_retired_ids";
    private const string PatternColumns = "pattern_id, vector, pattern_type, coherence_metrics, temporal_context";

    // The same ordinals, with no vector read: ReadPattern gives such a row an empty vector.
    private const string PatternColumnsWithoutVector = "pattern_id, NULL, pattern_type, coherence_metrics, temporal_context";

    private readonly string _connectionString;
    private readonly VectorCache _vectors = new();
    private readonly int _maxDegreeOfParallelism;

    /// <summary>Opens (creating if needed) the store file at a full path.</summary>
    public EmbeddedStore(string path, TimeSpan lockTimeout, int maxDegreeOfParallelism = 0)
    {
        if (!BitConverter.IsLittleEndian)
            throw new MilvusOpsException("PlatformNotSupported", ErrorKind.NotImplemented, "The embedded store needs a little-endian processor.");
        Uri = path;
        _maxDegreeOfParallelism = maxDegreeOfParallelism > 0 ? maxDegreeOfParallelism : Environment.ProcessorCount;
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = IsWritable(path) ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadOnly,
            Pooling = true,
        };
        _connectionString = builder.ToString();
        LockTimeout = lockTimeout;
        Initialize();
    }

    /// <summary>How long a write waits for another process's lock before failing with StoreLocked.</summary>
    public TimeSpan LockTimeout { get; }

    public string Uri { get; }

    /// <summary>Closes the pooled connections (they may hold a deleted file open) and frees the cached vectors.</summary>
    public void Dispose()
    {
        ClearPool();
        _vectors.Clear();
        _graphs.Clear();
    }

    /// <summary>Closes the idle pooled connections to the file.</summary>
    internal void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    /// <summary>How many times search read vectors from the file.</summary>
    internal long VectorLoads => _vectors.Loads;

    public StoreBackend Backend => StoreBackend.Embedded;
    public string Database => "default";
    public string ServerVersion => $"embedded (SQLite {SqliteVersion.Value})";

    private static readonly Lazy<string> SqliteVersion = new(() =>
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        return connection.ServerVersion;
    });

    /// <summary>Nothing to do: every write is durable when its transaction commits (synchronous=FULL).</summary>
    public void Flush(string collection, CancellationToken cancellation = default) =>
        Run(connection => RequireCollection(connection, collection, null), cancellation);

    // A file with no write permission for anyone opens read-only, so it reads fine and a write
    // fails with a clear message, even for root (who SQLite would otherwise let write).
    private static bool IsWritable(string path)
    {
        if (!File.Exists(path)) return true;
        if (OperatingSystem.IsWindows()) return !File.GetAttributes(path).HasFlag(FileAttributes.ReadOnly);
        const UnixFileMode anyWrite = UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;
        return (File.GetUnixFileMode(path) & anyWrite) != 0;
    }

    private void Initialize()
    {
        Run(connection =>
        {
            if (connection.ExecuteScalarLong($"SELECT count(*) FROM sqlite_master WHERE name = '{Catalog}'") == 1) return 0;
            if (connection.ExecuteScalarLong("SELECT count(*) FROM sqlite_master") > 0)
                throw new MilvusOpsException("StoreNotMilvusOps", ErrorKind.InvalidData,
                    $"'{Uri}' is a SQLite file but not a MilvusOps store. To migrate legacy patterns out of it, read it with Get-SqlitePattern or Import-SqlitePattern.", Uri);
            // Page size must be set before the first table; WAL is then a property of the file.
            connection.Execute($"PRAGMA page_size = {PageSize}");
            connection.Execute("PRAGMA journal_mode = WAL");
            using var tx = connection.BeginTransaction();
            connection.Execute($"""
                CREATE TABLE IF NOT EXISTS {Catalog} (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    spec TEXT NOT NULL,
                    data_version INTEGER NOT NULL DEFAULT 0,
                    created_utc TEXT NOT NULL)
                """, tx);
            connection.Execute($"PRAGMA user_version = {FormatVersion}", tx);
            CreateRetiredIds(connection, tx);
            tx.Commit();
            return 0;
        }, CancellationToken.None);
    }

    public PatternCollection CreateCollection(CollectionSpec spec, bool ifNotExists, CancellationToken cancellation = default) =>
        Run(connection =>
        {
            using var tx = connection.BeginTransaction();
            if (FindByName(connection, spec.Name, tx) is { } existing)
                return spec.ReuseExisting(Describe(connection, existing, tx), ifNotExists);
            if (FindAlias(connection, spec.Name, tx) is { } aliased)
                throw CollectionAlias.NameTaken(spec.Name, aliased.Spec.Name);
            CreateRetiredIds(connection, tx);
            using (var insert = connection.CreateCommand($"""
                INSERT INTO {Catalog}(id, name, spec, created_utc)
                VALUES (max(coalesce((SELECT max(id) FROM {Catalog}), 0), coalesce((SELECT max(id) FROM {RetiredIds}), 0)) + 1,
                    @name, @spec, @created)
                RETURNING id
                """, tx))
            {
                insert.Parameters.AddWithValue("@name", spec.Name);
                insert.Parameters.AddWithValue("@spec", JsonSerializer.Serialize(spec));
                insert.Parameters.AddWithValue("@created", DateTime.UtcNow.ToString("O"));
                long id = (long)insert.ExecuteScalar()!;
                connection.Execute($"""
                    CREATE TABLE {TableName(id)} (
                        pattern_id TEXT PRIMARY KEY NOT NULL,
                        vector BLOB NOT NULL,
                        pattern_type TEXT,
                        coherence_metrics TEXT,
                        temporal_context TEXT)
                    """, tx);
                CreateScalarIndex(connection, id, tx);
                if (spec.Partitioning == CollectionPartitioning.Hilbert) CreateCellColumn(connection, id, tx);
                if (spec.IndexType == HnswIndexType) CreateChangeLog(connection, id, tx);
            }
            var created = Describe(connection, FindByName(connection, spec.Name, tx)!, tx);
            tx.Commit();
            return created;
        }, cancellation);

    public IReadOnlyList<PatternCollection> ListCollections(CancellationToken cancellation = default) => Run(connection =>
    {
        using var tx = connection.BeginTransaction(deferred: true);
        var entries = new List<CatalogEntry>();
        using (var command = connection.CreateCommand($"SELECT id, spec, data_version, created_utc FROM {Catalog} ORDER BY name", tx))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read()) entries.Add(ReadCatalogEntry(reader));
        }
        return entries.Select(entry => Describe(connection, entry, tx)).ToList();
    }, cancellation);

    public PatternCollection DescribeCollection(string name, CancellationToken cancellation = default) => Run(connection =>
    {
        using var tx = connection.BeginTransaction(deferred: true);
        return Describe(connection, RequireCollection(connection, name, tx), tx);
    }, cancellation);

    public long Count(string collection, PatternFilter? filter = null, CancellationToken cancellation = default)
    {
        var where = Translate(filter);
        return Run(connection =>
        {
            using var tx = connection.BeginTransaction(deferred: true);
            var entry = RequireCollection(connection, collection, tx);
            using var command = connection.CreateCommand($"SELECT count(*) FROM {TableName(entry.Id)} WHERE {where?.Sql ?? "1"}", tx);
            AddParameters(command, where);
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }, cancellation);
    }

    public void DropCollection(string name, CancellationToken cancellation = default) => Run(connection =>
    {
        using var tx = connection.BeginTransaction();
        // By its own name only, and not while an alias names it: checked again in the transaction that drops it.
        var entry = FindByName(connection, name, tx)
            ?? (FindAlias(connection, name, tx) is { } aliased ? throw CollectionAlias.DropByAlias(name, aliased.Spec.Name) : throw CollectionNotFound(name));
        if (AliasesOf(connection, entry.Id, tx) is { Count: > 0 } aliases) throw CollectionAlias.StillNamed(name, aliases);
        connection.Execute($"DROP TABLE {TableName(entry.Id)}", tx);
        connection.Execute($"DROP TABLE IF EXISTS {ChangeLog(entry.Id)}", tx);
        if (IsPartitioned(entry)) connection.Execute($"DELETE FROM {CellModels} WHERE collection_id = {entry.Id}", tx);
        using (var delete = connection.CreateCommand($"DELETE FROM {Catalog} WHERE id = @id", tx))
        {
            delete.Parameters.AddWithValue("@id", entry.Id);
            delete.ExecuteNonQuery();
        }
        CreateRetiredIds(connection, tx);
        using (var retire = connection.CreateCommand($"INSERT INTO {RetiredIds}(id) VALUES (@id) ON CONFLICT DO NOTHING", tx))
        {
            retire.Parameters.AddWithValue("@id", entry.Id);
            retire.ExecuteNonQuery();
        }
        tx.Commit();
        _vectors.Evict(entry.Id);
        foreach (var key in _cellModels.Keys.Where(key => key.Id == entry.Id)) _cellModels.TryRemove(key, out _);
        _graphs.Evict(entry.Id);
        Files.RemoveAll(entry.Id);
        return 0;
    }, cancellation);

    public void Upsert(string collection, IReadOnlyList<Pattern> patterns, CancellationToken cancellation = default)
    {
        if (patterns.Count == 0) return;
        Run(connection =>
        {
            using var tx = connection.BeginTransaction();
            var entry = RequireCollection(connection, collection, tx);
            CreateScalarIndex(connection, entry.Id, tx);
            bool partitioned = IsPartitioned(entry);
            var model = LoadCellModel(connection, entry, tx);
            using var command = connection.CreateCommand($"""
                INSERT INTO {TableName(entry.Id)}({PatternColumns}{(partitioned ? ", cell" : "")}) VALUES (@id, @vector, @type, @coherence, @temporal{(partitioned ? ", @cell" : "")})
                ON CONFLICT(pattern_id) DO UPDATE SET vector = excluded.vector, pattern_type = excluded.pattern_type,
                    coherence_metrics = excluded.coherence_metrics, temporal_context = excluded.temporal_context{(partitioned ? ", cell = excluded.cell" : "")}
                """, tx);
            var id = command.Parameters.Add("@id", SqliteType.Text);
            var vector = command.Parameters.Add("@vector", SqliteType.Blob);
            var type = command.Parameters.Add("@type", SqliteType.Text);
            var coherence = command.Parameters.Add("@coherence", SqliteType.Text);
            var temporal = command.Parameters.Add("@temporal", SqliteType.Text);
            var cell = partitioned ? command.Parameters.Add("@cell", SqliteType.Integer) : null;
            command.Prepare();
            var blob = new byte[entry.Spec.Dimension * sizeof(float)];   // SQLite copies it at each bind
            vector.Value = blob;
            using var changes = GraphChangeLog.For(connection, entry, tx);
            int written = 0;
            foreach (var pattern in patterns)
            {
                // An interrupt between two statements is lost, so the loop looks for Ctrl+C itself; the batch rolls back whole.
                if ((++written & 255) == 0) cancellation.ThrowIfCancellationRequested();
                if (pattern.Vector.Length != entry.Spec.Dimension)
                    throw new MilvusOpsException("VectorDimensionMismatch", ErrorKind.InvalidData,
                        $"Pattern '{pattern.PatternId}' has a {pattern.Vector.Length}-d vector; collection '{collection}' expects {entry.Spec.Dimension}.", pattern.PatternId);
                id.Value = pattern.PatternId;
                MemoryMarshal.AsBytes(pattern.Vector.AsSpan()).CopyTo(blob);
                type.Value = (object?)pattern.PatternType ?? DBNull.Value;
                coherence.Value = (object?)pattern.CoherenceMetricsJson ?? DBNull.Value;
                temporal.Value = (object?)pattern.TemporalContextJson ?? DBNull.Value;
                if (cell is not null) cell.Value = model is null ? DBNull.Value : model.CellOf(pattern.Vector);
                changes?.Before(pattern.PatternId, blob);
                command.ExecuteNonQuery();
                changes?.After();
            }
            FitCellsIfDue(connection, entry, model, tx, cancellation);
            BumpDataVersion(connection, entry, tx);
            tx.Commit();
            return 0;
        }, cancellation);
    }

    public IReadOnlyList<Pattern> Get(string collection, IReadOnlyList<string> ids, CancellationToken cancellation = default)
    {
        if (ids.Count == 0) return [];
        return Run(connection =>
        {
            using var tx = connection.BeginTransaction(deferred: true);
            var entry = RequireCollection(connection, collection, tx);
            using var command = connection.CreateCommand(
                $"SELECT {PatternColumns} FROM {TableName(entry.Id)} WHERE pattern_id IN (SELECT value FROM json_each(@ids))", tx);
            command.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(ids));
            using var reader = command.ExecuteReader();
            var found = new List<Pattern>();
            while (reader.Read()) found.Add(ReadPattern(reader, entry));
            return found;
        }, cancellation);
    }

    public IEnumerable<Pattern> Query(string collection, PatternFilter? filter, long? limit = null, long offset = 0, bool includeVectors = true,
        CancellationToken cancellation = default)
    {
        // Validate eagerly so a bad filter fails at the call, not at the first MoveNext, and before the catalog is read.
        var where = Translate(filter);
        var entry = Run(connection => RequireCollection(connection, collection, null), cancellation);
        return QueryRows(entry.Spec.Name, where, limit, offset, includeVectors ? PatternColumns : PatternColumnsWithoutVector, cancellation);
    }

    private IEnumerable<Pattern> QueryRows(string collection, SqlFilter? where, long? limit, long offset, string columns, CancellationToken cancellation)
    {
        using var connection = Open();
        using var interrupt = InterruptOnCancel(connection, cancellation);
        using var tx = connection.BeginTransaction(deferred: true);
        // Resolved again in this snapshot: the collection may have been dropped and re-created since Query.
        CatalogEntry entry;
        try { entry = RequireCollection(connection, collection, tx); }
        catch (SqliteException ex) { throw Map(ex, cancellation); }
        using var command = connection.CreateCommand(
            $"SELECT {columns} FROM {TableName(entry.Id)} WHERE {where?.Sql ?? "1"} ORDER BY pattern_id LIMIT @limit OFFSET @offset", tx);
        AddParameters(command, where);
        command.Parameters.AddWithValue("@limit", limit ?? -1);
        command.Parameters.AddWithValue("@offset", offset);
        SqliteDataReader reader;
        try { reader = command.ExecuteReader(); }
        catch (SqliteException ex) { throw Map(ex, cancellation); }
        using (reader)
        {
            while (true)
            {
                try
                {
                    if (!reader.Read()) yield break;
                }
                catch (SqliteException ex) { throw Map(ex, cancellation); }
                yield return ReadPattern(reader, entry);
            }
        }
    }

    public long Delete(string collection, IReadOnlyList<string> ids, CancellationToken cancellation = default)
    {
        if (ids.Count == 0) return 0;
        return Run(connection =>
        {
            using var tx = connection.BeginTransaction();
            var entry = RequireCollection(connection, collection, tx);
            using var command = connection.CreateCommand(
                $"DELETE FROM {TableName(entry.Id)} WHERE pattern_id IN (SELECT value FROM json_each(@ids))", tx);
            command.Parameters.AddWithValue("@ids", JsonSerializer.Serialize(ids));
            long deleted = command.ExecuteNonQuery();
            if (deleted > 0) BumpDataVersion(connection, entry, tx);
            tx.Commit();
            return deleted;
        }, cancellation);
    }

    public long DeleteWhere(string collection, PatternFilter filter, CancellationToken cancellation = default)
    {
        var where = Translate(filter) ?? throw new ArgumentException("Deleting by filter needs an expression.", nameof(filter));
        return Run(connection =>
        {
            using var tx = connection.BeginTransaction();
            var entry = RequireCollection(connection, collection, tx);
            using var command = connection.CreateCommand($"DELETE FROM {TableName(entry.Id)} WHERE {where.Sql}", tx);
            AddParameters(command, where);
            long deleted = command.ExecuteNonQuery();
            if (deleted > 0) BumpDataVersion(connection, entry, tx);
            tx.Commit();
            return deleted;
        }, cancellation);
    }

    public IReadOnlyList<IReadOnlyList<SearchHit>> Search(string collection, SearchRequest request, CancellationToken cancellation = default)
    {
        if (request.Vectors.Count != request.QueryIds.Count)
            throw new ArgumentException("One query id per vector is required.", nameof(request));
        if (request.Vectors.Count == 0) return [];
        var where = Translate(request.Filter);
        // A graph that moved past this search's snapshot, or failed its check, sends it to a new transaction; after a few
        // such tries (writers racing it), it searches exactly, which is always right.
        for (int attempt = 1; ; attempt++)
        {
            if (SearchOnce(collection, request, where, exactOnly: attempt == 4, cancellation) is { } hits) return hits;
        }
    }

    private IReadOnlyList<IReadOnlyList<SearchHit>>? SearchOnce(string collection, SearchRequest request, SqlFilter? where, bool exactOnly,
        CancellationToken cancellation)
    {
        return Run(connection =>
        {
            // One read transaction: the vectors, the filter and the hit details come from one snapshot.
            using var tx = connection.BeginTransaction(deferred: true);
            var entry = RequireCollection(connection, collection, tx);
            // The session checked the queries and the search parameters (which cannot make this exact search any less
            // exact) against the collection it described; one re-created since with another dimension is refused here.
            int dimension = entry.Spec.Dimension;
            var queries = new float[request.Vectors.Count * dimension];
            for (int q = 0; q < request.Vectors.Count; q++)
            {
                if (request.Vectors[q].Length != dimension)
                    throw new MilvusOpsException("VectorDimensionMismatch", ErrorKind.InvalidData,
                        $"Query '{request.QueryIds[q]}' has a {request.Vectors[q].Length}-d vector; collection '{collection}' is {dimension}-d now.", request.QueryIds[q]);
                request.Vectors[q].CopyTo(queries, q * dimension);
            }
            // Every cell is every row: the collection's usual search (the graph, for HNSW), without reading the cells.
            int? cells = request.Cells is < CellPartitioning.CellCount ? request.Cells : null;
            var cellModel = cells is null ? null : LoadCellModel(connection, entry, tx);
            if (cells is int wanted)
                request.Explain?.Invoke(cellModel is null
                    ? $"'{entry.Spec.Name}' has no cells yet (they are fitted when it first holds {CellPartitioning.FitRows:N0} rows): searched exactly."
                    : $"Searched the {wanted:N0} cells nearest each query exactly, of {CellPartitioning.CellCount:N0}.");
            if (entry.Spec.IndexType == HnswIndexType && !exactOnly && cells is null)
            {
                var (outcome, graphHits) = SearchGraph(connection, entry, where, request, queries, tx, cancellation);
                if (outcome == GraphOutcome.Searched) return graphHits;
                if (outcome == GraphOutcome.Retry) return null;
            }
            for (bool reloaded = false; ; reloaded = true)
            {
                var vectors = _vectors.Acquire(entry.Id, entry.Version, () => LoadVectors(connection, entry, tx, cancellation));
                try
                {
                    if (vectors.Matrix.Count == 0) return request.QueryIds.Select(_ => (IReadOnlyList<SearchHit>)[]).ToList();
                    IReadOnlyList<SearchResult> results;
                    if (cellModel is not null)
                    {
                        results = SearchCells(connection, entry, cellModel, cells!.Value, vectors, queries, request, where, tx, cancellation);
                    }
                    else
                    {
                        int[]? candidates = where is null ? null : FilterPositions(connection, entry, where, vectors, tx);
                        if (candidates is { Length: 0 }) return request.QueryIds.Select(_ => (IReadOnlyList<SearchHit>)[]).ToList();
                        results = ExactSearch.Search(vectors.Matrix, queries, request.Vectors.Count, request.Top,
                            entry.Spec.Metric, candidates ?? [], _maxDegreeOfParallelism, cancellation);
                    }
                    if (ToHits(connection, entry, vectors, request, results, tx) is { } hits) return hits;
                    // A hit's row is not in this snapshot, so the cached vectors were not this snapshot's (a
                    // writer outside MilvusOps that left the version alone, or a VACUUM that renumbered rowids):
                    // search again over vectors read in this snapshot, which name only its rows.
                    if (reloaded)
                        throw new MilvusOpsException("StoreCorrupt", ErrorKind.InvalidData,
                            $"Collection '{entry.Spec.Name}' lost rows while its vectors were read in one transaction.", entry.Spec.Name);
                    _vectors.Evict(entry.Id, vectors);
                }
                finally
                {
                    vectors.Release();
                }
            }
        }, cancellation);
    }

    private CollectionVectors LoadVectors(SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx, CancellationToken cancellation)
    {
        int dimension = entry.Spec.Dimension;
        long count = connection.ExecuteScalarLong($"SELECT count(*) FROM {TableName(entry.Id)}", tx);
        var matrix = new VectorMatrix(dimension, (int)count);
        var rowIds = new long[count];
        // A partitioned collection's cells come in the same pass: the cell column is read nowhere else.
        var cellOf = IsPartitioned(entry) ? new int[count] : null;
        var blob = new byte[dimension * sizeof(float)];
        try
        {
            using (var command = connection.CreateCommand($"SELECT rowid, vector{(cellOf is null ? "" : ", cell")} FROM {TableName(entry.Id)} ORDER BY rowid", tx))
            using (var reader = command.ExecuteReader())
            {
                int row = 0;
                while (reader.Read())
                {
                    if ((row & 4095) == 0) cancellation.ThrowIfCancellationRequested();
                    if (cellOf is not null) cellOf[row] = reader.IsDBNull(2) ? -1 : reader.GetInt32(2);
                    rowIds[row++] = reader.GetInt64(0);
                    long length = reader.GetBytes(1, 0, null, 0, 0);
                    if (length != blob.Length)
                        throw new MilvusOpsException("StoreCorrupt", ErrorKind.InvalidData,
                            $"Collection '{entry.Spec.Name}' holds a {length}-byte vector; {blob.Length} expected.", entry.Spec.Name);
                    reader.GetBytes(1, 0, blob, 0, blob.Length);
                    matrix.Append(blob);
                }
            }
            // Held cell by cell, so a search over a few cells reads memory in runs.
            var cells = cellOf is null ? null : new CellRows(cellOf);
            if (cells is not null) matrix.Permute(cells.Destination);
            return new CollectionVectors(entry.Version, matrix, rowIds, cells);
        }
        catch
        {
            matrix.Dispose();
            throw;
        }
    }

    private static int[] FilterPositions(SqliteConnection connection, CatalogEntry entry, SqlFilter where, CollectionVectors vectors, SqliteTransaction tx)
    {
        var positions = new List<int>();
        foreach (long rowId in PassingRowIds(connection, entry, where, tx))
        {
            int position = vectors.PositionOf(rowId);
            if (position >= 0) positions.Add(position);
        }
        positions.Sort();   // a partitioned collection's matrix is not in rowid order
        return positions.ToArray();
    }

    /// <summary>The rowids of the rows that pass a filter, ascending. Sorted here, not by ORDER BY rowid: asked for that
    /// order, SQLite scans the table (vectors and all) rather than the scalar index, to save a sort.</summary>
    private static long[] PassingRowIds(SqliteConnection connection, CatalogEntry entry, SqlFilter where, SqliteTransaction tx)
    {
        using var command = connection.CreateCommand(PassingRowIdsSql(entry.Id, where), tx);
        AddParameters(command, where);
        using var reader = command.ExecuteReader();
        var rowIds = new List<long>();
        while (reader.Read()) rowIds.Add(reader.GetInt64(0));
        var sorted = rowIds.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    internal static string PassingRowIdsSql(long collectionId, SqlFilter where) => $"SELECT rowid FROM {TableName(collectionId)} WHERE {where.Sql}";

    /// <summary>
    /// An index of every field but the vector, so a filter reads it instead of the table: a pattern_type comparison seeks
    /// in it, and any other filter scans it rather than the table and its vectors (it adds about 5% to a 512-d store). Made with the
    /// table, and on the next write to a collection an older MilvusOps made.
    /// </summary>
    private static void CreateScalarIndex(SqliteConnection connection, long id, SqliteTransaction tx) =>
        connection.Execute(
            $"CREATE INDEX IF NOT EXISTS \"c_{id}_scalars\" ON {TableName(id)}(pattern_type, pattern_id, coherence_metrics, temporal_context)", tx);

    /// <summary>The hits with their rows' fields, or null when a hit names a row this snapshot lacks.</summary>
    private IReadOnlyList<IReadOnlyList<SearchHit>>? ToHits(SqliteConnection connection, CatalogEntry entry, CollectionVectors vectors,
        SearchRequest request, IReadOnlyList<SearchResult> results, SqliteTransaction tx)
    {
        var rowIds = results.SelectMany(r => r.Hits).Select(h => vectors.RowIdAt(h.Position)).Distinct().ToArray();
        var rows = new Dictionary<long, (string Id, string? Type, string? Coherence, string? Temporal)>(rowIds.Length);
        using (var command = connection.CreateCommand(
            $"SELECT rowid, pattern_id, pattern_type, coherence_metrics, temporal_context FROM {TableName(entry.Id)} WHERE rowid IN (SELECT value FROM json_each(@rows))", tx))
        {
            command.Parameters.AddWithValue("@rows", JsonSerializer.Serialize(rowIds));
            using var reader = command.ExecuteReader();
            while (reader.Read())
                rows[reader.GetInt64(0)] = (reader.GetString(1), NullableString(reader, 2), NullableString(reader, 3), NullableString(reader, 4));
        }
        var hits = new IReadOnlyList<SearchHit>[results.Count];
        for (int q = 0; q < results.Count; q++)
        {
            var list = new List<SearchHit>(results[q].Count);
            foreach (var hit in results[q].Hits)
            {
                if (!rows.TryGetValue(vectors.RowIdAt(hit.Position), out var row)) return null;
                list.Add(new SearchHit(request.QueryIds[q], list.Count + 1, row.Id, hit.Distance, row.Type, row.Coherence, row.Temporal, entry.Spec.Name));
            }
            hits[q] = list;
        }
        return hits;
    }

    /// <summary>Parses and checks a filter once per call and renders it as SQL: the embedded store speaks Milvus 2.5's filter language.</summary>
    internal static SqlFilter? Translate(PatternFilter? filter) => ParsedFilter.Parse(filter, FilterExpression.PatternFields, FilterDialect.Milvus25)?.ToSqlite();

    private static void AddParameters(SqliteCommand command, SqlFilter? where)
    {
        if (where is null) return;
        foreach (var (name, value) in where.Parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
    }

    private static Pattern ReadPattern(SqliteDataReader reader, CatalogEntry entry)
    {
        if (reader.IsDBNull(1))   // not read (the column is NOT NULL)
            return new Pattern(reader.GetString(0), [], NullableString(reader, 2), NullableString(reader, 3), NullableString(reader, 4), entry.Spec.Name);
        var vector = new float[entry.Spec.Dimension];
        long length = reader.GetBytes(1, 0, null, 0, 0);
        if (length != vector.Length * sizeof(float))
            throw new MilvusOpsException("StoreCorrupt", ErrorKind.InvalidData,
                $"Pattern '{reader.GetString(0)}' holds a {length}-byte vector; {vector.Length * sizeof(float)} expected.", reader.GetString(0));
        ((byte[])reader.GetValue(1)).CopyTo(MemoryMarshal.AsBytes(vector.AsSpan()));
        return new Pattern(reader.GetString(0), vector, NullableString(reader, 2), NullableString(reader, 3), NullableString(reader, 4), entry.Spec.Name);
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static void BumpDataVersion(SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx)
    {
        using var command = connection.CreateCommand($"UPDATE {Catalog} SET data_version = data_version + 1 WHERE id = @id", tx);
        command.Parameters.AddWithValue("@id", entry.Id);
        command.ExecuteNonQuery();
    }

    private PatternCollection Describe(SqliteConnection connection, CatalogEntry entry, SqliteTransaction? tx) => new()
    {
        Name = entry.Spec.Name,
        Aliases = AliasesOf(connection, entry.Id, tx),
        Dimension = entry.Spec.Dimension,
        Metric = entry.Spec.Metric,
        IndexType = entry.Spec.IndexType,
        VectorField = PatternSchema.Vector,
        IndexParameters = Metadata.Parse(entry.Spec.IndexParametersJson),
        Description = entry.Spec.Description,
        Partitioning = entry.Spec.Partitioning,
        Fields = PatternSchema.Fields(entry.Spec),
        Uri = Uri,
    };

    /// <summary>The collection with this name, or the one this alias names.</summary>
    private static CatalogEntry? FindCollection(SqliteConnection connection, string name, SqliteTransaction? tx) =>
        FindByName(connection, name, tx) ?? FindAlias(connection, name, tx);

    private static CatalogEntry? FindByName(SqliteConnection connection, string name, SqliteTransaction? tx)
    {
        using var command = connection.CreateCommand($"SELECT id, spec, data_version, created_utc FROM {Catalog} WHERE name = @name", tx);
        command.Parameters.AddWithValue("@name", name);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCatalogEntry(reader) : null;
    }

    private CatalogEntry RequireCollection(SqliteConnection connection, string name, SqliteTransaction? tx) =>
        FindCollection(connection, name, tx) ?? throw CollectionNotFound(name);

    private static CatalogEntry ReadCatalogEntry(SqliteDataReader reader) =>
        new(reader.GetInt64(0), JsonSerializer.Deserialize<CollectionSpec>(reader.GetString(1))!, new VectorsVersion(reader.GetString(3), reader.GetInt64(2)));

    private static void CreateRetiredIds(SqliteConnection connection, SqliteTransaction tx) =>
        connection.Execute($"CREATE TABLE IF NOT EXISTS {RetiredIds} (id INTEGER PRIMARY KEY)", tx);

    private static string TableName(long collectionId) => $"\"c_{collectionId}\"";

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            // Lock waits are short here and repeated by Run, which checks for Ctrl+C between them: SQLite's own wait
            // cannot be interrupted, and Microsoft.Data.Sqlite retries a busy statement for DefaultTimeout seconds.
            connection.Execute($"PRAGMA busy_timeout = {(long)LockWaitStep.TotalMilliseconds}");
            connection.DefaultTimeout = 1;
            connection.Execute("PRAGMA synchronous = FULL");
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw SqliteErrors.Map(ex, Uri);
        }
    }

    /// <summary>Runs one transaction's work. While another process holds the write lock it tries again, for up to
    /// <see cref="LockTimeout"/>, and a cancelled token ends the wait; the work rolls back whole, so a retry is safe.</summary>
    private T Run<T>(Func<SqliteConnection, T> work, CancellationToken cancellation)
    {
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            using var connection = Open();
            using var interrupt = InterruptOnCancel(connection, cancellation);
            try
            {
                return work(connection);
            }
            catch (SqliteException ex) when (SqliteErrors.IsLocked(ex) && waiting.Elapsed < LockTimeout && !cancellation.IsCancellationRequested)
            {
                cancellation.WaitHandle.WaitOne(LockWaitStep);
            }
            catch (SqliteException ex)
            {
                throw Map(ex, cancellation);
            }
        }
    }

    private static readonly TimeSpan LockWaitStep = TimeSpan.FromMilliseconds(50);

    /// <summary>Ctrl+C interrupts the statement that is running, or the wait for another process's lock.</summary>
    private static CancellationTokenRegistration InterruptOnCancel(SqliteConnection connection, CancellationToken cancellation) =>
        cancellation.Register(() => SQLitePCL.raw.sqlite3_interrupt(connection.Handle));

    /// <summary>An interrupted statement is a cancelled call, not a store failure.</summary>
    private Exception Map(SqliteException ex, CancellationToken cancellation) =>
        cancellation.IsCancellationRequested ? new OperationCanceledException("The call was stopped.", ex, cancellation) : SqliteErrors.Map(ex, Uri);

    private sealed record CatalogEntry(long Id, CollectionSpec Spec, VectorsVersion Version);
}

internal static class SqliteCommandExtensions
{
    public static SqliteCommand CreateCommand(this SqliteConnection connection, string sql, SqliteTransaction? tx)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    public static void Execute(this SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand(sql, tx);
        command.ExecuteNonQuery();
    }

    public static long ExecuteScalarLong(this SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand(sql, tx);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
