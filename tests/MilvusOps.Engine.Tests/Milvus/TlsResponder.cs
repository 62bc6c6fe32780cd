using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Tests.Milvus;

/// <summary>
/// An in-process HTTP/2 server (Kestrel) that answers the two calls a connection makes, Connect and GetVersion, so
/// the transport can be tested where no Milvus runs: TLS with a private CA, mutual TLS, and the authorization and
/// dbname headers. It records every call's headers, and refuses a wrong authorization with UNAUTHENTICATED.
/// </summary>
internal sealed class TlsResponder : IAsyncDisposable
{
    public const string Version = "v2.5.27";
    private readonly WebApplication _app;

    private TlsResponder(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }
    public ConcurrentQueue<(string Method, string? Authorization, string? Database)> Calls { get; } = new();

    /// <summary>Starts on 127.0.0.1 with <paramref name="serverCertificate"/> (plain HTTP/2 when null). A non-null
    /// <paramref name="clientAuthority"/> demands a client certificate it signed.</summary>
    public static async Task<TlsResponder> Start(X509Certificate2? serverCertificate, X509Certificate2? clientAuthority = null, string? requiredAuthorization = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (serverCertificate is null)
                return;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                if (clientAuthority is null)
                    return;
                https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(clientAuthority);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate);
                };
            });
        }));
        var app = builder.Build();
        TlsResponder? responder = null;
        app.MapPost("/milvus.proto.milvus.MilvusService/{method}", async (HttpContext context, string method) =>
        {
            string? authorization = context.Request.Headers["authorization"];
            responder!.Calls.Enqueue((method, authorization, context.Request.Headers["dbname"]));
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/grpc";
            if (requiredAuthorization is not null && authorization != requiredAuthorization)
            {
                // Trailers-only response, as a gRPC server sends a call it refuses outright.
                context.Response.Headers["grpc-status"] = "16";
                context.Response.Headers["grpc-message"] = "auth check failure, please check username and password are correct";
                return;
            }
            IMessage answer = method switch
            {
                "Connect" => new Rpc.ConnectResponse { Status = new(), Identifier = 7 },
                "GetVersion" => new Rpc.GetVersionResponse { Status = new(), Version = Version },
                _ => new Rpc.Status { Code = 1100, Reason = $"{method} is not served here" },
            };
            var payload = answer.ToByteArray();
            var frame = new byte[5 + payload.Length];
            BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
            payload.CopyTo(frame, 5);
            context.Response.AppendTrailer("grpc-status", "0");
            await context.Response.Body.WriteAsync(frame);
        });
        await app.StartAsync();
        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        var scheme = serverCertificate is null ? "http" : "https";
        // The certificate names localhost, so the client must use that name, not the IP.
        responder = new TlsResponder(app, new Uri($"{scheme}://localhost:{bound.Port}"));
        return responder;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}

/// <summary>A private CA and the certificates it signs, written as PEM files the way an operator receives them.</summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates()
    {
        Folder = Directory.CreateTempSubdirectory("milvusops-tls-").FullName;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=MilvusOps Test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Authority = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        Server = Issue("CN=localhost", serverAuth: true);
        Client = Issue("CN=milvusops-client", serverAuth: false);
        AuthorityPath = Write("ca.pem", Authority.ExportCertificatePem());
        ClientCertificatePath = Write("client.pem", Client.ExportCertificatePem());
        ClientKeyPath = Write("client.key", Client.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        ClientPfxPath = Path.Combine(Folder, "client.pfx");
        File.WriteAllBytes(ClientPfxPath, Client.Export(X509ContentType.Pkcs12));
    }

    public string Folder { get; }
    public X509Certificate2 Authority { get; }
    public X509Certificate2 Server { get; }
    public X509Certificate2 Client { get; }
    public string AuthorityPath { get; }
    public string ClientCertificatePath { get; }
    public string ClientKeyPath { get; }
    public string ClientPfxPath { get; }

    private X509Certificate2 Issue(string subject, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        using var signed = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(8));
        using var withKey = signed.CopyWithPrivateKey(key);
        // A PKCS#12 round trip gives SslStream a key it can use on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private string Write(string name, string pem)
    {
        var path = Path.Combine(Folder, name);
        File.WriteAllText(path, pem);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
