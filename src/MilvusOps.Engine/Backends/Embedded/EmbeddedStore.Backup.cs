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
            if (backup is null) throw new IOException($"SQLite's backup of '{Uri}' into '{path}' could not start: {raw.sqlite3_errmsg(target.Handle).utf8_to_string()}");
            int code;
            var busy = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                do
                {
                    cancellation.ThrowIfCancellationRequested();
                    code = raw.sqlite3_backup_step(backup, BackupStepPages);
                    int total = raw.sqlite3_backup_pagecount(backup);
                    progress?.Invoke(total - raw.sqlite3_backup_remaining(backup), total);
                    if (code is raw.SQLITE_BUSY or raw.SQLITE_LOCKED)
                    {
                        if (busy.Elapsed > LockTimeout) break;
                        cancellation.WaitHandle.WaitOne(LockWaitStep);
                    }
                    else busy.Restart();
                } while (code is raw.SQLITE_OK or raw.SQLITE_BUSY or raw.SQLITE_LOCKED);
            }
            finally
            {
                raw.sqlite3_backup_finish(backup);
            }
            if (code != raw.SQLITE_DONE)
                throw new IOException($"SQLite's backup of '{Uri}' into '{path}' failed: {raw.sqlite3_errstr(code).utf8_to_string()}" +
                    (code is raw.SQLITE_BUSY or raw.SQLITE_LOCKED ? $" (the store stayed locked for {LockTimeout.TotalSeconds:0} s)" : ""));
            // The copy carries the store's WAL flag; a rollback journal lets it be read where it lies, read-only.
            target.Execute("PRAGMA journal_mode = DELETE");
            using (cancellation.Register(() => raw.sqlite3_interrupt(target.Handle)))
            using (var check = target.CreateCommand("PRAGMA quick_check(1)", null))
                if (check.ExecuteScalar() as string is not "ok" and var problem)
                    throw new MilvusOpsException("BackupInvalid", ErrorKind.InvalidData,
                        $"The copy of '{Uri}' fails PRAGMA quick_check ({problem}), so it is not kept: the store itself may be damaged. Run Test-MilvusHealth on it.", Uri);
            finished = true;
        }
        catch (SqliteException ex) when (!cancellation.IsCancellationRequested)
        {
            // The copy is the part that fails here (disk full, a folder that cannot be written): the store is only read.
            throw new IOException($"SQLite's backup of '{Uri}' into '{path}' failed: {ex.Message}", ex);
        }
        catch (SqliteException ex)
        {
            throw new OperationCanceledException("The backup was stopped.", ex, cancellation);
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
