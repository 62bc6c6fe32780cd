using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>
/// Milvus's bulk-import jobs over its REST API (v2, /v2/vectordb/jobs/import/...), which 2.5 offers in place of a gRPC
/// call. The REST API answers on the gRPC port unless the server moves it (proxy.http.port). Requests carry the
/// connection's database and its credentials as a bearer token; a refusal is the same merr code as over gRPC, so it maps
/// to the same ErrorIds.
/// </summary>
internal sealed class MilvusImportJobs : IDisposable
{
    /// <summary>Milvus takes at most this many files in one import request.</summary>
    public const int MaxFilesPerJob = 1024;

    private readonly MilvusEndpoint _endpoint;
    private readonly HttpClient _client;

    public MilvusImportJobs(MilvusEndpoint endpoint)
    {
        _endpoint = endpoint;
        var handler = new SocketsHttpHandler { ConnectTimeout = endpoint.Timeout, AllowAutoRedirect = false };
        if (endpoint.UsesTls) handler.SslOptions = MilvusRpc.Tls.ClientOptions(endpoint);
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public void Dispose() => _client.Dispose();

    public string Start(string collection, IReadOnlyList<string> files, Uri? restUri, CancellationToken cancellation)
    {
        using var data = Post("create", restUri, collection, cancellation, writer =>
        {
            writer.WriteString("collectionName", collection);
            writer.WriteStartArray("files");
            foreach (string file in files)
            {
                writer.WriteStartArray();   // one Parquet file per inner list
                writer.WriteStringValue(file);
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
        });
        return Text(data.RootElement, "jobId") ?? throw Unreadable("create", "no jobId", collection);
    }

    public ImportJob Describe(string jobId, Uri? restUri, CancellationToken cancellation)
    {
        using var data = Post("get_progress", restUri, jobId, cancellation, writer => writer.WriteString("jobId", jobId));
        return ToJob(data.RootElement, jobId);
    }

    public IReadOnlyList<ImportJob> List(string? collection, Uri? restUri, CancellationToken cancellation)
    {
        using var data = Post("list", restUri, collection, cancellation, writer =>
        {
            if (collection is not null) writer.WriteString("collectionName", collection);
        });
        return data.RootElement.TryGetProperty("records", out var records) && records.ValueKind == JsonValueKind.Array
            ? records.EnumerateArray().Select(r => ToJob(r, null)).ToList()
            : [];
    }

    private static ImportJob ToJob(JsonElement job, string? asked) => new()
    {
        JobId = Text(job, "jobId") ?? asked ?? "",
        Collection = Text(job, "collectionName") ?? "",
        State = Text(job, "state") ?? "",
        Progress = (int)Number(job, "progress"),
        ImportedRows = Number(job, "importedRows"),
        TotalRows = Number(job, "totalRows"),
        Reason = Text(job, "reason") is { Length: > 0 } reason ? reason : null,
        CompleteTime = Text(job, "completeTime") is { Length: > 0 } time ? time : null,
        Files = job.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array
            ? details.EnumerateArray().Select(d => new ImportJobFile(Text(d, "fileName") ?? "", Text(d, "state") ?? "", (int)Number(d, "progress"),
                Number(d, "importedRows"), Number(d, "totalRows"), Text(d, "reason") ?? "")).ToList()
            : [],
    };

    /// <summary>POSTs one request and returns its <c>data</c>; a non-zero <c>code</c> is the server's refusal.</summary>
    private JsonDocument Post(string action, Uri? restUri, object? target, CancellationToken cancellation, Action<Utf8JsonWriter> body)
    {
        var uri = Address(restUri, action, target);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("dbName", _endpoint.Database);
            body(writer);
            writer.WriteEndObject();
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(buffer.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (_endpoint.Authorization is { } authorization)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Encoding.UTF8.GetString(Convert.FromBase64String(authorization)));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(_endpoint.Timeout);
        string text;
        int status;
        try
        {
            using var response = _client.Send(request, timeout.Token);
            status = (int)response.StatusCode;
            using var reader = new StreamReader(response.Content.ReadAsStream(timeout.Token));
            text = reader.ReadToEnd();
        }
        catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
        {
            throw new MilvusOpsException("MilvusTimeout", ErrorKind.OperationTimeout,
                $"Milvus's REST API at {uri} did not answer {action} within {_endpoint.Timeout.TotalSeconds:0} s.", target);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            throw new MilvusOpsException("MilvusUnavailable", ErrorKind.ConnectionError,
                $"Milvus's REST API at {uri} cannot be reached ({ex.Message}). It answers on the gRPC port unless proxy.http.port moves it: give that address with -RestUri.", target, ex);
        }
        JsonDocument answer;
        try
        {
            answer = JsonDocument.Parse(text);
        }
        catch (JsonException)
        {
            throw Unreadable(action, $"HTTP {status}, not JSON: {Shorten(text)}", target);
        }
        var root = answer.RootElement;
        long code = root.ValueKind == JsonValueKind.Object ? Number(root, "code") : -1;
        if (code != 0)
        {
            string message = root.ValueKind == JsonValueKind.Object ? Text(root, "message") ?? "" : Shorten(text);
            answer.Dispose();
            throw MilvusErrors.FromStatus($"import/{action}", (int)code, legacy: false, message, target, uri.GetLeftPart(UriPartial.Authority));
        }
        if (!root.TryGetProperty("data", out var data))
        {
            answer.Dispose();
            return JsonDocument.Parse("{}");
        }
        var result = JsonDocument.Parse(data.GetRawText());
        answer.Dispose();
        return result;
    }

    /// <summary>The REST address of an action. The credentials go only to the connected server's host, and over TLS when the
    /// connection uses it; a base path (a reverse proxy's) is kept.</summary>
    private Uri Address(Uri? restUri, string action, object? target)
    {
        var root = restUri ?? _endpoint.Address;
        if (restUri is not null && (!string.Equals(restUri.Host, _endpoint.Address.Host, StringComparison.OrdinalIgnoreCase) || (_endpoint.UsesTls && restUri.Scheme != Uri.UriSchemeHttps)))
            throw new MilvusOpsException("InvalidEndpointUri", ErrorKind.InvalidArgument,
                $"-RestUri '{restUri}' is not on the connected server {_endpoint.Address.Host}{(_endpoint.UsesTls ? " over https" : "")}: the connection's credentials go only there.", target);
        return new Uri($"{root.GetLeftPart(UriPartial.Path).TrimEnd('/')}/v2/vectordb/jobs/import/{action}");
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch { JsonValueKind.String => value.GetString(), JsonValueKind.Number => value.GetRawText(), _ => null }
            : null;

    /// <summary>A number the server may send as a number or as text (ids and counts are int64).</summary>
    private static long Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.Number when value.TryGetInt64(out long n) => n,
                JsonValueKind.String when long.TryParse(value.GetString(), out long n) => n,
                _ => 0,
            }
            : 0;

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private static MilvusOpsException Unreadable(string action, string why, object? target) =>
        new("MilvusServerError", ErrorKind.InvalidOperation, $"Milvus's answer to import/{action} cannot be read: {why}.", target);
}
