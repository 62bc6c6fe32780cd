using System.Diagnostics;
using System.Text;
using MilvusOps.Engine.Backends.Milvus;

namespace MilvusOps.Engine.Tests.Milvus;

/// <summary>What a connection puts on the wire and how it authenticates: TLS with a private CA, mutual TLS, the
/// authorization and dbname headers, and secrets that stay out of every error.</summary>
public sealed class TransportTests : IClassFixture<TransportTests.Certificates>
{
    public sealed class Certificates : IDisposable
    {
        public TestCertificates Files { get; } = new();
        public void Dispose() => Files.Dispose();
    }

    private readonly TestCertificates _certs;

    public TransportTests(Certificates certificates) => _certs = certificates.Files;

    private static MilvusEndpoint Endpoint(TlsResponder responder, string? database = null) =>
        MilvusEndpoint.Parse(responder.Address.ToString(), database) with { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Https_TrustsAServerSignedByTheGivenCa()
    {
        await using var server = await TlsResponder.Start(_certs.Server);
        using var store = MilvusStore.Connect(Endpoint(server) with { CertificateAuthorityPath = _certs.AuthorityPath });

        Assert.Equal(TlsResponder.Version, store.ServerVersion);
        Assert.Equal(["Connect", "GetVersion"], server.Calls.Select(c => c.Method));
    }

    [Fact]
    public async Task Https_WithoutTheCa_FailsOnceWithAnExplanation()
    {
        await using var server = await TlsResponder.Start(_certs.Server);
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<MilvusOpsException>(() => MilvusStore.Connect(Endpoint(server)));

        Assert.Equal("MilvusTlsFailed", ex.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
        Assert.Contains("-CertificatePath", ex.Message, StringComparison.Ordinal);
        Assert.Empty(server.Calls);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"a handshake failure is not retried; it took {clock.Elapsed}");
    }

    [Fact]
    public async Task MutualTls_SendsTheClientCertificate_AsPemOrPfx()
    {
        await using var server = await TlsResponder.Start(_certs.Server, clientAuthority: _certs.Authority);
        var trusted = Endpoint(server) with { CertificateAuthorityPath = _certs.AuthorityPath };

        using (var pem = MilvusStore.Connect(trusted with { ClientCertificatePath = _certs.ClientCertificatePath, ClientKeyPath = _certs.ClientKeyPath }))
            Assert.Equal(TlsResponder.Version, pem.ServerVersion);
        using (var pfx = MilvusStore.Connect(trusted with { ClientCertificatePath = _certs.ClientPfxPath }))
            Assert.Equal(TlsResponder.Version, pfx.ServerVersion);

        var refused = Assert.Throws<MilvusOpsException>(() => MilvusStore.Connect(trusted));
        Assert.Equal(ErrorKind.ConnectionError, refused.Kind);
    }

    [Fact]
    public void AnUnreadableCaFile_IsAClearArgumentError()
    {
        var path = Path.Combine(_certs.Folder, "not-a-cert.pem");
        File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
        var ex = Assert.Throws<MilvusOpsException>(() => MilvusStore.Connect(MilvusEndpoint.Parse("https://localhost:1") with { CertificateAuthorityPath = path }));
        Assert.Equal("CertificateUnreadable", ex.ErrorId);
        Assert.Equal(path, ex.Target);
    }

    [Fact]
    public async Task EveryCall_CarriesTheAuthorizationAndTheDatabase()
    {
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:correct horse"));
        await using var server = await TlsResponder.Start(null, requiredAuthorization: expected);
        using var store = MilvusStore.Connect(Endpoint(server, "patterns").WithCredential("alice", "correct horse"));

        Assert.Equal("patterns", store.Database);
        Assert.All(server.Calls, call => Assert.Equal((expected, "patterns"), (call.Authorization, call.Database)));
        Assert.Equal(2, server.Calls.Count);
    }

    [Fact]
    public async Task AWrongPassword_IsAnAuthenticationError_ThatNeverShowsTheSecret()
    {
        const string password = "Sup3r-Secret-pw";
        var required = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:another"));
        await using var server = await TlsResponder.Start(null, requiredAuthorization: required);
        var endpoint = Endpoint(server).WithCredential("alice", password);

        var ex = Assert.Throws<MilvusOpsException>(() => MilvusStore.Connect(endpoint));

        Assert.Equal("MilvusAuthenticationFailed", ex.ErrorId);
        Assert.Equal(ErrorKind.AuthenticationError, ex.Kind);
        Assert.Single(server.Calls);   // refused credentials are not retried
        var everything = $"{ex} {ex.Target} {endpoint}";
        Assert.DoesNotContain(password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(endpoint.Authorization!, everything, StringComparison.Ordinal);
    }
}
