namespace MilvusOps.Model;

/// <summary>What went wrong, in terms the cmdlet layer maps onto a PowerShell ErrorCategory.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum ErrorKind
{
    InvalidArgument,
    InvalidData,
    ObjectNotFound,
    ResourceExists,
    ParserError,
    NotImplemented,
    ResourceUnavailable,
    PermissionDenied,
    ConnectionError,
    OperationTimeout,
    AuthenticationError,
    InvalidOperation,
    LimitsExceeded,
    OperationStopped,
    InvalidResult,
}

/// <summary>
/// Every failure the engine reports on purpose. <see cref="ErrorId"/> is stable: scripts and
/// Pester tests match on it, so never rename one.
/// </summary>
public class MilvusOpsException : Exception
{
    public MilvusOpsException(string errorId, ErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }
    public ErrorKind Kind { get; }

    /// <summary>The offending thing: a pattern id, a collection name, a file path, an expression.</summary>
    public object? Target { get; }
}
