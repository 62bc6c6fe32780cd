using Grpc.Core;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>
/// Maps Milvus failures onto stable ErrorIds and kinds: the Status of a response (2.3+ <c>code</c>, or the 2.2
/// <c>error_code</c> alone) and gRPC transport statuses. Every message keeps the server's reason.
/// </summary>
internal static class MilvusErrors
{
    // Status.code values (Milvus merr) the mapping distinguishes.
    public const int NotReady = 1;
    public const int Unavailable = 2;
    public const int TooManyRequests = 4;
    public const int RateLimit = 8;
    public const int QuotaExceeded = 9;
    public const int CollectionNotFound = 100;
    public const int CollectionNotLoaded = 101;
    public const int CollectionNotFullyLoaded = 103;
    public const int IndexNotFound = 700;
    public const int DatabaseNotFound = 800;
    public const int InvalidParameter = 1100;
    public const int AliasNotFound = 1600;
    public const int AliasCollectionNameConflict = 1601;
    public const int AliasExists = 1602;
    public const int ImportFailed = 2100;

    /// <summary>True when a failed status may succeed if the same call is sent again later.</summary>
    public static bool IsRetriable(int code, bool retriableFlag) =>
        retriableFlag || code is NotReady or Unavailable or TooManyRequests or RateLimit
            || code == (int)Rpc.ErrorCode.RateLimit || code == (int)Rpc.ErrorCode.NotReadyServe
            || code == (int)Rpc.ErrorCode.NotReadyCoordActivating;

    /// <summary>The exception for a failed status. <paramref name="legacy"/> is true when only the 2.2 error_code was set,
    /// so <paramref name="code"/> is an ErrorCode value.</summary>
    public static MilvusOpsException FromStatus(string method, int code, bool legacy, string reason, object? target, string server)
    {
        var said = string.IsNullOrWhiteSpace(reason) ? $"code {code}" : $"{reason} (code {code})";
        var (id, kind, text) = Describe(legacy ? Classify((Rpc.ErrorCode)code) : Classify(code));
        return new MilvusOpsException(id, kind, $"{text} Milvus at {server} answered {method}: {said}.", target);
    }

    /// <summary>What a failed status means, whichever generation of status said it.</summary>
    private enum Failure { ImportFailed, AliasNotFound, AliasConflict, CollectionNotFound, CollectionNotLoaded, IndexNotFound, DatabaseNotFound, InvalidParameter, PermissionDenied, RateLimited, QuotaExceeded, NotReady, ComponentUnreachable, Other }

    private static Failure Classify(int code) => code switch
    {
        CollectionNotFound => Failure.CollectionNotFound,
        CollectionNotLoaded or CollectionNotFullyLoaded => Failure.CollectionNotLoaded,
        IndexNotFound => Failure.IndexNotFound,
        AliasNotFound => Failure.AliasNotFound,
        AliasCollectionNameConflict or AliasExists => Failure.AliasConflict,
        DatabaseNotFound => Failure.DatabaseNotFound,
        InvalidParameter => Failure.InvalidParameter,
        ImportFailed => Failure.ImportFailed,
        TooManyRequests or RateLimit => Failure.RateLimited,
        QuotaExceeded => Failure.QuotaExceeded,
        NotReady or Unavailable => Failure.NotReady,
        _ => Failure.Other,
    };

    private static Failure Classify(Rpc.ErrorCode code) => code switch
    {
        Rpc.ErrorCode.CollectionNotExists or Rpc.ErrorCode.CollectionNameNotFound => Failure.CollectionNotFound,
        Rpc.ErrorCode.IndexNotExist => Failure.IndexNotFound,
        Rpc.ErrorCode.IllegalArgument or Rpc.ErrorCode.IllegalDimension or Rpc.ErrorCode.IllegalIndexType
            or Rpc.ErrorCode.IllegalCollectionName or Rpc.ErrorCode.IllegalTopk => Failure.InvalidParameter,
        Rpc.ErrorCode.PermissionDenied => Failure.PermissionDenied,
        Rpc.ErrorCode.RateLimit => Failure.RateLimited,
        Rpc.ErrorCode.MemoryQuotaExhausted or Rpc.ErrorCode.DiskQuotaExhausted => Failure.QuotaExceeded,
        Rpc.ErrorCode.NotReadyServe or Rpc.ErrorCode.NotReadyCoordActivating => Failure.NotReady,
        Rpc.ErrorCode.ConnectFailed => Failure.ComponentUnreachable,
        _ => Failure.Other,
    };

    private static (string ErrorId, ErrorKind Kind, string Text) Describe(Failure failure) => failure switch
    {
        Failure.CollectionNotFound => ("CollectionNotFound", ErrorKind.ObjectNotFound, "The collection does not exist."),
        Failure.CollectionNotLoaded => ("CollectionNotLoaded", ErrorKind.ResourceUnavailable, "The collection is not loaded."),
        Failure.IndexNotFound => ("IndexNotFound", ErrorKind.ObjectNotFound, "The collection has no index on its vector field."),
        Failure.AliasNotFound => ("AliasNotFound", ErrorKind.ObjectNotFound, "The alias does not exist."),
        Failure.AliasConflict => ("AliasConflict", ErrorKind.ResourceExists, "The alias is taken: by another collection's alias, or by a collection's name."),
        Failure.DatabaseNotFound => ("DatabaseNotFound", ErrorKind.ObjectNotFound, "The database does not exist."),
        Failure.ImportFailed => ("MilvusImportFailed", ErrorKind.InvalidOperation, "Milvus refused the import request."),
        Failure.InvalidParameter => ("MilvusInvalidParameter", ErrorKind.InvalidArgument, "Milvus refused a parameter."),
        Failure.PermissionDenied => ("MilvusPermissionDenied", ErrorKind.PermissionDenied, "The user lacks the privilege for this call."),
        Failure.RateLimited => ("MilvusRateLimited", ErrorKind.LimitsExceeded, "Milvus is rate-limiting this call; it was retried and still refused."),
        Failure.QuotaExceeded => ("MilvusQuotaExceeded", ErrorKind.LimitsExceeded, "A Milvus quota is exhausted (memory, disk or rate)."),
        Failure.NotReady => ("MilvusNotReady", ErrorKind.ResourceUnavailable, "Milvus is not ready to serve."),
        Failure.ComponentUnreachable => ("MilvusUnavailable", ErrorKind.ConnectionError, "Milvus could not reach one of its components."),
        _ => ("MilvusServerError", ErrorKind.InvalidOperation, "Milvus refused the call."),
    };

    /// <summary>True for transport failures worth another attempt: the server was unreachable or restarting. A failed
    /// TLS handshake is not: the same certificates fail the same way.</summary>
    public static bool IsRetriable(RpcException ex) => ex.StatusCode == StatusCode.Unavailable && TlsFailure(ex) is null;

    /// <summary>The TLS handshake failure behind a transport error, if that is what it was.</summary>
    private static System.Security.Authentication.AuthenticationException? TlsFailure(RpcException ex)
    {
        for (Exception? inner = ex.Status.DebugException; inner is not null; inner = inner.InnerException)
            if (inner is System.Security.Authentication.AuthenticationException tls)
                return tls;
        return null;
    }

    public static MilvusOpsException FromRpc(string method, RpcException ex, object? target, string server, int attempts)
    {
        var detail = string.IsNullOrWhiteSpace(ex.Status.Detail) ? ex.StatusCode.ToString() : ex.Status.Detail;
        var tries = attempts > 1 ? $" after {attempts} attempts" : "";
        if (TlsFailure(ex) is { } tls)
            return new MilvusOpsException("MilvusTlsFailed", ErrorKind.ConnectionError,
                $"The TLS handshake with Milvus at {server} failed: {tls.Message} {tls.InnerException?.Message} " +
                "If the server's certificate is signed by a private CA, pass it with -CertificatePath; if the server wants a client certificate, pass -ClientCertificatePath.",
                target, ex);
        return ex.StatusCode switch
        {
            StatusCode.Unauthenticated => new MilvusOpsException("MilvusAuthenticationFailed", ErrorKind.AuthenticationError,
                $"Milvus at {server} refused the credentials on {method}: {detail}. Check -Credential or -Token (authentication is on at this server).", target, ex),
            StatusCode.PermissionDenied => new MilvusOpsException("MilvusPermissionDenied", ErrorKind.PermissionDenied,
                $"Milvus at {server} denied {method}: {detail}.", target, ex),
            StatusCode.Unavailable => new MilvusOpsException("MilvusUnavailable", ErrorKind.ConnectionError,
                $"Cannot reach Milvus at {server}{tries} ({method}): {detail}. Is the server running and the port right? For the compose stack: docker compose ps.", target, ex),
            StatusCode.DeadlineExceeded => new MilvusOpsException("MilvusTimeout", ErrorKind.OperationTimeout,
                $"Milvus at {server} did not answer {method} within the timeout (-TimeoutSec on Connect-Milvus).", target, ex),
            StatusCode.ResourceExhausted => new MilvusOpsException("MilvusMessageTooLarge", ErrorKind.LimitsExceeded,
                $"Milvus at {server} refused {method} as too large or over a limit: {detail}.", target, ex),
            StatusCode.InvalidArgument => new MilvusOpsException("MilvusInvalidParameter", ErrorKind.InvalidArgument,
                $"Milvus at {server} refused {method}: {detail}.", target, ex),
            StatusCode.Unimplemented => new MilvusOpsException("MilvusRpcNotSupported", ErrorKind.NotImplemented,
                $"Milvus at {server} does not implement {method}: MilvusOps needs Milvus 2.3 or later (2.5 recommended). {detail}", target, ex),
            StatusCode.Cancelled => new MilvusOpsException("MilvusCallCancelled", ErrorKind.OperationStopped,
                $"{method} to Milvus at {server} was cancelled.", target, ex),
            _ => new MilvusOpsException("MilvusTransportError", ErrorKind.ConnectionError,
                $"{method} to Milvus at {server} failed{tries}: {ex.StatusCode}: {detail}.", target, ex),
        };
    }
}
