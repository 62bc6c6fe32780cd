using System.Net.Http.Headers;

namespace MilvusOps.Engine.Stack;

/// <summary>One HTTP client for the stack's endpoints (health, metrics): each request has its own time limit, a cap on the
/// body it reads, and Ctrl+C.</summary>
internal static class StackHttp
{
    /// <summary>A metrics page of a large cluster is a few MB; more than this is not a metrics page.</summary>
    internal const int MaxBodyBytes = 64 * 1024 * 1024;

    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // each request has its own limit, and Ctrl+C
        MaxResponseContentBufferSize = MaxBodyBytes,
    };

    /// <summary>GETs a page: its status code and body. A cancelled <paramref name="cancellation"/> throws; a request that
    /// outlasts <paramref name="timeout"/> throws TimeoutException; one that cannot connect, HttpRequestException.</summary>
    public static (int Status, string Body) Get(Uri uri, TimeSpan timeout, CancellationToken cancellation, bool asJson = false)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (asJson)
            {
                // Milvus answers /healthz in JSON when the request says its content is JSON.
                request.Content = new ByteArrayContent([]);
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            }
            using var response = Client.Send(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            if (response.Content.Headers.ContentLength > MaxBodyBytes)
                throw new HttpRequestException($"{uri} answered {response.Content.Headers.ContentLength} bytes, over the {MaxBodyBytes / (1024 * 1024)} MB a page may have.");
            using var body = response.Content.ReadAsStream(limit.Token);
            using var reader = new StreamReader(new CappedStream(body, MaxBodyBytes, uri));
            return ((int)response.StatusCode, reader.ReadToEnd());
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"{uri} did not answer within {timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>POSTs a JSON body; returns the status code.</summary>
    public static int Post(Uri uri, string json, TimeSpan timeout, CancellationToken cancellation)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
            using var response = Client.Send(request, HttpCompletionOption.ResponseHeadersRead, limit.Token);
            return (int)response.StatusCode;
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {timeout.TotalSeconds:0.#} s.");
        }
    }

    /// <summary>Reads at most a cap of bytes, then fails: a server that streams without end cannot fill the memory.</summary>
    private sealed class CappedStream(Stream inner, long cap, Uri uri) : Stream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            if ((_read += n) > cap) throw new HttpRequestException($"{uri} sent more than the {cap / (1024 * 1024)} MB a page may have.");
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
