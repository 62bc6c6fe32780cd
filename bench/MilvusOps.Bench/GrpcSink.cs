using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace MilvusOps.Bench;

/// <summary>
/// An in-process gRPC endpoint that costs as little as possible: Kestrel, HTTP/2 cleartext on 127.0.0.1 and a
/// port the OS picks. Every request has its body drained and counted, never decoded. A method with a canned
/// answer (by request path) gets that frame; any other gets an empty message (a 5-byte frame header of length 0),
/// which a client reads as a default response message. Either way grpc-status is 0. A Grpc.AspNetCore service
/// would parse each 8 MB request into an UpsertRequest before calling us, and that work would land on the same
/// two cores as the client being measured.
/// </summary>
internal sealed class GrpcSink : IAsyncDisposable
{
    private static readonly byte[] EmptyMessage = new byte[5];
    private readonly IReadOnlyDictionary<string, byte[]> _answers;
    private WebApplication? _app;
    private long _bytes, _requests, _metadata;

    private GrpcSink(IReadOnlyDictionary<string, byte[]> answers) => _answers = answers;

    public Uri Address { get; private set; } = null!;

    /// <summary>Request body bytes received so far: gRPC frames, i.e. each message plus its 5-byte header. The requests
    /// with a canned answer (the store's DescribeCollection and DescribeIndex before each write) are not counted.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytes);

    /// <summary>Requests answered so far, of the methods without a canned answer: the writes.</summary>
    public long RequestsReceived => Interlocked.Read(ref _requests);

    /// <summary>Requests with a canned answer: the metadata calls.</summary>
    public long MetadataRequests => Interlocked.Read(ref _metadata);

    /// <summary>Runs once a request's body is drained, while the caller still holds the message it sent.</summary>
    public Action? OnRequest { get; set; }

    /// <summary>A message as the body of a gRPC response: not compressed, its length big-endian, then its bytes.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message)
    {
        var frame = new byte[5 + message.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
        message.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <param name="answers">Whole response frames (<see cref="Frame"/>) by request path, e.g. "/package.Service/Method".</param>
    public static async Task<GrpcSink> StartAsync(IReadOnlyDictionary<string, byte[]>? answers = null)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // A request may be as large as Milvus accepts (64 MB); Kestrel's 30 MB default would refuse some.
            kestrel.Limits.MaxRequestBodySize = null;
            // 16 MB flow-control windows, the ceiling that Milvus's grpc-go server grows its own windows to on a
            // fast link (BDP estimation), so a whole request can be in flight without waiting for WINDOW_UPDATEs.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 16 << 20;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        var sink = new GrpcSink(answers ?? new Dictionary<string, byte[]>()) { _app = builder.Build() };
        sink._app.Run(sink.Answer);
        await sink._app.StartAsync().ConfigureAwait(false);
        sink.Address = new Uri(sink._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        return sink;
    }

    private async Task Answer(HttpContext context)
    {
        PipeReader body = context.Request.BodyReader;
        long count = 0;
        while (true)
        {
            ReadResult read = await body.ReadAsync().ConfigureAwait(false);
            count += read.Buffer.Length;
            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) break;
        }
        bool metadata = _answers.TryGetValue(context.Request.Path.Value ?? "", out var canned);
        if (metadata)
        {
            Interlocked.Increment(ref _metadata);
        }
        else
        {
            Interlocked.Add(ref _bytes, count);
            Interlocked.Increment(ref _requests);
            OnRequest?.Invoke();
        }
        context.Response.ContentType = "application/grpc";
        context.Response.AppendTrailer("grpc-status", "0");
        byte[] answer = metadata ? canned! : EmptyMessage;
        await context.Response.BodyWriter.WriteAsync(answer).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
