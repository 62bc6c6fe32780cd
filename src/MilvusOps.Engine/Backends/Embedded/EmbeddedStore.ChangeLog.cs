using Microsoft.Data.Sqlite;

namespace MilvusOps.Engine.Backends.Embedded;

// The change log of an HNSW collection: the rows whose vector the graph may hold wrongly after a version, so a catch-up
// applies only those. Rows appended above the graph's highest rowid are not logged; a catch-up reads them by rowid.
public sealed partial class EmbeddedStore
{
    private static string ChangeLog(long collectionId) => $"\"c_{collectionId}_changes\"";

    /// <summary>The change log of a new HNSW collection, created with its table: which rows each version touched. A trigger
    /// logs deletions; <see cref="GraphChangeLog"/> logs what an upsert changes.</summary>
    private static void CreateChangeLog(SqliteConnection connection, long id, SqliteTransaction tx)
    {
        string log = ChangeLog(id);
        // One row per rowid and no index on version: a catch-up scans this small table, and each logged write pays one insert.
        // A delete trigger costs an insert nothing; an insert or update trigger halves the import rate, even one that
        // never fires (measured with Microsoft.Data.Sqlite), so upserts log in code.
        connection.Execute($"""
            CREATE TABLE {log} (row INTEGER PRIMARY KEY, version INTEGER NOT NULL);
            CREATE TRIGGER "c_{id}_deleted" AFTER DELETE ON {TableName(id)} BEGIN
                INSERT INTO {log}(row, version) VALUES (old.rowid, {GraphChangeLog.NextVersion(id)})
                    ON CONFLICT(row) DO UPDATE SET version = excluded.version;
            END;
            """, tx);
    }

    private static bool HasChangeLog(SqliteConnection connection, long id, SqliteTransaction tx) =>
        connection.ExecuteScalarLong($"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'c_{id}_changes'", tx) == 1;

    /// <summary>
    /// Logs what one upsert transaction changes in a collection's change log: an existing row given another vector, and
    /// a new row that took a rowid at or below the log's highest. SQLite hands out a rowid at or below a graph's highest
    /// only after that highest row was deleted, and the delete trigger logged it, so those are all the reuses.
    /// </summary>
    private sealed class GraphChangeLog : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _find, _log;
        private readonly SqliteParameter _findId, _logRow;
        private readonly long _reuseBound;
        private long? _existingRow;
        private bool _revectored;

        private GraphChangeLog(SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx)
        {
            _connection = connection;
            _reuseBound = connection.ExecuteScalarLong($"SELECT coalesce(max(row), 0) FROM {ChangeLog(entry.Id)}", tx);
            _find = connection.CreateCommand($"SELECT rowid, vector FROM {TableName(entry.Id)} WHERE pattern_id = @id", tx);
            _findId = _find.Parameters.Add("@id", SqliteType.Text);
            _find.Prepare();
            _log = connection.CreateCommand($"""
                INSERT INTO {ChangeLog(entry.Id)}(row, version) VALUES (@row, {NextVersion(entry.Id)})
                ON CONFLICT(row) DO UPDATE SET version = excluded.version
                """, tx);
            _logRow = _log.Parameters.Add("@row", SqliteType.Integer);
            _log.Prepare();
        }

        /// <summary>The version the writing transaction gives the collection: it bumps data_version once, after its rows.</summary>
        public static string NextVersion(long collectionId) => $"(SELECT data_version + 1 FROM {Catalog} WHERE id = {collectionId})";

        /// <summary>The collection's log writer, or null when it keeps no change log (FLAT and the other index types).</summary>
        public static GraphChangeLog? For(SqliteConnection connection, CatalogEntry entry, SqliteTransaction tx) =>
            HasChangeLog(connection, entry.Id, tx) ? new GraphChangeLog(connection, entry, tx) : null;

        /// <summary>Call before a row's upsert: finds the row the id names and whether <paramref name="vector"/> differs from its own.</summary>
        public void Before(string patternId, byte[] vector)
        {
            _findId.Value = patternId;
            using var reader = _find.ExecuteReader();
            _existingRow = reader.Read() ? reader.GetInt64(0) : null;
            _revectored = _existingRow is not null && !((byte[])reader.GetValue(1)).AsSpan().SequenceEqual(vector);
        }

        /// <summary>Call after the upsert: logs the row when the graph may hold another vector under its rowid.</summary>
        public void After()
        {
            long row;
            if (_existingRow is long existing)
            {
                if (!_revectored) return;
                row = existing;
            }
            else
            {
                row = SQLitePCL.raw.sqlite3_last_insert_rowid(_connection.Handle);
                if (row > _reuseBound) return;   // an append: a catch-up finds it above the graph's highest rowid
            }
            _logRow.Value = row;
            _log.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _find.Dispose();
            _log.Dispose();
        }
    }
}
