using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Backends.Embedded;

namespace MilvusOps.Engine.Sources.Legacy;

/// <summary>
/// A legacy SQLite file read as patterns. <see cref="Open"/> opens the file read-only, finds the
/// table (or runs the query), maps columns onto pattern fields and infers the vector dimension;
/// <see cref="Read"/> then streams one <see cref="SourceRecord"/> per source row, valid or rejected,
/// in source order without loading the table into memory.
/// </summary>
/// <remarks>
/// SourceRow is the table's rowid for an ordinary table (rows are read in rowid order). A table
/// WITHOUT ROWID is read in primary-key order and a view in its own order; for those, and for a
/// -Query, SourceRow is the 1-based row number, and resuming skips that many rows.
/// </remarks>
public sealed partial class LegacySource : IPatternSource
{
    private const int ColumnSampleSize = 50;
    private const string Catalog = "milvusops_collections";
    private static readonly string[] RowidNames = ["rowid", "_rowid_", "oid"];

    private readonly SqliteConnection _connection;
    private readonly ReadPlan _plan;
    private bool _disposed;

    private LegacySource(SqliteConnection connection, ReadPlan plan, SourceMapping mapping)
    {
        _connection = connection;
        _plan = plan;
        Mapping = mapping;
    }

    /// <summary>How the source maps onto patterns, for display and for the migration record.</summary>
    public SourceMapping Mapping { get; }

    /// <summary>The vector dimension every valid pattern has (null only for a source without vectors).</summary>
    public int? Dimension => _plan.Dimension;

    /// <summary>Opens and inspects a legacy source.</summary>
    /// <exception cref="MilvusOpsException">
    /// SourceNotFound, SourceNotADatabase, SourceTableNotFound, SourceTableAmbiguous, SourceQueryNotReadOnly,
    /// SourceQueryInvalid, ColumnNotFound, ColumnMappingIncomplete, ColumnMapInvalid, InvalidDimension,
    /// VectorDimensionUnknown.
    /// </exception>
    public static LegacySource Open(LegacySourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Path))
            throw new MilvusOpsException("SourceNotFound", ErrorKind.ObjectNotFound, "No legacy source path was given.");
        if (options.Table is not null && options.Query is not null)
            throw new MilvusOpsException("SourceTableAndQuery", ErrorKind.InvalidArgument, "Pass -Table or -Query, not both.");
        if (options.Dimension is { } given && (given < 1 || given > PatternSchema.MaxDimension))
            throw new MilvusOpsException("InvalidDimension", ErrorKind.InvalidArgument,
                $"Dimension {given} is out of range: Milvus accepts 1 to {PatternSchema.MaxDimension}.", given);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SampleSize, 1, nameof(options.SampleSize));

        string path = System.IO.Path.GetFullPath(options.Path);
        if (Directory.Exists(path))
            throw new MilvusOpsException("SourceNotFound", ErrorKind.ObjectNotFound, $"The legacy source '{path}' is a folder, not a SQLite file.", path);
        if (!File.Exists(path))
            throw new MilvusOpsException("SourceNotFound", ErrorKind.ObjectNotFound, $"The legacy source '{path}' does not exist.", path);

        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            connection.Execute("PRAGMA query_only = 1");
            connection.ExecuteScalarLong("SELECT count(*) FROM sqlite_master");
            var (plan, mapping) = new Inspector(connection, path, options).Inspect();
            return new LegacySource(connection, plan, mapping);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw MapSqlite(ex, path);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The tables and views of a legacy file, for completion: read-only, and empty for anything that is not one.</summary>
    public static IReadOnlyList<string> TableNames(string path)
    {
        if (!File.Exists(path)) return [];
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name", null);
            using var reader = command.ExecuteReader();
            var names = new List<string>();
            while (reader.Read()) names.Add(reader.GetString(0));
            return names;
        }
        catch (SqliteException)
        {
            return [];
        }
    }

    /// <summary>
    /// Streams the source rows after <paramref name="afterSourceRow"/> (0: from the start), in source
    /// order. For a rowid table that is <c>WHERE rowid &gt; afterSourceRow</c>; otherwise rows up to
    /// that row number are skipped. Each enumeration runs its own statement.
    /// </summary>
    public IEnumerable<SourceRecord> Read(long afterSourceRow = 0)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return ReadRows(afterSourceRow);
    }

    private IEnumerable<SourceRecord> ReadRows(long afterSourceRow)
    {
        var converter = new RowConverter(_plan);
        return Rows(afterSourceRow, long.MaxValue, converter.Convert);
    }

    public string Path => System.IO.Path.GetFullPath(Mapping.SourcePath);
    public string? Table => Mapping.Table;
    public string? Query => Mapping.Query;
    public long RowCount => Mapping.RowCount;
    public string DescribeMapping() => Mapping.ToMarkdown();

    /// <summary>True when rows are addressed by rowid, so one row can be fetched by its SourceRow.</summary>
    public bool ReadsIdsBack => _plan.Rowid is not null && _plan.Query is null;

    /// <summary>
    /// The raw column values of one row, as a reject carries them: read back by rowid. Sources without
    /// rowids cannot address a row, so they give none (the reject still carries the decoded fields).
    /// </summary>
    public IReadOnlyDictionary<string, object?> ValuesOf(long sourceRow)
    {
        if (!ReadsIdsBack) return new Dictionary<string, object?>();
        var converter = new RowConverter(_plan);
        return Rows(sourceRow - 1, sourceRow, (reader, _) => converter.OriginalValues(reader)).FirstOrDefault()
            ?? new Dictionary<string, object?>();
    }

    /// <summary>The readable ids of the rows after <paramref name="afterSourceRow"/> up to <paramref name="upToSourceRow"/>, in source order.</summary>
    public IEnumerable<(long Row, string Id)> Ids(long afterSourceRow, long upToSourceRow) =>
        Rows(afterSourceRow, upToSourceRow, (reader, row) => (Row: row, Id: RowConverter.TryReadId(reader, _plan.Id)))
            .Where(r => r.Id is not null)
            .Select(r => (r.Row, r.Id!));

    /// <summary>Runs the source's statement over a range of source rows, converting each row.</summary>
    private IEnumerable<T> Rows<T>(long afterSourceRow, long upToSourceRow, Func<SqliteDataReader, long, T> convert)
    {
        var plan = _plan;
        using var command = _connection.CreateCommand();
        if (plan.Query is not null)
        {
            command.CommandText = plan.Query;
        }
        else
        {
            string columns = string.Join(", ", plan.Columns.Select(c => Quote(c.Name)));
            if (plan.Rowid is { } rowid)
            {
                string where = afterSourceRow != 0 ? $" WHERE {rowid} > @after AND {rowid} <= @upTo" : $" WHERE {rowid} <= @upTo";
                command.CommandText = $"SELECT {rowid}, {columns} FROM {Quote(plan.Table!)}{where} ORDER BY {rowid}";
                command.Parameters.AddWithValue("@after", afterSourceRow);
                command.Parameters.AddWithValue("@upTo", upToSourceRow);
            }
            else
            {
                command.CommandText = $"SELECT {columns} FROM {Quote(plan.Table!)}{plan.OrderBy}";
            }
        }
        using var reader = Execute(command, plan.Path);
        bool byRowid = plan.Rowid is not null && plan.Query is null;
        long rowNumber = 0;
        while (Advance(reader, plan.Path))
        {
            long sourceRow = byRowid ? reader.GetInt64(0) : ++rowNumber;
            if (sourceRow > upToSourceRow) yield break;
            if (!byRowid && sourceRow <= afterSourceRow) continue;
            yield return convert(reader, sourceRow);
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _connection.Dispose();
    }

    private static SqliteDataReader Execute(SqliteCommand command, string path)
    {
        try
        {
            return command.ExecuteReader();
        }
        catch (SqliteException ex)
        {
            throw MapSqlite(ex, path);
        }
    }

    private static bool Advance(SqliteDataReader reader, string path)
    {
        try
        {
            return reader.Read();
        }
        catch (SqliteException ex)
        {
            throw MapSqlite(ex, path);
        }
    }

    internal static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static MilvusOpsException MapSqlite(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        26 or 11 => new MilvusOpsException("SourceNotADatabase", ErrorKind.InvalidData,
            $"'{path}' is not a SQLite database or is damaged: {ex.Message}", path, ex),
        14 => new MilvusOpsException("SourceCannotOpen", ErrorKind.ResourceUnavailable,
            $"The legacy source '{path}' cannot be opened: {ex.Message}. A WAL-mode file needs its folder to be readable and its -shm file accessible.", path, ex),
        5 or 6 => new MilvusOpsException("SourceLocked", ErrorKind.ResourceUnavailable,
            $"The legacy source '{path}' is locked by another process: {ex.Message}", path, ex),
        _ => new MilvusOpsException("SourceReadError", ErrorKind.InvalidOperation, $"SQLite error reading '{path}': {ex.Message}", path, ex),
    };

    [GeneratedRegex(@"^c_\d+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StoreTableName();

    internal static bool IsStoreTable(string name) =>
        name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase)
        || name.Equals(Catalog, StringComparison.OrdinalIgnoreCase)
        || StoreTableName().IsMatch(name);

    /// <summary>Everything <see cref="Read"/> needs, fixed when the source is opened.</summary>
    internal sealed record ReadPlan(
        string Path, string? Table, string? Query, string? Rowid, string OrderBy,
        IReadOnlyList<SourceColumn> Columns, SourceColumn Id, SourceColumn Vector, SourceColumn? Type,
        JsonPlan? Coherence, JsonPlan? Temporal, int? Dimension);

    /// <summary>A JSON field: one TEXT column, or scalar columns as the keys of an object.</summary>
    internal sealed record JsonPlan(string Field, SourceColumn? Column, IReadOnlyList<(string Key, SourceColumn Column)>? Keys);

    /// <summary>Finds the table, maps its columns and samples its vectors.</summary>
    private sealed class Inspector(SqliteConnection connection, string path, LegacySourceOptions options)
    {
        private string? _table;
        private string? _query;
        private string? _rowid;
        private string _orderBy = "";

        public (ReadPlan, SourceMapping) Inspect()
        {
            IReadOnlyList<SourceColumn> columns;
            IReadOnlyList<string> discovery = [];
            string rowOrder;
            if (options.Query is not null)
            {
                _query = SourceQuery.CheckReadOnly(connection, options.Query);
                columns = QueryColumns();
                rowOrder = "query order; SourceRow is the 1-based row number of the query result";
            }
            else
            {
                bool isView = false;
                if (options.Table is not null)
                    (_table, isView) = ResolveTable(options.Table);
                else
                    (_table, discovery) = Discover();
                var tableColumns = TableColumns(_table, out var primaryKey);
                _rowid = isView ? null : RowidAlias(_table, tableColumns);
                if (_rowid is not null)
                {
                    columns = tableColumns.Select(c => c with { Ordinal = c.Ordinal + 1 }).ToList();
                    rowOrder = "rowid order; SourceRow is the table's rowid";
                }
                else
                {
                    columns = tableColumns;
                    if (primaryKey.Count > 0) _orderBy = " ORDER BY " + string.Join(", ", primaryKey.Select(Quote));
                    rowOrder = isView
                        ? "the view's own order; SourceRow is the 1-based row number"
                        : "primary-key order (the table has no rowid); SourceRow is the 1-based row number";
                }
            }

            var fields = MapFields(columns);
            var sample = SampleVectors(fields.Vector);
            int? dimension = options.Dimension ?? sample.InferDimension();
            if (dimension is null && sample.Total > 0)
                throw new MilvusOpsException("VectorDimensionUnknown", ErrorKind.InvalidData,
                    $"None of the {sample.Total} sampled values of column '{fields.Vector.Name}' decodes as a vector (a BLOB of float32/float64, a JSON array, or delimited numbers). Check -ColumnMap vector, or pass -Dimension.", path);
            var (encodings, unusable) = dimension is { } d ? sample.Classify(d) : (new Dictionary<VectorEncoding, int>(), sample.Total);

            long rowCount = connection.ExecuteScalarLong(_query is not null
                ? $"SELECT count(*) FROM (\n{_query}\n)"
                : $"SELECT count(*) FROM {Quote(_table!)}");

            var plan = new ReadPlan(path, _table, _query, _rowid, _orderBy, columns, fields.Id, fields.Vector, fields.Type,
                fields.Coherence, fields.Temporal, dimension);
            var mapping = new SourceMapping
            {
                SourcePath = path,
                Table = _table,
                Query = _query,
                Fields = fields.Mappings,
                VectorEncodings = encodings,
                SampledVectors = sample.Total,
                SampledUnusable = unusable,
                Dimension = dimension,
                DimensionInferred = options.Dimension is null && dimension is not null,
                RowCount = rowCount,
                RowOrder = rowOrder,
                UnmappedColumns = columns.Where(c => !fields.Taken.Contains(c.Ordinal)).Select(c => c.Name).ToList(),
                DiscoveryCandidates = discovery,
                ColumnMap = fields.EffectiveMap,
            };
            return (plan, mapping);
        }

        // ---- tables ----

        private List<(string Name, string Type)> Tables(bool withViews)
        {
            var tables = new List<(string, string)>();
            using var command = connection.CreateCommand(
                $"SELECT name, type FROM sqlite_master WHERE type IN ('table'{(withViews ? ", 'view'" : "")}) ORDER BY name", null);
            using var reader = command.ExecuteReader();
            while (reader.Read()) tables.Add((reader.GetString(0), reader.GetString(1)));
            return tables;
        }

        private (string Name, bool IsView) ResolveTable(string wanted)
        {
            var all = Tables(withViews: true);
            var match = all.FirstOrDefault(t => t.Name == wanted);
            if (match.Name is null) match = all.FirstOrDefault(t => string.Equals(t.Name, wanted, StringComparison.OrdinalIgnoreCase));
            if (match.Name is null)
            {
                var listed = all.Where(t => !t.Name.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase)).Select(t => t.Name).ToList();
                throw new MilvusOpsException("SourceTableNotFound", ErrorKind.ObjectNotFound,
                    $"'{path}' has no table or view named '{wanted}'. It has: {(listed.Count == 0 ? "no tables" : string.Join(", ", listed))}.", wanted);
            }
            return (match.Name, match.Type == "view");
        }

        private List<SourceColumn> TableColumns(string table, out List<string> primaryKey)
        {
            var columns = new List<SourceColumn>();
            var keys = new List<(int Position, string Name)>();
            using var command = connection.CreateCommand("SELECT name, type, pk FROM pragma_table_info(@t) ORDER BY cid", null);
            command.Parameters.AddWithValue("@t", table);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                string name = reader.GetString(0);
                columns.Add(new SourceColumn(name, reader.IsDBNull(1) ? "" : reader.GetString(1), columns.Count));
                if (reader.GetInt64(2) > 0) keys.Add(((int)reader.GetInt64(2), name));
            }
            primaryKey = keys.OrderBy(k => k.Position).Select(k => k.Name).ToList();
            return columns;
        }

        // The first rowid name no column shadows; null for a WITHOUT ROWID table.
        private string? RowidAlias(string table, IReadOnlyList<SourceColumn> columns)
        {
            string? name = RowidNames.FirstOrDefault(n => !columns.Any(c => string.Equals(c.Name, n, StringComparison.OrdinalIgnoreCase)));
            if (name is null) return null;
            try
            {
                using var command = connection.CreateCommand($"SELECT {name} FROM {Quote(table)} LIMIT 0", null);
                using var reader = command.ExecuteReader();
                return name;
            }
            catch (SqliteException)
            {
                return null;
            }
        }

        private (string Table, IReadOnlyList<string> Notes) Discover()
        {
            var map = options.ColumnMap;
            var candidates = new List<(string Table, string Description, string Why)>();
            var others = new List<string>();
            var notes = new List<string>();
            foreach (var (table, _) in Tables(withViews: false))
            {
                if (IsStoreTable(table)) continue;
                var columns = TableColumns(table, out _);
                string description = $"{table} ({string.Join(", ", columns)})";
                var taken = new HashSet<int>();
                SourceColumn? id = map?[PatternSchema.PatternId] is ColumnSource.Column idColumn
                    ? Find(columns, idColumn.Name)
                    : ColumnAliases.Match(PatternSchema.PatternId, columns, taken, out _);
                if (id is not null) taken.Add(id.Ordinal);
                SourceColumn? vector = map?[PatternSchema.Vector] is ColumnSource.Column vectorColumn
                    ? Find(columns, vectorColumn.Name)
                    : ColumnAliases.Match(PatternSchema.Vector, columns, taken, out _)
                      ?? columns.FirstOrDefault(c => !taken.Contains(c.Ordinal) && LooksLikeVectors(c, table));
                if (id is not null && vector is not null && id != vector)
                {
                    string why = $"id: {id.Name}, vector: {vector.Name}";
                    candidates.Add((table, description, why));
                    notes.Add($"{table}: looks like patterns ({why})");
                }
                else
                {
                    others.Add(description);
                    notes.Add($"{table}: skipped (no {(id is null ? "id-like" : "vector-like")} column)");
                }
            }
            if (candidates.Count == 1) return (candidates[0].Table, notes);
            string message = candidates.Count == 0
                ? others.Count == 0
                    ? $"'{path}' holds no tables to read patterns from. Pass -Query to read from a view or an expression."
                    : $"No table in '{path}' looks like patterns (that needs an id column such as pattern_id, id or uid, and a vector column such as vector or embedding, or a BLOB of floats). Its tables:\n"
                      + string.Join("\n", others.Select(t => "  " + t))
                      + "\nPass -Table to choose one, and -ColumnMap to name its columns."
                      + (map is not null ? " (With -ColumnMap, a table is a candidate only if it has the pattern_id and vector columns the map names.)" : "")
                : $"{candidates.Count} tables in '{path}' look like patterns:\n"
                  + string.Join("\n", candidates.Select(c => $"  {c.Description}  [{c.Why}]"))
                  + "\nPass -Table to choose one.";
            throw new MilvusOpsException("SourceTableAmbiguous", ErrorKind.InvalidArgument, message, path);
        }

        // ---- queries ----

        private List<SourceColumn> QueryColumns()
        {
            var columns = new List<SourceColumn>();
            using var command = connection.CreateCommand(_query!, null);
            using var reader = command.ExecuteReader();
            for (int i = 0; i < reader.FieldCount; i++)
            {
                string type;
                try
                {
                    type = reader.GetDataTypeName(i);
                }
                catch (Exception ex) when (ex is InvalidOperationException or SqliteException)
                {
                    type = "";
                }
                columns.Add(new SourceColumn(reader.GetName(i), type, i));
            }
            return columns;
        }

        // ---- column mapping ----

        private sealed record Fields(
            SourceColumn Id, SourceColumn Vector, SourceColumn? Type, JsonPlan? Coherence, JsonPlan? Temporal,
            IReadOnlyList<FieldMapping> Mappings, IReadOnlySet<int> Taken, ColumnMap EffectiveMap);

        private Fields MapFields(IReadOnlyList<SourceColumn> columns)
        {
            var taken = new HashSet<int>();
            var found = new Dictionary<string, (ColumnSource Source, SourceColumn? Column, IReadOnlyList<(string Key, SourceColumn Column)>? Keys, string How)>();
            if (options.ColumnMap is { } map)
            {
                foreach (var (field, source) in map.Sources)
                {
                    switch (source)
                    {
                        case ColumnSource.Column single:
                            var column = Find(columns, single.Name) ?? throw ColumnNotFound(field, single.Name, columns);
                            taken.Add(column.Ordinal);
                            found[field] = (new ColumnSource.Column(column.Name), column, null, "-ColumnMap");
                            break;
                        case ColumnSource.Composite composite:
                            var keys = new List<(string, SourceColumn)>();
                            foreach (var (key, name) in composite.Keys)
                            {
                                var part = Find(columns, name) ?? throw ColumnNotFound(field, name, columns);
                                taken.Add(part.Ordinal);
                                keys.Add((key, part));
                            }
                            found[field] = (new ColumnSource.Composite(keys.Select(k => (k.Item1, k.Item2.Name)).ToList()), null, keys, "-ColumnMap");
                            break;
                    }
                }
            }
            foreach (string field in ColumnMap.Fields)
            {
                if (found.ContainsKey(field)) continue;
                if (ColumnAliases.Match(field, columns, taken, out string how) is { } column)
                {
                    taken.Add(column.Ordinal);
                    found[field] = (new ColumnSource.Column(column.Name), column, null, how);
                }
            }
            if (!found.ContainsKey(PatternSchema.Vector))
            {
                var detected = columns.Where(c => !taken.Contains(c.Ordinal) && LooksLikeVectors(c, _table)).ToList();
                if (detected.Count == 1)
                {
                    taken.Add(detected[0].Ordinal);
                    found[PatternSchema.Vector] = (new ColumnSource.Column(detected[0].Name), detected[0], null, "detected from data");
                }
            }
            var missing = new[] { PatternSchema.PatternId, PatternSchema.Vector }.Where(f => !found.ContainsKey(f)).ToList();
            if (missing.Count > 0)
            {
                string suggestion = string.Join("; ", missing.Select(f => $"{f} = '<column>'"));
                throw new MilvusOpsException("ColumnMappingIncomplete", ErrorKind.InvalidArgument,
                    $"Cannot tell which column of {Where()} holds {string.Join(" and ", missing)}. Its columns: {string.Join(", ", columns)}. Pass -ColumnMap @{{ {suggestion} }}.",
                    _table ?? _query);
            }

            var mappings = new List<FieldMapping>();
            var entries = new List<KeyValuePair<string, ColumnSource>>();
            foreach (string field in ColumnMap.Fields)
            {
                if (found.TryGetValue(field, out var entry))
                {
                    mappings.Add(new FieldMapping(field, entry.Source, entry.Column?.DeclaredType, entry.How));
                    entries.Add(new(field, entry.Source));
                }
                else
                {
                    mappings.Add(new FieldMapping(field, null, null, "not mapped"));
                }
            }
            SourceColumn? Single(string field) => found.TryGetValue(field, out var e) ? e.Column : null;
            JsonPlan? Json(string field) => found.TryGetValue(field, out var e) ? new JsonPlan(field, e.Column, e.Keys) : null;
            return new Fields(Single(PatternSchema.PatternId)!, Single(PatternSchema.Vector)!, Single(PatternSchema.PatternType),
                Json(PatternSchema.CoherenceMetrics), Json(PatternSchema.TemporalContext), mappings, taken, ColumnMap.FromEntries(entries));
        }

        private string Where() => _table is not null ? $"table '{_table}'" : "the -Query result";

        private MilvusOpsException ColumnNotFound(string field, string column, IReadOnlyList<SourceColumn> columns) =>
            new("ColumnNotFound", ErrorKind.InvalidArgument,
                $"-ColumnMap maps {field} to column '{column}', but {Where()} has no such column. Its columns: {string.Join(", ", columns)}.", column);

        private static SourceColumn? Find(IReadOnlyList<SourceColumn> columns, string name) =>
            columns.FirstOrDefault(c => c.Name == name) ?? columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        // ---- sampling ----

        // Non-null values of one column, in source order, from the table or the query.
        private IEnumerable<object> Values(SourceColumn column, string? table, int limit)
        {
            using var command = connection.CreateCommand();
            if (table is not null)
            {
                string order = table == _table && _rowid is not null ? $" ORDER BY {_rowid}" : "";
                command.CommandText = $"SELECT {Quote(column.Name)} FROM {Quote(table)} WHERE {Quote(column.Name)} IS NOT NULL{order} LIMIT {limit}";
                using var reader = command.ExecuteReader();
                while (reader.Read()) yield return reader.GetValue(0);
            }
            else
            {
                // A query is read from its start; stop after `limit` values or 100 × limit rows.
                command.CommandText = _query!;
                using var reader = command.ExecuteReader();
                long scanned = 0;
                int returned = 0;
                while (returned < limit && scanned++ < 100L * limit && reader.Read())
                {
                    if (reader.IsDBNull(column.Ordinal)) continue;
                    returned++;
                    yield return reader.GetValue(column.Ordinal);
                }
            }
        }

        // A column holds vectors when most sampled values decode as one (or, empty, it is declared BLOB).
        private bool LooksLikeVectors(SourceColumn column, string? table)
        {
            int count = 0, decodable = 0;
            float[] scratch = new float[64];
            foreach (object value in Values(column, table, ColumnSampleSize))
            {
                count++;
                if (value is byte[] blob && blob.Length >= 8 && blob.Length % 4 == 0) decodable++;
                else if (value is string text && VectorCodec.ParseText(text, ref scratch, out _, out _) >= 2) decodable++;
            }
            return count == 0
                ? column.DeclaredType.Contains("BLOB", StringComparison.OrdinalIgnoreCase)
                : decodable * 2 > count;
        }

        private VectorSample SampleVectors(SourceColumn vector)
        {
            var sample = new VectorSample();
            foreach (object value in Values(vector, _table, options.SampleSize)) sample.Add(value);
            return sample;
        }
    }

    /// <summary>What a sample of vector values says about the dimension and the encodings.</summary>
    private sealed class VectorSample
    {
        private readonly Dictionary<int, (int Json, int Delimited)> _text = [];
        private readonly Dictionary<int, (int Rows, double Plausible32, double Plausible64)> _blobs = [];
        private float[] _scratch = new float[64];

        public int Total { get; private set; }

        public void Add(object value)
        {
            Total++;
            switch (value)
            {
                case byte[] blob when blob.Length > 0:
                    var entry = _blobs.GetValueOrDefault(blob.Length);
                    entry.Rows++;
                    var (float32, float64) = VectorCodec.BlobEvidence(blob);
                    entry.Plausible32 += float32;
                    entry.Plausible64 += float64;
                    _blobs[blob.Length] = entry;
                    break;
                case string text:
                    int count = VectorCodec.ParseText(text, ref _scratch, out var encoding, out _);
                    if (count <= 0) break;
                    var counts = _text.GetValueOrDefault(count);
                    if (encoding == VectorEncoding.JsonArrayText) counts.Json++;
                    else counts.Delimited++;
                    _text[count] = counts;
                    break;
            }
        }

        /// <summary>
        /// The dimension most sampled values agree with: text gives its element count, a BLOB of L
        /// bytes supports L/4 (float32) and L/8 (float64). A tie (all BLOBs one length) goes to the
        /// reading the values support better (<see cref="VectorCodec.BlobEvidence"/>), then to float32.
        /// </summary>
        public int? InferDimension()
        {
            var support = new Dictionary<int, (int Rows, double Score)>();
            void Add(int dimension, int rows, double score)
            {
                var current = support.GetValueOrDefault(dimension);
                support[dimension] = (current.Rows + rows, current.Score + score);
            }
            foreach (var (count, rows) in _text) Add(count, rows.Json + rows.Delimited, rows.Json + rows.Delimited);
            foreach (var (length, blob) in _blobs)
            {
                if (length % 4 == 0) Add(length / 4, blob.Rows, blob.Plausible32);
                if (length % 8 == 0) Add(length / 8, blob.Rows, blob.Plausible64);
            }
            if (support.Count == 0) return null;
            return support
                .OrderByDescending(s => s.Value.Rows)
                .ThenByDescending(s => Math.Round(s.Value.Score, 6))
                .ThenByDescending(s => s.Key)
                .First().Key;
        }

        public (IReadOnlyDictionary<VectorEncoding, int> Encodings, int Unusable) Classify(int dimension)
        {
            var encodings = new Dictionary<VectorEncoding, int>();
            void Add(VectorEncoding encoding, int rows)
            {
                if (rows > 0) encodings[encoding] = encodings.GetValueOrDefault(encoding) + rows;
            }
            if (_text.TryGetValue(dimension, out var text))
            {
                Add(VectorEncoding.JsonArrayText, text.Json);
                Add(VectorEncoding.DelimitedText, text.Delimited);
            }
            if (_blobs.TryGetValue(4 * dimension, out var f32)) Add(VectorEncoding.Float32Blob, f32.Rows);
            if (_blobs.TryGetValue(8 * dimension, out var f64)) Add(VectorEncoding.Float64Blob, f64.Rows);
            return (encodings, Total - encodings.Values.Sum());
        }
    }
}
