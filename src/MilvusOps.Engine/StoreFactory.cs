using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MilvusOps.Engine.Embedded;
using MilvusOps.Engine.Milvus;
using MilvusOps.Model;

namespace MilvusOps.Engine;

/// <summary>Opens the store a URI names: a Milvus server, or an embedded store file.</summary>
public static class StoreFactory
{
    // Servers reached by a plain URI (no credentials, default options) share one channel per address and timeout.
    private static readonly ConcurrentDictionary<string, Lazy<MilvusStore>> ServerStores = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, EmbeddedStore> EmbeddedStores =
        new(OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);

    private static readonly Regex ServerScheme = new("^[A-Za-z][A-Za-z0-9+.-]*://", RegexOptions.CultureInvariant);
    private static readonly Regex HostAndPort = new(@"^[A-Za-z0-9.-]+:\d{1,5}$", RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="uri"/> names a server rather than a store file.</summary>
    public static bool IsServerUri(string uri) =>
        ServerScheme.IsMatch(uri) && !uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Refuses text that an operator most likely meant as a server (host:port without a scheme), before
    /// it is resolved as a path and a store file with that name is created.
    /// </summary>
    public static void RejectBareServerAddress(string uri)
    {
        if (HostAndPort.IsMatch(uri))
            throw new MilvusOpsException("AmbiguousUri", ErrorKind.InvalidArgument,
                $"'{uri}' looks like a server address. Write it as http://{uri} for a Milvus server, or give a file name such as patterns.db for the embedded store.", uri);
    }

    /// <summary>
    /// Opens a connection. A server URI selects the Milvus backend (no credentials, default database); anything
    /// else is the full path of an embedded store file, opened once per process and shared, so its vector cache is too.
    /// </summary>
    public static MilvusConnection Connect(string uriOrFullPath, TimeSpan timeout)
    {
        if (IsServerUri(uriOrFullPath))
        {
            var endpoint = MilvusEndpoint.Parse(uriOrFullPath);
            var key = $"{endpoint.Address}|{timeout.TotalSeconds}";
            var shared = ServerStores.GetOrAdd(key, _ => new Lazy<MilvusStore>(() => MilvusStore.Connect(endpoint with { Timeout = timeout })));
            try
            {
                return new MilvusConnection(shared.Value);
            }
            catch
            {
                ServerStores.TryRemove(key, out _);   // a failed connect is not cached: the next call tries again
                throw;
            }
        }
        string path = uriOrFullPath.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
            ? new System.Uri(uriOrFullPath).LocalPath
            : uriOrFullPath;
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder && !Directory.Exists(folder))
            throw new MilvusOpsException("StoreFolderNotFound", ErrorKind.ObjectNotFound,
                $"The folder '{folder}' does not exist, so the store '{path}' cannot be created there.", path);
        string fullPath = Path.GetFullPath(path);
        // A store file deleted since it was opened is a new store: forget the old instance and its cache.
        if (!File.Exists(fullPath) && EmbeddedStores.TryRemove(fullPath, out var gone)) gone.CloseConnections();
        var store = EmbeddedStores.GetOrAdd(fullPath, full => new EmbeddedStore(full, timeout));
        store.LockTimeout = timeout;
        return new MilvusConnection(store);
    }

    /// <summary>Connects to a Milvus server with explicit options (credentials, database, TLS): a channel of its own.</summary>
    public static MilvusConnection Connect(MilvusEndpoint endpoint) => new(MilvusStore.Connect(endpoint));
}
