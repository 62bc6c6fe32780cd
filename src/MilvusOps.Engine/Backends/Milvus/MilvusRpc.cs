using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>
/// One gRPC channel to a Milvus server and the rules every call follows: the authorization and database headers,
/// a deadline, bounded retries with backoff on retriable failures only, and the mapping of failures to
/// <see cref="MilvusOpsException"/>s.
/// </summary>
internal sealed class MilvusRpc : IDisposable
{
    /// <summary>Milvus answers up to 256 MB (proxy.grpc.serverMaxSendSize); the gRPC default of 4 MB fails on real results.</summary>
    public const int MaxReceiveBytes = 256 * 1024 * 1024;

    /// <summary>Milvus accepts requests up to 64 MB (proxy.grpc.serverMaxRecvSize): refuse larger ones before sending.</summary>
    public const int MaxSendBytes = 64 * 1024 * 1024;

    public const int MaxAttempts = 5;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);

    private readonly GrpcChannel _channel;
    private readonly global::Grpc.Core.Metadata _headers = new();
    private readonly string _server;

    public MilvusRpc(MilvusEndpoint endpoint)
    {
        Endpoint = endpoint;
        _server = endpoint.ToString();
        var handler = new SocketsHttpHandler
        {
            // Keepalive pings find a dead connection (a restarted server, a dropped NAT entry) before a call hangs on it.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = endpoint.Timeout,
            EnableMultipleHttp2Connections = true,
        };
        if (endpoint.UsesTls)
            handler.SslOptions = Tls.ClientOptions(endpoint);
        _channel = GrpcChannel.ForAddress(endpoint.Address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxReceiveBytes,
            MaxSendMessageSize = MaxSendBytes,
        });
        Client = new Rpc.MilvusService.MilvusServiceClient(_channel);
        if (endpoint.Authorization is { } authorization)
            _headers.Add("authorization", authorization);
        _headers.Add("dbname", endpoint.Database);
    }

    public MilvusEndpoint Endpoint { get; }
    public Rpc.MilvusService.MilvusServiceClient Client { get; }

    /// <summary>Adds the session identifier Connect returned; Milvus ties later calls to this client by it.</summary>
    public void SetIdentifier(long identifier) => _headers.Add("identifier", identifier.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>
    /// Sends a call and checks its status. Retries on gRPC UNAVAILABLE and on a status that is retriable (rate
    /// limits, not ready), at most <see cref="MaxAttempts"/> times with exponential backoff and jitter; each attempt has
    /// the endpoint's deadline. Calls that are not idempotent pass <paramref name="retry"/> false. Cancelling
    /// <paramref name="cancellation"/> ends the call, or the wait before a retry, at once.
    /// </summary>
    public TResponse Call<TResponse>(string method, object? target, CancellationToken cancellation,
        Func<Rpc.MilvusService.MilvusServiceClient, CallOptions, TResponse> call, Func<TResponse, Rpc.Status?> status, bool retry = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            cancellation.ThrowIfCancellationRequested();
            TResponse response;
            try
            {
                response = call(Client, new CallOptions(_headers, DateTime.UtcNow + Endpoint.Timeout, cancellation));
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellation.IsCancellationRequested)
            {
                throw new OperationCanceledException($"{method} was stopped.", ex, cancellation);
            }
            catch (RpcException ex)
            {
                if (retry && attempt < MaxAttempts && MilvusErrors.IsRetriable(ex))
                {
                    Backoff(attempt, cancellation);
                    continue;
                }
                throw MilvusErrors.FromRpc(method, ex, target, _server, attempt);
            }
            var s = status(response);
            var (ok, code, reason, retriable) = WireFormat.Check(s);
            if (ok)
                return response;
            if (retry && attempt < MaxAttempts && MilvusErrors.IsRetriable(code, retriable))
            {
                Backoff(attempt, cancellation);
                continue;
            }
            throw MilvusErrors.FromStatus(method, code, legacy: s!.Code == 0, reason, target, _server);
        }
    }

    /// <summary>A status-only call (the response is the status).</summary>
    public void Call(string method, object? target, CancellationToken cancellation,
        Func<Rpc.MilvusService.MilvusServiceClient, CallOptions, Rpc.Status> call, bool retry = true) =>
        Call(method, target, cancellation, call, s => s, retry);

    private static void Backoff(int attempt, CancellationToken cancellation)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, FirstBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1));
        cancellation.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() / 2)));
        cancellation.ThrowIfCancellationRequested();
    }

    public void Dispose() => _channel.Dispose();

    /// <summary>TLS settings: the system trust store, or only the given CA; a client certificate for mutual TLS.</summary>
    internal static class Tls
    {
        public static SslClientAuthenticationOptions ClientOptions(MilvusEndpoint endpoint)
        {
            var options = new SslClientAuthenticationOptions();
            if (endpoint.CertificateAuthorityPath is { } caPath)
            {
                var authorities = LoadAuthorities(caPath);
                options.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (errors == SslPolicyErrors.None)
                        return true;
                    // A name mismatch or a missing certificate stays fatal; only the chain is judged against the given CA.
                    if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != 0)
                        return false;
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(authorities);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                };
            }
            if (endpoint.ClientCertificatePath is { } certPath)
                options.ClientCertificates = [LoadClientCertificate(certPath, endpoint.ClientKeyPath)];
            return options;
        }

        private static X509Certificate2Collection LoadAuthorities(string path)
        {
            var authorities = new X509Certificate2Collection();
            try
            {
                if (File.ReadAllText(path).Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
                    authorities.ImportFromPemFile(path);
                else
                    authorities.Add(new X509Certificate2(path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new MilvusOpsException("CertificateUnreadable", ErrorKind.InvalidArgument,
                    $"The CA certificate file '{path}' cannot be read as PEM or DER: {ex.Message}", path, ex);
            }
            if (authorities.Count == 0)
                throw new MilvusOpsException("CertificateUnreadable", ErrorKind.InvalidArgument, $"The CA certificate file '{path}' holds no certificate.", path);
            return authorities;
        }

        private static X509Certificate2 LoadClientCertificate(string certPath, string? keyPath)
        {
            try
            {
                if (keyPath is null)
                    return new X509Certificate2(certPath);
                using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
                // SslStream on Windows needs a key it can persist; a PFX round trip gives it one on every platform.
                return new X509Certificate2(pem.Export(X509ContentType.Pkcs12));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new MilvusOpsException("CertificateUnreadable", ErrorKind.InvalidArgument,
                    $"The client certificate '{certPath}'{(keyPath is null ? "" : $" with key '{keyPath}'")} cannot be loaded: {ex.Message}", certPath, ex);
            }
        }
    }
}
