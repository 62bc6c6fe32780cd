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

    /// <summary>The Milvus release line (2.5, 2.6, 3.0) that features are gated on; null for the embedded store.</summary>
    public string? VersionLine => Backend == StoreBackend.Milvus ? MilvusVersion.Parse(ServerVersion)?.Line : null;

    /// <summary>
    /// For a connection a command opened for itself from a -Connection path or URI, and closed when that command ended:
    /// opens the same store again for a later command that gets the objects it emitted. Null for a connection that
    /// Connect-Milvus returned, or that Disconnect-Milvus closed.
    /// </summary>
    internal Func<CancellationToken, MilvusConnection>? Reopen { get; set; }

    /// <summary>Open until Disconnect-Milvus (or Dispose) closes it.</summary>
    public ConnectionState State => Volatile.Read(ref _lease) is null ? ConnectionState.Closed : ConnectionState.Open;

    /// <summary>The backend, for the cmdlets; a closed connection refuses every call.</summary>
    internal IPatternStore Store => State == ConnectionState.Open ? _store
        : throw new MilvusOpsException("ConnectionClosed", ErrorKind.InvalidOperation,
            $"The connection to '{Uri}' is closed (Disconnect-Milvus). Connect again with Connect-Milvus.", Uri);

    /// <summary>True when both connections reach the same store: the same backend, address or file, and database.</summary>
    public bool IsSameStore(MilvusConnection other) =>
        Backend == other.Backend && Database == other.Database
        && (Backend == StoreBackend.Embedded ? StorePath.Comparer : StringComparer.Ordinal).Equals(Uri, other.Uri);

    /// <summary>Closes the connection for good; closing it again does nothing.</summary>
    public void Dispose()
    {
        Reopen = null;
        Close();
    }

    /// <summary>Releases the store, as the command that opened the connection ends; <see cref="Reopen"/> stays.</summary>
    internal void Close() => Interlocked.Exchange(ref _lease, null)?.Dispose();

    public override string ToString() => Database == "default" ? Uri : $"{Uri} ({Database})";
}

/// <summary>Whether a <see cref="MilvusConnection"/> still holds its store.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum ConnectionState
{
    Closed,
    Open,
}
