using System.Text.RegularExpressions;
using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Backends.Milvus;

namespace MilvusOps.Engine.Session;

/// <summary>
/// Opens the store a URI names, a Milvus server or an embedded store file, as a <see cref="MilvusConnection"/> that
/// holds a lease on it. Connections to the same file, or to the same server with default options, share one store (and
/// so one vector cache, or one channel), which closes when its last connection does.
/// </summary>
public static class StoreFactory
{
    private static readonly SharedStores<MilvusStore> Servers = new(StringComparer.Ordinal);
    private static readonly SharedStores<EmbeddedStore> Files = new(StorePath.Comparer);

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
    /// Opens a connection. A server URI selects the Milvus backend (no credentials, default database); anything else is
    /// the full path of an embedded store file, which must exist unless <paramref name="create"/> is set, so a mistyped
    /// path never becomes an empty store.
    /// </summary>
    public static MilvusConnection Connect(string uriOrFullPath, TimeSpan timeout, bool create = false, CancellationToken cancellation = default)
    {
        if (IsServerUri(uriOrFullPath))
        {
            var endpoint = MilvusEndpoint.Parse(uriOrFullPath) with { Timeout = timeout };
            return Servers.Open($"{endpoint.Address}|{timeout.TotalSeconds}", () => MilvusStore.Connect(endpoint, cancellation));
        }
        string path = uriOrFullPath.StartsWith("file://", StringComparison.OrdinalIgnoreCase)
            ? new System.Uri(uriOrFullPath).LocalPath
            : uriOrFullPath;
        if (Path.GetDirectoryName(path) is { Length: > 0 } folder && !Directory.Exists(folder))
            throw new MilvusOpsException("StoreFolderNotFound", ErrorKind.ObjectNotFound,
                $"The folder '{folder}' does not exist, so the store '{path}' cannot be {(create ? "created" : "there")}.", path);
        string fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
            throw new MilvusOpsException("StoreIsFolder", ErrorKind.InvalidArgument,
                $"'{fullPath}' is a folder. Give the store file's path, such as {Path.Combine(fullPath, "patterns.db")}.", fullPath);
        if (!File.Exists(fullPath) && !create)
            throw new MilvusOpsException("StoreNotFound", ErrorKind.ObjectNotFound,
                $"There is no store file '{fullPath}'. Check the path, or run 'Connect-Milvus {path} -Create' to make a new store.", fullPath);
        // The lock timeout is part of the key: a connection's settings never change another connection's store.
        // A store file deleted since it was opened is a new store, so the old instance and its cache are not reused.
        return Files.Open($"{fullPath}|{timeout.TotalSeconds}", () => new EmbeddedStore(fullPath, timeout), reuse: store =>
        {
            if (File.Exists(fullPath)) return true;
            store.ClearPool();   // its pooled connections would reopen the deleted file
            return false;
        });
    }

    /// <summary>Connects to a Milvus server with explicit options (credentials, database, TLS): a channel of its own.</summary>
    public static MilvusConnection Connect(MilvusEndpoint endpoint, CancellationToken cancellation = default)
    {
        var store = MilvusStore.Connect(endpoint, cancellation);
        return new MilvusConnection(store, store);
    }

    /// <summary>Stores shared by key and counted: the last connection to release one disposes it.</summary>
    private sealed class SharedStores<TStore>(StringComparer comparer) where TStore : class, IPatternStore
    {
        private readonly Dictionary<string, Entry> _entries = new(comparer);

        public MilvusConnection Open(string key, Func<TStore> open, Func<TStore, bool>? reuse = null)
        {
            Entry? entry;
            lock (_entries)
            {
                if (_entries.TryGetValue(key, out entry) && reuse?.Invoke(entry.Store) == false)
                {
                    _entries.Remove(key);   // the old one closes when its last connection does
                    entry = null;
                }
                if (entry is not null)
                {
                    entry.Leases++;
                    return new MilvusConnection(entry.Store, new Lease(this, entry));
                }
            }
            // Opening talks to a server or a file: outside the lock. A failed open is not kept, so the next call tries again.
            var store = open();
            lock (_entries)
            {
                if (!_entries.TryGetValue(key, out entry))
                {
                    entry = new Entry(key, store);
                    _entries[key] = entry;
                }
                else
                {
                    store.Dispose();   // another thread opened it first
                }
                entry.Leases++;
                return new MilvusConnection(entry.Store, new Lease(this, entry));
            }
        }

        private void Release(Entry entry)
        {
            lock (_entries)
            {
                if (--entry.Leases > 0) return;
                if (_entries.TryGetValue(entry.Key, out var current) && current == entry) _entries.Remove(entry.Key);
            }
            entry.Store.Dispose();
        }

        private sealed class Entry(string key, TStore store)
        {
            public string Key { get; } = key;
            public TStore Store { get; } = store;
            public int Leases { get; set; }
        }

        private sealed class Lease(SharedStores<TStore> owner, Entry entry) : IDisposable
        {
            public void Dispose() => owner.Release(entry);
        }
    }
}
