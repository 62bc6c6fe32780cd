using Microsoft.Data.Sqlite;

namespace MilvusOps.Engine.Backends.Embedded;

/// <summary>Turns SQLite's result codes into failures an operator can act on.</summary>
internal static class SqliteErrors
{
    private const int Busy = 5, Locked = 6, ReadOnly = 8, IoError = 10, Corrupt = 11, Full = 13, CantOpen = 14, NotADatabase = 26;

    /// <summary>Another connection holds the lock this one needs.</summary>
    public static bool IsLocked(SqliteException ex) => ex.SqliteErrorCode is Busy or Locked;

    public static MilvusOpsException Map(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        Busy or Locked => new MilvusOpsException("StoreLocked", ErrorKind.ResourceUnavailable,
            $"The store '{path}' is locked by another process or connection and stayed locked past the timeout. Retry, or raise -TimeoutSec.", path, ex),
        ReadOnly => new MilvusOpsException("StoreReadOnly", ErrorKind.PermissionDenied,
            $"The store '{path}' is read-only: check the file's and its folder's permissions (SQLite also writes '{Path.GetFileName(path)}-wal' and '-shm' beside it).", path, ex),
        CantOpen => new MilvusOpsException("StoreCannotOpen", ErrorKind.ResourceUnavailable,
            $"The store '{path}' cannot be opened: {ex.Message}. Check that the folder exists and is writable.", path, ex),
        NotADatabase or Corrupt => new MilvusOpsException("StoreNotADatabase", ErrorKind.InvalidData,
            $"'{path}' is not a MilvusOps store or is damaged: {ex.Message}", path, ex),
        Full => new MilvusOpsException("StoreFull", ErrorKind.ResourceUnavailable, $"The disk holding '{path}' is full.", path, ex),
        IoError => new MilvusOpsException("StoreIoError", ErrorKind.ResourceUnavailable, $"I/O error on '{path}': {ex.Message}", path, ex),
        _ => new MilvusOpsException("StoreError", ErrorKind.InvalidOperation, $"SQLite error on '{path}': {ex.Message}", path, ex),
    };
}
