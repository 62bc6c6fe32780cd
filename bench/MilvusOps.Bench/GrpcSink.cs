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
/// port the OS picks. Every request, whatever its method, has its body drained and counted, never decoded, and
/// gets an empty message (a 5-byte frame header of length 0) with grpc-status 0, which a client reads as a
/// default response message. A Grpc.AspNetCore service would parse each 8 MB request into an UpsertRequest
/// before calling us, and that work would land on the same two cores as the client being measured.
/// </summary>
internal sealed class GrpcSink : IAsyncDisposable
{
    private static readonly byte[] EmptyMessage = new byte[5];
    private WebApplication? _app;
    private long _bytes;

    private GrpcSink() { }

    public Uri Address { get; private set; } = null!;

    /// <summary>Request body bytes received so far: gRPC frames, i.e. each message plus its 5-byte header.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytes);

    public static async Task<GrpcSink> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // A request is a whole batch; Kestrel's 30 MB default would cap --batch-mb.
            kestrel.Limits.MaxRequestBodySize = null;
            // 16 MB flow-control windows, the ceiling that Milvus's grpc-go server grows its own windows to on a
            // fast link (BDP estimation), so a whole request can be in flight without waiting for WINDOW_UPDATEs.
            kestrel.Limits.Http2.InitialConnectionWindowSize = 16 << 20;
            kestrel.Limits.Http2.InitialStreamWindowSize = 16 << 20;
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2);
        });
        var sink = new GrpcSink { _app = builder.Build() };
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
        Interlocked.Add(ref _bytes, count);
        context.Response.ContentType = "application/grpc";
        context.Response.AppendTrailer("grpc-status", "0");
        await context.Response.BodyWriter.WriteAsync(EmptyMessage).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
