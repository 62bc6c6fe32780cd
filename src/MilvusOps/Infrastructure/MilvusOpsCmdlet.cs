using System.Management.Automation;
using MilvusOps.Engine.Session;

namespace MilvusOps.Infrastructure;

/// <summary>
/// The base of every cmdlet that works on a store: the -Connection parameter and the session default, and the lifetime of
/// connections a command opens itself. Ctrl+C and the error mapping come from <see cref="EngineCmdlet"/>.
/// </summary>
public abstract class MilvusOpsCmdlet : EngineCmdlet, IDisposable
{
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private MilvusConnection? _given;
    private bool _ownsGiven;
    private PatternSession? _session;
    private readonly Dictionary<MilvusConnection, MilvusConnection> _reopened = new(ReferenceEqualityComparer.Instance);
    private readonly List<MilvusConnection> _opened = [];

    /// <summary>A connection from Connect-Milvus, or a store path or server URI (opened for this command and closed when it
    /// ends). Defaults to the session's connection.</summary>
    [Parameter]
    public ConnectionParameter? Connection { get; set; }

    /// <summary>The connection of the object being processed, when it came from a store (see <see cref="StoreObjectCmdlet"/>).</summary>
    private protected virtual MilvusConnection? PipedConnection => null;

    /// <summary>The connection this command acts on for the current input: the piped object's store, else -Connection,
    /// else the session default. A -Connection that names the piped object's store is the connection used (its
    /// credentials are the ones meant); one that names another store is an error.</summary>
    protected MilvusConnection Target
    {
        get
        {
            if (PipedConnection is not { } piped) return Given;
            if (Connection is null) return piped.State == ConnectionState.Closed && piped.Reopen is { } reopen ? Reopened(piped, reopen) : piped;
            if (!Given.IsSameStore(piped))
                ThrowEngineError(new MilvusOpsException("ConnectionConflict", ErrorKind.InvalidArgument,
                    $"The piped object comes from '{piped}', but -Connection names '{Given}'. Leave out -Connection to act on the object's own store, " +
                    "or pipe objects from the store you name.", piped.Uri));
            return Given;
        }
    }

    /// <summary>The store of an object whose command opened its connection from a -Connection string and has ended:
    /// opened again for this command, and closed with it.</summary>
    private MilvusConnection Reopened(MilvusConnection closed, Func<CancellationToken, MilvusConnection> reopen)
    {
        if (!_reopened.TryGetValue(closed, out var connection)) _reopened[closed] = connection = Call(() => reopen(Cancellation));
        return connection;
    }

    /// <summary>The session layer over <see cref="Target"/>: every store call of a cmdlet goes through it.</summary>
    protected PatternSession Session => SessionFor(Target);

    /// <summary>The session layer over a connection this command acts on.</summary>
    protected PatternSession SessionFor(MilvusConnection connection) =>
        _session is { } current && ReferenceEquals(current.Connection, connection) ? current : _session = new PatternSession(connection, Cancellation);

    /// <summary>-Connection or the session default; resolved once per command.</summary>
    private MilvusConnection Given => _given ??= Call(ResolveGiven);

    private MilvusConnection ResolveGiven()
    {
        if (Connection is null)
            return SessionConnection.Current ?? throw new MilvusOpsException("NotConnected", ErrorKind.InvalidOperation,
                "No connection. Run 'Connect-Milvus ./patterns.db' (an embedded store; add -Create for a new one) or 'Connect-Milvus http://host:19530' first, or pass -Connection.");
        return Connection.Resolve(this, DefaultTimeout, Cancellation, out _ownsGiven);
    }

    /// <summary>A second store the command acts on (a copy's destination): a connection as given, or one opened from a path
    /// or URI for this command and closed with it.</summary>
    protected MilvusConnection Resolve(ConnectionParameter store)
    {
        ArgumentNullException.ThrowIfNull(store);
        bool opened = false;
        var connection = Call(() => store.Resolve(this, DefaultTimeout, Cancellation, out opened));
        if (opened) _opened.Add(connection);
        return connection;
    }

    /// <summary>-Connection or the session default, or why there is none (a server that does not answer, no default):
    /// for a command whose answer to that is an object, as a health check's is.</summary>
    protected MilvusConnection? TryGiven(out MilvusOpsException? failure)
    {
        failure = null;
        try
        {
            return _given ??= ResolveGiven();
        }
        catch (MilvusOpsException ex)
        {
            failure = ex;
            return null;
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Writes an object with the connection it came from, so the next cmdlet acts on the same store.</summary>
    protected void WriteStoreObject(StoreObject item)
    {
        item.Connection = Target;
        WriteObject(item);
    }

    /// <summary>Closes a connection this command opened from a URI, at the end of its pipeline.</summary>
    public void Dispose()
    {
        if (_ownsGiven) _given?.Close();
        foreach (var connection in _reopened.Values) connection.Close();
        foreach (var connection in _opened) connection.Close();
        GC.SuppressFinalize(this);
    }
}

/// <summary>
/// A cmdlet that acts on objects piped from a store (collections, patterns, hits): it acts on the store each object came
/// from, as dbatools commands act on an object's SqlInstance. A -Connection that names another store is an error.
/// </summary>
public abstract class StoreObjectCmdlet : MilvusOpsCmdlet
{
    /// <summary>An object piped from a store; its other properties bind to the parameters by name.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public StoreObject? InputObject { get; set; }

    private protected override MilvusConnection? PipedConnection => InputObject?.Connection;
}

/// <summary>
/// An operation on one collection: its name (or an alias) is the first parameter, and binds from a piped object's
/// Collection or Name, so Get-PatternCollection, Get-MilvusIndex and Get-MilvusLoadState pipe into it.
/// </summary>
public abstract class CollectionCmdlet : StoreObjectCmdlet
{
    /// <summary>The collection, or an alias of it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";
}
