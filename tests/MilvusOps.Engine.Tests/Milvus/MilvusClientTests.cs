using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using MilvusOps.Engine.Backends.Milvus;
using WireFormat = MilvusOps.Engine.Backends.Milvus.WireFormat;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Tests.Milvus;

/// <summary>The client's rules that need no server: endpoints, error mapping, request sizing, and an unreachable server.</summary>
public class MilvusClientTests
{
    [Theory]
    [InlineData("http://localhost", "localhost", 19530)]
    [InlineData("http://localhost:19531", "localhost", 19531)]
    [InlineData("https://milvus.example.com", "milvus.example.com", 19530)]
    [InlineData("https://milvus.example.com:443", "milvus.example.com", 443)]
    [InlineData("http://127.0.0.1:80", "127.0.0.1", 80)]
    [InlineData("http://[::1]:19530/", "[::1]", 19530)]
    public void Endpoint_DefaultsThePortTo19530OnlyWhenTheUriNamesNone(string uri, string host, int port)
    {
        var endpoint = MilvusEndpoint.Parse(uri);
        Assert.Equal((host, port), (endpoint.Address.Host, endpoint.Address.Port));
        Assert.Equal("default", endpoint.Database);
        Assert.Equal(uri.StartsWith("https", StringComparison.Ordinal), endpoint.UsesTls);
    }

    [Theory]
    [InlineData("ftp://host:21", "InvalidServerUri")]
    [InlineData("http://host:19530/some/path", "InvalidServerUri")]
    [InlineData("http://root:Sup3rSecret@host:19530", "CredentialsInUri")]
    public void Endpoint_RefusesWhatIsNotAServerAddress(string uri, string errorId)
    {
        var ex = Assert.Throws<MilvusOpsException>(() => MilvusEndpoint.Parse(uri));
        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.DoesNotContain("Sup3rSecret", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sup3rSecret", ex.Target?.ToString() ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_ChecksTheDatabaseName()
    {
        Assert.Equal("patterns", MilvusEndpoint.Parse("http://h", "patterns").Database);
        Assert.Equal("InvalidDatabaseName", Assert.Throws<MilvusOpsException>(() => MilvusEndpoint.Parse("http://h", "no-dashes")).ErrorId);
    }

    [Fact]
    public void Endpoint_KeepsTheSecretOutOfEveryPrintedForm()
    {
        var endpoint = MilvusEndpoint.Parse("https://h:19530", "db1").WithCredential("alice", "Sup3rSecret!");
        Assert.Equal("alice", endpoint.User);
        Assert.Equal(Convert.ToBase64String("alice:Sup3rSecret!"u8.ToArray()), endpoint.Authorization);
        foreach (var text in new[] { endpoint.ToString(), $"{endpoint}", string.Join("|", typeof(MilvusEndpoint).GetProperties().Where(p => p.GetMethod!.IsPublic).Select(p => p.GetValue(endpoint)?.ToString())) })
        {
            Assert.DoesNotContain("Sup3rSecret", text, StringComparison.Ordinal);
            Assert.DoesNotContain(endpoint.Authorization!, text, StringComparison.Ordinal);
        }
        var token = MilvusEndpoint.Parse("https://h").WithToken("api-key-123");
        Assert.True(token.HasToken);
        Assert.Null(token.User);
        Assert.Equal(Convert.ToBase64String("api-key-123"u8.ToArray()), token.Authorization);
        Assert.DoesNotContain("api-key-123", token.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100, "CollectionNotFound", ErrorKind.ObjectNotFound)]
    [InlineData(101, "CollectionNotLoaded", ErrorKind.ResourceUnavailable)]
    [InlineData(700, "IndexNotFound", ErrorKind.ObjectNotFound)]
    [InlineData(800, "DatabaseNotFound", ErrorKind.ObjectNotFound)]
    [InlineData(1100, "MilvusInvalidParameter", ErrorKind.InvalidArgument)]
    [InlineData(8, "MilvusRateLimited", ErrorKind.LimitsExceeded)]
    [InlineData(9, "MilvusQuotaExceeded", ErrorKind.LimitsExceeded)]
    [InlineData(65535, "MilvusServerError", ErrorKind.InvalidOperation)]
    public void CurrentStatusCodes_MapToStableIdsAndKeepTheReason(int code, string errorId, ErrorKind kind)
    {
        var ex = MilvusErrors.FromStatus("Query", code, legacy: false, "the server's own words", "c1", "http://h:19530");
        Assert.Equal((errorId, kind), (ex.ErrorId, ex.Kind));
        Assert.Contains("the server's own words", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"code {code}", ex.Message, StringComparison.Ordinal);
        Assert.Equal("c1", ex.Target);
    }

    [Theory]
    [InlineData(4, "CollectionNotFound", ErrorKind.ObjectNotFound)]         // CollectionNotExists
    [InlineData(5, "MilvusInvalidParameter", ErrorKind.InvalidArgument)]    // IllegalArgument
    [InlineData(3, "MilvusPermissionDenied", ErrorKind.PermissionDenied)]   // PermissionDenied
    [InlineData(49, "MilvusRateLimited", ErrorKind.LimitsExceeded)]         // RateLimit
    [InlineData(1, "MilvusServerError", ErrorKind.InvalidOperation)]        // UnexpectedError
    public void LegacyErrorCodes_MapLikeTheirCurrentCodes(int legacy, string errorId, ErrorKind kind)
    {
        var (ok, code, reason, _) = WireFormat.Check(new Rpc.Status { ErrorCode = (Rpc.ErrorCode)legacy, Reason = "2.2 says no" });
        Assert.False(ok);
        var ex = MilvusErrors.FromStatus("Search", code, legacy: true, reason, null, "http://h:19530");
        Assert.Equal((errorId, kind), (ex.ErrorId, ex.Kind));
        Assert.Contains("2.2 says no", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(StatusCode.Unauthenticated, "MilvusAuthenticationFailed", ErrorKind.AuthenticationError)]
    [InlineData(StatusCode.Unavailable, "MilvusUnavailable", ErrorKind.ConnectionError)]
    [InlineData(StatusCode.DeadlineExceeded, "MilvusTimeout", ErrorKind.OperationTimeout)]
    [InlineData(StatusCode.InvalidArgument, "MilvusInvalidParameter", ErrorKind.InvalidArgument)]
    [InlineData(StatusCode.ResourceExhausted, "MilvusMessageTooLarge", ErrorKind.LimitsExceeded)]
    [InlineData(StatusCode.PermissionDenied, "MilvusPermissionDenied", ErrorKind.PermissionDenied)]
    public void GrpcStatuses_MapToCategories(StatusCode status, string errorId, ErrorKind kind)
    {
        var ex = MilvusErrors.FromRpc("Search", new RpcException(new Status(status, "transport detail")), "c", "http://h:19530", 1);
        Assert.Equal((errorId, kind), (ex.ErrorId, ex.Kind));
        Assert.IsType<RpcException>(ex.InnerException);
    }

    [Theory]
    [InlineData(8, false, true)]
    [InlineData(1, false, true)]
    [InlineData(1100, false, false)]
    [InlineData(100, false, false)]
    [InlineData(65535, true, true)]   // the server's retriable flag wins
    [InlineData((int)Rpc.ErrorCode.RateLimit, false, true)]
    public void OnlyRetriableFailuresAreRetried(int code, bool flag, bool retriable) =>
        Assert.Equal(retriable, MilvusErrors.IsRetriable(code, flag));

    [Theory]
    [InlineData(512, 20_000)]
    [InlineData(4, 100_000)]
    [InlineData(4096, 5_000)]
    public void UpsertBatches_StayUnderTheTargetSizeAndKeepEveryRowInOrder(int dimension, int rows)
    {
        var random = new Random(dimension);
        var patterns = Enumerable.Range(0, rows).Select(i => new Pattern($"pattern_{i:D7}",
            Enumerable.Range(0, dimension).Select(_ => random.NextSingle()).ToArray(), i % 3 == 0 ? null : "resonance",
            """{"quantum_coherence":0.95,"phase_alignment":0.91}""", i % 5 == 0 ? null : """{"observed_at":"2024-05-01T10:00:00Z"}""")).ToList();

        var batches = MilvusStore.Batches(patterns).ToList();
        var sizes = batches.Select(b => WireFormat.UpsertRequest("patterns", b).CalculateSize()).ToList();

        Assert.Equal(patterns.Select(p => p.PatternId), batches.SelectMany(b => b).Select(p => p.PatternId));
        Assert.All(sizes, size => Assert.InRange(size, 1, MilvusStore.MaxUpsertBytes));
        // Full requests are close to the limit, so a large write sends many MB per request, not a few KB.
        Assert.All(sizes.SkipLast(1), size => Assert.True(size > MilvusStore.MaxUpsertBytes * 0.9, $"a request of {size} bytes"));
        Assert.True(sizes.Max() < MilvusRpc.MaxSendBytes / 4);
    }

    [Fact]
    public void AWritersBatch_GoesAsOneRequest_AndItsSizeEstimateHolds()
    {
        var random = new Random(7);
        var batch = new List<Pattern>();
        long estimated = 0;
        for (var i = 0; estimated < WriteBatch.MaxBytes; i++)
        {
            // The importer's cut: add rows until the batch reaches WriteBatch.MaxBytes.
            var pattern = new Pattern($"legacy-ü-{i}", Enumerable.Range(0, 512).Select(_ => random.NextSingle()).ToArray(), i % 2 == 0 ? "résonance" : null,
                """{"quantum_coherence":0.95,"note":"ü✓"}""", """{"observed_at":"2024-05-01T10:00:00Z"}""");
            batch.Add(pattern);
            estimated += WriteBatch.SizeOf(pattern);
        }

        Assert.Single(MilvusStore.Batches(batch));
        var encoded = WireFormat.UpsertRequest("patterns", batch).CalculateSize();
        Assert.InRange(encoded, estimated * 0.95, estimated);   // an upper bound, and a close one
    }

    [Fact]
    public void QueryPages_HoldAboutTheTargetBytes()
    {
        Assert.InRange(MilvusStore.PageRows(512) * (512 * 4 + 512L), MilvusStore.TargetMessageBytes * 0.99, MilvusStore.TargetMessageBytes);
        Assert.InRange(MilvusStore.PageRows(4), 15_000, 16_383);   // Milvus refuses a query whose offset + limit reaches 16384
        Assert.Equal(16_383, MilvusStore.PageRows(0));              // a scan without vectors pages at the window's edge
        Assert.Equal(100, MilvusStore.PageRows(32_768));             // a floor, so huge vectors still page forward
    }

    [Fact]
    public void AnUnreachableServer_IsAConnectionErrorAfterBoundedRetries()
    {
        // A port that was just free: nothing listens, so every attempt is refused at once.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<MilvusOpsException>(() => MilvusStore.Connect(MilvusEndpoint.Parse($"http://127.0.0.1:{port}") with { Timeout = TimeSpan.FromSeconds(5) }));
        clock.Stop();

        Assert.Equal("MilvusUnavailable", ex.ErrorId);
        Assert.Equal(ErrorKind.ConnectionError, ex.Kind);
        Assert.Contains($"after {MilvusRpc.MaxAttempts} attempts", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        // Four backoffs of 0.2 to 1.6 s with jitter: bounded, well under a minute.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20));
    }
}
