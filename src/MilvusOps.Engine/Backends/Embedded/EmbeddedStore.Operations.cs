using Microsoft.Data.Sqlite;

namespace MilvusOps.Engine.Backends.Embedded;

// The operations side of the embedded store: health and aliases. Aliases live in their own table, which a store gets
// with its first alias (in that write's transaction), so older stores open unchanged.
public sealed partial class EmbeddedStore
{
    private const string Aliases = "milvusops_aliases";

    /// <summary>A write-ahead log larger than this means checkpoints are not keeping up: a reader held them off.</summary>
    internal const long LargeWalBytes = 256L * 1024 * 1024;

    // ---------------------------------------------------------------- health

    public IReadOnlyList<HealthCheck> CheckHealth(CancellationToken cancellation = default)
    {
        // Pooled connections can still read a file another process deleted: look for it by name first.
        if (!File.Exists(Uri))
            return [HealthCheck.Fail("store file", "exists", HealthSeverity.Critical, "Missing",
                $"There is no store file at '{Uri}' any more: another process deleted or moved it. Restore it from a backup.", Uri)];
        var checks = new List<HealthCheck>();
        long size = new FileInfo(Uri).Length;
        // A damaged page can fail the catalog read as well as the integrity check: each says so, and the checks go on.
        try
        {
            var (format, collections) = Run(connection =>
                (connection.ExecuteScalarLong("PRAGMA user_version"), connection.ExecuteScalarLong($"SELECT count(*) FROM {Catalog}")), cancellation);
            checks.Add(format <= FormatVersion
                ? HealthCheck.Pass("store file", "format", $"format {format}", $"{collections} collection(s), {Bytes(size)}; {ServerVersion}.", Uri)
                : HealthCheck.Fail("store file", "format", HealthSeverity.Critical, $"format {format}",
                    $"The store was written in format {format} by a newer MilvusOps; this one reads format {FormatVersion}. Update MilvusOps.", Uri));
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "StoreNotADatabase")
        {
            checks.Add(HealthCheck.Fail("store file", "format", HealthSeverity.Critical, "Unreadable", $"The catalog cannot be read: {ex.Message}", Uri));
        }

        List<string> problems;
        try
        {
            problems = Run(connection =>
            {
                using var command = connection.CreateCommand("PRAGMA quick_check(20)", null);
                using var reader = command.ExecuteReader();
                var found = new List<string>();
                while (reader.Read()) found.Add(reader.GetString(0));
                return found;
            }, cancellation);
        }
        catch (MilvusOpsException ex) when (ex.ErrorId == "StoreNotADatabase")
        {
            problems = [ex.Message];
        }
        checks.Add(problems is ["ok"]
            ? HealthCheck.Pass("store file", "PRAGMA quick_check", "OK", "The file's pages, records and indexes are consistent.", Uri)
            : HealthCheck.Fail("store file", "PRAGMA quick_check", HealthSeverity.Critical, "Corrupt",
                $"SQLite found damage: {string.Join("; ", problems)}. Restore the file from a backup.", Uri));

        var wal = new FileInfo(Uri + "-wal");
        long walBytes = wal.Exists ? wal.Length : 0;
        checks.Add(walBytes <= LargeWalBytes
            ? HealthCheck.Pass("write-ahead log", "size", Bytes(walBytes), $"The log holds {Bytes(walBytes)} not yet copied into the file.", wal.FullName)
            : HealthCheck.Fail("write-ahead log", "size", HealthSeverity.Warning, Bytes(walBytes),
                $"The log holds {Bytes(walBytes)}, over {Bytes(LargeWalBytes)}: a long-running reader keeps checkpoints from finishing. Reads slow down as it grows; end the reader.", wal.FullName));

        checks.Add(LockCheck());
        return checks;
    }

    /// <summary>Whether a write could start now: another process may hold the write lock, or the file may be read-only.</summary>
    private HealthCheck LockCheck()
    {
        using var connection = Open();
        try
        {
            connection.Execute("BEGIN IMMEDIATE");
            connection.Execute("ROLLBACK");
            return HealthCheck.Pass("write lock", "BEGIN IMMEDIATE", "Free", "No other process is writing.", Uri);
        }
        catch (SqliteException ex) when (SqliteErrors.IsLocked(ex))
        {
            return HealthCheck.Pass("write lock", "BEGIN IMMEDIATE", "Held",
                $"Another process is writing; writes here wait for it up to {LockTimeout.TotalSeconds:0.#} s (Connect-Milvus -TimeoutSec).", Uri);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == 8) // SQLITE_READONLY
        {
            return HealthCheck.Fail("write lock", "BEGIN IMMEDIATE", HealthSeverity.Warning, "ReadOnly",
                "The file is read-only: reads work, writes fail. Grant write permission to write to it.", Uri);
        }
        catch (SqliteException ex)
        {
            var failure = SqliteErrors.Map(ex, Uri);
            return HealthCheck.Fail("write lock", "BEGIN IMMEDIATE", HealthSeverity.Critical, failure.ErrorId, failure.Message, Uri);
        }
    }

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes} B",
    };

    // ---------------------------------------------------------------- aliases

    public void CreateAlias(string alias, string collection, CancellationToken cancellation) => Run(connection =>
    {
        using var tx = connection.BeginTransaction();
        var target = FindByName(connection, collection, tx) ?? throw CollectionNotFound(collection);
        CheckAliasFree(connection, alias, tx);
        if (FindAlias(connection, alias, tx) is { } existing)
        {
            if (existing.Id == target.Id) return 0; // the same alias again, as Milvus answers it
            throw new MilvusOpsException("AliasConflict", ErrorKind.ResourceExists,
                $"Alias '{alias}' already names collection '{existing.Spec.Name}'. Move it with Set-MilvusAlias.", alias);
        }
        connection.Execute($"CREATE TABLE IF NOT EXISTS {Aliases} (alias TEXT PRIMARY KEY, collection_id INTEGER NOT NULL)", tx);
        SetAlias(connection, alias, target.Id, tx);
        tx.Commit();
        return 0;
    }, cancellation);

    public void AlterAlias(string alias, string collection, CancellationToken cancellation) => Run(connection =>
    {
        using var tx = connection.BeginTransaction();
        var target = FindByName(connection, collection, tx) ?? throw CollectionNotFound(collection);
        CheckAliasFree(connection, alias, tx);
        if (FindAlias(connection, alias, tx) is null) throw AliasNotFound(alias);
        SetAlias(connection, alias, target.Id, tx);
        tx.Commit();
        return 0;
    }, cancellation);

    public void DropAlias(string alias, CancellationToken cancellation) => Run(connection =>
    {
        using var tx = connection.BeginTransaction();
        if (FindAlias(connection, alias, tx) is null) throw AliasNotFound(alias);
        using var delete = connection.CreateCommand($"DELETE FROM {Aliases} WHERE alias = @alias", tx);
        delete.Parameters.AddWithValue("@alias", alias);
        delete.ExecuteNonQuery();
        tx.Commit();
        return 0;
    }, cancellation);

    public CollectionAlias DescribeAlias(string alias, CancellationToken cancellation) => Run(connection =>
    {
        using var tx = connection.BeginTransaction(deferred: true);
        var target = FindAlias(connection, alias, tx) ?? throw AliasNotFound(alias);
        return new CollectionAlias { Alias = alias, Collection = target.Spec.Name, Database = Database };
    }, cancellation);

    public IReadOnlyList<CollectionAlias> ListAliases(string? collection, CancellationToken cancellation) => Run(connection =>
    {
        using var tx = connection.BeginTransaction(deferred: true);
        // As Milvus: a collection's own name, not an alias.
        long? id = collection is null ? null : (FindByName(connection, collection, tx) ?? throw CollectionNotFound(collection)).Id;
        if (!HasAliasTable(connection, tx)) return (IReadOnlyList<CollectionAlias>)[];
        using var command = connection.CreateCommand($"""
            SELECT a.alias, c.name FROM {Aliases} a JOIN {Catalog} c ON c.id = a.collection_id
            WHERE @id IS NULL OR a.collection_id = @id ORDER BY a.alias
            """, tx);
        command.Parameters.AddWithValue("@id", (object?)id ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        var aliases = new List<CollectionAlias>();
        while (reader.Read()) aliases.Add(new CollectionAlias { Alias = reader.GetString(0), Collection = reader.GetString(1), Database = Database });
        return aliases;
    }, cancellation);

    /// <summary>The collection an alias names, or null when the name is no alias.</summary>
    private static CatalogEntry? FindAlias(SqliteConnection connection, string alias, SqliteTransaction? tx)
    {
        if (!HasAliasTable(connection, tx)) return null;
        using var command = connection.CreateCommand($"""
            SELECT c.id, c.spec, c.data_version, c.created_utc FROM {Aliases} a JOIN {Catalog} c ON c.id = a.collection_id WHERE a.alias = @alias
            """, tx);
        command.Parameters.AddWithValue("@alias", alias);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCatalogEntry(reader) : null;
    }

    /// <summary>A collection's aliases, in name order.</summary>
    private static IReadOnlyList<string> AliasesOf(SqliteConnection connection, long collectionId, SqliteTransaction? tx)
    {
        if (!HasAliasTable(connection, tx)) return [];
        using var command = connection.CreateCommand($"SELECT alias FROM {Aliases} WHERE collection_id = @id ORDER BY alias", tx);
        command.Parameters.AddWithValue("@id", collectionId);
        using var reader = command.ExecuteReader();
        var aliases = new List<string>();
        while (reader.Read()) aliases.Add(reader.GetString(0));
        return aliases;
    }

    private static bool HasAliasTable(SqliteConnection connection, SqliteTransaction? tx) =>
        connection.ExecuteScalarLong($"SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '{Aliases}'", tx) == 1;

    private static void SetAlias(SqliteConnection connection, string alias, long collectionId, SqliteTransaction tx)
    {
        using var upsert = connection.CreateCommand(
            $"INSERT INTO {Aliases}(alias, collection_id) VALUES (@alias, @id) ON CONFLICT(alias) DO UPDATE SET collection_id = excluded.collection_id", tx);
        upsert.Parameters.AddWithValue("@alias", alias);
        upsert.Parameters.AddWithValue("@id", collectionId);
        upsert.ExecuteNonQuery();
    }

    /// <summary>An alias may not take a collection's name: a name means one thing.</summary>
    private static void CheckAliasFree(SqliteConnection connection, string alias, SqliteTransaction tx)
    {
        if (FindByName(connection, alias, tx) is not null)
            throw new MilvusOpsException("AliasConflict", ErrorKind.ResourceExists,
                $"'{alias}' is the name of a collection; an alias needs a name of its own.", alias);
    }

    private static MilvusOpsException AliasNotFound(string alias) =>
        new("AliasNotFound", ErrorKind.ObjectNotFound, $"Alias '{alias}' does not exist. Get-MilvusAlias lists the aliases; New-MilvusAlias creates one.", alias);

    private MilvusOpsException CollectionNotFound(string name) =>
        new("CollectionNotFound", ErrorKind.ObjectNotFound,
            $"Collection '{name}' does not exist in '{Uri}'. Get-PatternCollection lists the collections; New-PatternCollection creates one.", name);
}
