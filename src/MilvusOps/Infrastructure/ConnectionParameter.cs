using System.Management.Automation;
using MilvusOps.Engine.Session;

namespace MilvusOps.Infrastructure;

/// <summary>
/// What -Connection accepts: a connection from Connect-Milvus, or a URI or store path that the command opens for
/// itself (relative paths resolve against the PowerShell location, not the process's).
/// </summary>
public sealed class ConnectionParameter
{
    private readonly MilvusConnection? _connection;
    private readonly string? _uri;

    public ConnectionParameter(MilvusConnection connection) => _connection = connection;

    public ConnectionParameter(string uri) => _uri = uri;

    /// <summary>The connection; <paramref name="opened"/> says the command opened it and must close it.</summary>
    internal MilvusConnection Resolve(PSCmdlet cmdlet, TimeSpan timeout, CancellationToken cancellation, out bool opened)
    {
        opened = _connection is null;
        if (_connection is not null) return _connection;
        var connection = Open(cmdlet, _uri!, timeout, create: false, cancellation);
        return OpenedForOneCommand(connection, connection.Uri, timeout);
    }

    /// <summary>A connection that closes with its command, and that a later command reopens for the objects it emitted.</summary>
    private static MilvusConnection OpenedForOneCommand(MilvusConnection connection, string uri, TimeSpan timeout)
    {
        connection.Reopen = cancellation => OpenedForOneCommand(StoreFactory.Connect(uri, timeout, create: false, cancellation), uri, timeout);
        return connection;
    }

    /// <summary>Opens a server URI or a store path, resolved against the cmdlet's current location.</summary>
    internal static MilvusConnection Open(PSCmdlet cmdlet, string uri, TimeSpan timeout, bool create, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(uri))
            throw new MilvusOpsException("EmptyUri", ErrorKind.InvalidArgument, "The connection URI is empty: give a store file path or an http(s)://host:port address.");
        bool server = StoreFactory.IsServerUri(uri);
        if (!server) StoreFactory.RejectBareServerAddress(uri);
        string target = server ? uri : cmdlet.GetUnresolvedProviderPathFromPSPath(uri);
        return StoreFactory.Connect(target, timeout, create, cancellation);
    }

    public override string ToString() => _connection?.ToString() ?? _uri ?? "";
}
