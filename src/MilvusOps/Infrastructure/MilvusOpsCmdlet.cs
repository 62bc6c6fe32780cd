using System.Management.Automation;
using MilvusOps.Engine.Session;

namespace MilvusOps.Infrastructure;

/// <summary>
/// The base of every data cmdlet: the -Connection parameter and the session default, the lifetime of connections a
/// command opens itself, one cancellation token for Ctrl+C, and one mapping from engine failures to ErrorRecords.
/// </summary>
public abstract class MilvusOpsCmdlet : PSCmdlet, IDisposable
{
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private readonly CancellationTokenSource _stopping = new();
    private MilvusConnection? _given;
    private bool _ownsGiven;
    private PatternSession? _session;
    private readonly Dictionary<MilvusConnection, MilvusConnection> _reopened = new(ReferenceEqualityComparer.Instance);

    /// <summary>A connection from Connect-Milvus, or a store path or server URI (opened for this command and closed when it
    /// ends). Defaults to the session's connection.</summary>
    [Parameter]
    public ConnectionParameter? Connection { get; set; }

    /// <summary>Cancelled by Ctrl+C: every store call takes it, so a command stops within about a second.</summary>
    protected CancellationToken Cancellation => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

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
            if (Connection is null) return piped.State == System.Data.ConnectionState.Closed && piped.Reopen is { } reopen ? Reopened(piped, reopen) : piped;
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
    private MilvusConnection Given => _given ??= Call(() =>
    {
        if (Connection is null)
            return SessionConnection.Current ?? throw new MilvusOpsException("NotConnected", ErrorKind.InvalidOperation,
                "No connection. Run 'Connect-Milvus ./patterns.db' (an embedded store; add -Create for a new one) or 'Connect-Milvus http://host:19530' first, or pass -Connection.");
        return Connection.Resolve(this, DefaultTimeout, Cancellation, out _ownsGiven);
    });

    /// <summary>Writes an object with the connection it came from, so the next cmdlet acts on the same store.</summary>
    protected void WriteStoreObject(StoreObject item)
    {
        item.Connection = Target;
        WriteObject(item);
    }

    internal static ErrorRecord ToErrorRecord(MilvusOpsException ex, object? target = null) =>
        new(ex, ex.ErrorId, CategoryOf(ex.Kind), target ?? ex.Target);

    private static ErrorCategory CategoryOf(ErrorKind kind) => kind switch
    {
        ErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
        ErrorKind.InvalidData => ErrorCategory.InvalidData,
        ErrorKind.ObjectNotFound => ErrorCategory.ObjectNotFound,
        ErrorKind.ResourceExists => ErrorCategory.ResourceExists,
        ErrorKind.ParserError => ErrorCategory.ParserError,
        ErrorKind.NotImplemented => ErrorCategory.NotImplemented,
        ErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
        ErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
        ErrorKind.ConnectionError => ErrorCategory.ConnectionError,
        ErrorKind.OperationTimeout => ErrorCategory.OperationTimeout,
        ErrorKind.AuthenticationError => ErrorCategory.AuthenticationError,
        ErrorKind.LimitsExceeded => ErrorCategory.LimitsExceeded,
        ErrorKind.OperationStopped => ErrorCategory.OperationStopped,
        _ => ErrorCategory.InvalidOperation,
    };

    /// <summary>A failure of one item: reported, and the pipeline goes on (unless -ErrorAction Stop).</summary>
    protected void WriteEngineError(MilvusOpsException ex, object? target = null) => WriteError(ToErrorRecord(ex, target));

    /// <summary>A failure that makes the whole command unusable.</summary>
    protected void ThrowEngineError(MilvusOpsException ex, object? target = null) => ThrowTerminatingError(ToErrorRecord(ex, target));

    /// <summary>Runs an engine call whose failure ends the command; Ctrl+C during it stops the pipeline.</summary>
    protected T Call<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (MilvusOpsException ex)
        {
            ThrowEngineError(ex);
            throw; // unreachable: ThrowTerminatingError always throws
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (ObjectDisposedException ex)
        {
            ThrowEngineError(ClosedWhileInUse(ex));
            throw; // unreachable
        }
    }

    /// <summary>Another runspace closed the connection (Disconnect-Milvus) while this command was using it.</summary>
    private static MilvusOpsException ClosedWhileInUse(ObjectDisposedException ex) =>
        new("ConnectionClosed", ErrorKind.InvalidOperation, "The connection was closed (Disconnect-Milvus) while this command was using it.", null, ex);

    protected void Call(Action work) => Call(() => { work(); return 0; });

    /// <summary>Runs an engine call for one item; a failure is written as a non-terminating error.</summary>
    protected bool TryCall(Action work, object? target = null)
    {
        try
        {
            work();
            return true;
        }
        catch (MilvusOpsException ex)
        {
            WriteEngineError(ex, target);
            return false;
        }
        catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (ObjectDisposedException ex)
        {
            WriteEngineError(ClosedWhileInUse(ex), target);
            return false;
        }
    }

    /// <summary>Closes a connection this command opened from a URI, at the end of its pipeline.</summary>
    public void Dispose()
    {
        if (_ownsGiven) _given?.Close();
        foreach (var connection in _reopened.Values) connection.Close();
        // The token source stays undisposed: Ctrl+C may still call StopProcessing on another thread.
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
