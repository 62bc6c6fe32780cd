using System.Net.Http.Headers;

namespace MilvusOps.Engine.Stack;

/// <summary>One HTTP client for the stack's endpoints (health, metrics, webhooks): each request has its own time limit, a
/// cap on the body it reads, and Ctrl+C; and the one check of the addresses the cmdlets take.</summary>
public static class StackHttp
{
    /// <summary>A metrics page of a large cluster is a few MB; more than this is not a metrics page.</summary>
    internal const int MaxBodyBytes = 64 * 1024 * 1024;

    private static readonly HttpClient Client = NewClient(followRedirects: true);
    private static readonly HttpClient NoRedirects = NewClient(followRedirects: false);

    private static HttpClient NewClient(bool followRedirects) =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = followRedirects })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each request has its own limit, and Ctrl+C
            MaxResponseContentBufferSize = MaxBodyBytes,
        };

    /// <summary>An address an endpoint parameter takes: absolute http or https (localhost:2379 would read as a scheme).</summary>
    public static Uri Check(Uri uri, string parameter) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri
        : throw new MilvusOpsException("InvalidEndpointUri", ErrorKind.InvalidArgument,
            $"-{parameter} '{uri.OriginalString}' is not an http:// or https:// address, such as http://localhost:9091.", uri.OriginalString);

    /// <summary>GETs a page: its status code and body. A cancelled <paramref name="cancellation"/> throws; a request that
    /// outlasts <paramref name="timeout"/>, headers and body alike, throws TimeoutException; one that cannot connect or
    /// breaks off, HttpRequestException.</summary>
    internal static (int Status, string Body) Get(Uri uri, TimeSpan timeout, CancellationToken cancellation, bool asJson = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (asJson)
        {
            // Milvus answers /healthz in JSON when the request says its content is JSON.
            request.Content = new ByteArrayContent([]);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }
        return Send(Client, request, timeout, cancellation, response =>
        {
            // The body was read whole under the request's token (ResponseContentRead), within MaxResponseContentBufferSize.
            using var reader = new StreamReader(response.Content.ReadAsStream());
            return ((int)response.StatusCode, reader.ReadToEnd());
        });
    }

    /// <summary>POSTs a JSON body; returns the status code. Redirects are not followed: .NET would turn the POST into a GET,
    /// and that GET's 200 would pass for a delivered alert.</summary>
    internal static int Post(Uri uri, string json, TimeSpan timeout, CancellationToken cancellation)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        return Send(NoRedirects, request, timeout, cancellation, response => (int)response.StatusCode);
    }

    private static T Send<T>(HttpClient client, HttpRequestMessage request, TimeSpan timeout, CancellationToken cancellation, Func<HttpResponseMessage, T> read)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        limit.CancelAfter(timeout);
        try
        {
            using var response = client.Send(request, HttpCompletionOption.ResponseContentRead, limit.Token);
            return read(response);
        }
        // A cancelled read can surface as an IOException as well as a cancellation: whichever it is, Ctrl+C is a stop and
        // the limit a timeout.
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException && cancellation.IsCancellationRequested)
        {
            throw new OperationCanceledException("The call was stopped.", ex, cancellation);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException && limit.IsCancellationRequested)
        {
            throw new TimeoutException($"{request.RequestUri} did not answer within {timeout.TotalSeconds:0.#} s.", ex);
        }
        catch (IOException ex)
        {
            throw new HttpRequestException($"{request.RequestUri} broke off: {ex.Message}", ex); // a connection closed mid-body
        }
    }
}
