using System.Management.Automation;
using MilvusOps.Engine;

namespace MilvusOps.Infrastructure;

/// <summary>
/// The base of every data cmdlet: the -Connection parameter, the session default, and one mapping
/// from engine failures to ErrorRecords.
/// </summary>
public abstract class MilvusOpsCmdlet : PSCmdlet
{
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private MilvusConnection? _connection;

    /// <summary>A connection from Connect-Milvus, or a store path or server URI. Defaults to the session's connection.</summary>
    [Parameter]
    public ConnectionParameter? Connection { get; set; }

    /// <summary>The store to work on; resolved once per pipeline.</summary>
    protected IPatternStore Store => (_connection ??= ResolveConnection()).Store;

    private MilvusConnection ResolveConnection()
    {
        try
        {
            return Connection?.Resolve(this, DefaultTimeout)
                ?? SessionConnection.Current
                ?? throw new MilvusOpsException("NotConnected", ErrorKind.InvalidOperation,
                    "No connection. Run 'Connect-Milvus ./patterns.db' (embedded store) or 'Connect-Milvus http://host:19530' first, or pass -Connection.");
        }
        catch (MilvusOpsException ex)
        {
            ThrowTerminatingError(ToErrorRecord(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
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

    /// <summary>Runs an engine call whose failure ends the command.</summary>
    protected T Call<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (MilvusOpsException ex)
        {
            ThrowEngineError(ex);
            throw; // unreachable
        }
    }

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
    }
}
