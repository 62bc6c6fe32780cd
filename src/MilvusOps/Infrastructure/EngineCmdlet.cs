using System.Management.Automation;

namespace MilvusOps.Infrastructure;

/// <summary>
/// The base of every cmdlet that calls the engine: one cancellation token for Ctrl+C, and one mapping from engine
/// failures to ErrorRecords. Cmdlets that work on a store derive from <see cref="MilvusOpsCmdlet"/>; cmdlets that read
/// something else (a GPU's figures) from this.
/// </summary>
public abstract class EngineCmdlet : PSCmdlet
{
    // The token source stays undisposed: Ctrl+C may still call StopProcessing on another thread.
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Cancelled by Ctrl+C: every store call takes it, so a command stops within about a second.</summary>
    protected CancellationToken Cancellation => _stopping.Token;

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Whether a stopped pipeline was stopped by the user (Ctrl+C), not by a command downstream that has all it
    /// wants (Select-Object -First). The engine marks the pipeline stopping before it calls <see cref="StopProcessing"/>,
    /// so a write can throw before <see cref="Cancellation"/> is cancelled. Select-Object -First throws a subclass the
    /// SDK does not make public, hence the exact type.</summary>
    protected bool StoppedByUser(PipelineStoppedException stopped) =>
        Cancellation.IsCancellationRequested || stopped.GetType() == typeof(PipelineStoppedException);

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
        ErrorKind.InvalidResult => ErrorCategory.InvalidResult,
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

    /// <summary>
    /// Runs work that may wait for the server (a load, a build, a compaction) under one progress bar: the work reports
    /// each poll as a status line and a percentage (-1 when unknown), and the bar is completed when it ends.
    /// </summary>
    protected T WithProgress<T>(string activity, Func<Action<string, int>, T> work)
    {
        var progress = new ProgressRecord(1, activity, "Waiting for the server");
        bool shown = false;
        try
        {
            return work((status, percent) =>
            {
                progress.StatusDescription = status;
                progress.PercentComplete = Math.Clamp(percent, -1, 100);
                WriteProgress(progress);
                shown = true;
            });
        }
        finally
        {
            if (shown) WriteProgress(new ProgressRecord(1, activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
    }
}
