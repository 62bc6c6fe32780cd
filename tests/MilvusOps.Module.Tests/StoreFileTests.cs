using Microsoft.Data.Sqlite;

namespace MilvusOps.Module.Tests;

public sealed class StoreFileTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _session.Dispose();
    }

    private SqliteConnection OpenRaw()
    {
        var connection = new SqliteConnection($"Data Source={_session.StorePath};Pooling=False");
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public void The_store_is_WAL_with_16K_pages_and_other_readers_see_committed_batches()
    {
        _session.Run("Connect-Milvus ./patterns.db -Create | Out-Null; New-PatternCollection p -Dimension 2 | Out-Null");
        _session.Run("1..2500 | ForEach-Object { [pscustomobject]@{ PatternId = \"id$_\"; Vector = $_, 1 } } | Add-Pattern p");
        using var reader = OpenRaw();
        Assert.Equal("wal", Scalar(reader, "PRAGMA journal_mode"));
        Assert.Equal(16384L, Scalar(reader, "PRAGMA page_size"));
        Assert.Equal(2500L, Scalar(reader, "SELECT count(*) FROM c_1"));
    }

    [Fact]
    public void A_locked_store_gives_a_clear_ResourceUnavailable_error_and_writes_nothing()
    {
        _session.Run("Connect-Milvus ./patterns.db -Create -TimeoutSec 1 | Out-Null; New-PatternCollection p -Dimension 2 | Out-Null");
        ErrorRecord error;
        using (_session.HoldWriteLock(_session.StorePath))
            error = _session.Fail("[pscustomobject]@{ PatternId = 'a'; Vector = 1,2 } | Add-Pattern p");
        Assert.StartsWith("StoreLocked,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Contains("locked", error.Exception.Message);
        Assert.Equal(0L, _session.Run("(Get-PatternCollection p).EntityCount")[0].BaseObject);
    }

    [Fact]
    public void A_read_only_store_reads_but_refuses_writes_with_PermissionDenied()
    {
        _session.Run("Connect-Milvus ./patterns.db -Create | Out-Null; New-PatternCollection p -Dimension 2 | Out-Null");
        _session.Run("[pscustomobject]@{ PatternId = 'a'; Vector = 1,2 } | Add-Pattern p");
        // Close every handle so the file is checkpointed, then make it read-only.
        string copy = Path.Combine(_session.Folder, "readonly.db");
        using (var source = OpenRaw())
        {
            Scalar(source, "PRAGMA wal_checkpoint(TRUNCATE)");
            Scalar(source, $"VACUUM INTO '{copy}'");
        }
        if (OperatingSystem.IsWindows()) File.SetAttributes(copy, FileAttributes.ReadOnly);
        else File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        Assert.Equal("a", _session.Run("(Get-Pattern p -Connection ./readonly.db).PatternId")[0].ToString());
        var error = _session.Fail("[pscustomobject]@{ PatternId = 'b'; Vector = 1,2 } | Add-Pattern p -Connection ./readonly.db");
        Assert.StartsWith("StoreReadOnly,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
    }
}
