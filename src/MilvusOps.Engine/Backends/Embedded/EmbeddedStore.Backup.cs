using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MilvusOps.Engine.Backends.Embedded;

// The online backup of the embedded store: SQLite's backup API, a few pages per step, inside one read transaction.
public sealed partial class EmbeddedStore : IFileBackupCapability
{
    /// <summary>Pages per backup step (4 MB at the store's 16 KB pages): small enough that Ctrl+C is seen at once.</summary>
    private const int BackupStepPages = 256;

    public void BackupTo(string path, Action<long, long>? progress, CancellationToken cancellation = default)
    {
        if (File.Exists(path)) throw new IOException($"'{path}' exists; a backup writes only a new file.");
        bool finished = false;
        try
        {
            using var source = Open();
            // The read transaction pins one snapshot of the write-ahead log: writers go on, and the copy is of the
            // moment it began, instead of restarting each time another connection commits.
            using var snapshot = source.BeginTransaction(deferred: true);
            source.ExecuteScalarLong($"SELECT count(*) FROM {Catalog}", snapshot);
            using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            target.Open();
            var backup = raw.sqlite3_backup_init(target.Handle, "main", source.Handle, "main");
            if (backup is null) throw new SqliteException($"The backup could not start: {raw.sqlite3_errmsg(target.Handle).utf8_to_string()}", raw.sqlite3_errcode(target.Handle));
            int code;
            try
            {
                do
                {
                    cancellation.ThrowIfCancellationRequested();
                    code = raw.sqlite3_backup_step(backup, BackupStepPages);
                    int total = raw.sqlite3_backup_pagecount(backup);
                    progress?.Invoke(total - raw.sqlite3_backup_remaining(backup), total);
                    if (code is raw.SQLITE_BUSY or raw.SQLITE_LOCKED) cancellation.WaitHandle.WaitOne(LockWaitStep);
                } while (code is raw.SQLITE_OK or raw.SQLITE_BUSY or raw.SQLITE_LOCKED);
            }
            finally
            {
                raw.sqlite3_backup_finish(backup);
            }
            if (code != raw.SQLITE_DONE) throw new SqliteException($"The backup failed: {raw.sqlite3_errstr(code).utf8_to_string()}", code);
            // The copy carries the store's WAL flag; a rollback journal lets it be read where it lies, read-only.
            target.Execute("PRAGMA journal_mode = DELETE");
            finished = true;
        }
        catch (SqliteException ex)
        {
            throw Map(ex, cancellation);
        }
        finally
        {
            if (!finished)
            {
                File.Delete(path);
                File.Delete(path + "-journal");
            }
        }
    }
}
