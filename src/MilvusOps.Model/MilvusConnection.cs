using System.Data;

namespace MilvusOps.Model;

/// <summary>
/// A connection an operator holds: where the patterns live. It owns its lease on the store (a gRPC channel, or an
/// embedded store file and its vector cache) until it is disposed, by Disconnect-Milvus or at the end of the pipeline
/// that opened it. The store behind it is internal: scripts reach it only through the cmdlets, which ask for
/// confirmation where they must.
/// </summary>
public sealed class MilvusConnection : IDisposable
{
    private readonly IPatternStore _store;
    private IDisposable? _lease;

    /// <param name="store">The backend this connection reaches.</param>
    /// <param name="lease">What closing the connection releases (the store itself, or a share of it).</param>
    internal MilvusConnection(IPatternStore store, IDisposable lease)
    {
        _store = store;
        _lease = lease;
        Uri = store.Uri;
        Backend = store.Backend;
        Database = store.Database;
        ServerVersion = store.ServerVersion;
    }

    /// <summary>The store file's full path, or the server's address.</summary>
    public string Uri { get; }
    public StoreBackend Backend { get; }
    public string Database { get; }

    /// <summary>The server's version (Milvus), or the embedded engine and its SQLite version.</summary>
    public string ServerVersion { get; }

    /// <summary>Open until Disconnect-Milvus (or Dispose) closes it.</summary>
    public ConnectionState State => Volatile.Read(ref _lease) is null ? ConnectionState.Closed : ConnectionState.Open;

    /// <summary>The backend, for the cmdlets; a closed connection refuses every call.</summary>
    internal IPatternStore Store => State == ConnectionState.Open ? _store
        : throw new MilvusOpsException("ConnectionClosed", ErrorKind.InvalidOperation,
            $"The connection to '{Uri}' is closed (Disconnect-Milvus). Connect again with Connect-Milvus.", Uri);

    /// <summary>True when both connections reach the same store: the same backend, address or file, and database.</summary>
    public bool IsSameStore(MilvusConnection other) =>
        Backend == other.Backend && Database == other.Database
        && string.Equals(Uri, other.Uri, Backend == StoreBackend.Embedded && !OperatingSystem.IsLinux()
            ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Closes the connection; closing it again does nothing.</summary>
    public void Dispose() => Interlocked.Exchange(ref _lease, null)?.Dispose();

    public override string ToString() => Database == "default" ? Uri : $"{Uri} ({Database})";
}
