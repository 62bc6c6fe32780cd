using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace MilvusOps.Engine.Stack;

/// <summary>Where Milvus's object storage is: the S3 endpoint (MinIO's :9000), the bucket Milvus reads (its
/// minio.bucketName, a-bucket by default) and the access key and secret.</summary>
public sealed record ObjectStorageTarget(Uri Endpoint, string Bucket, string AccessKey, string SecretKey)
{
    public const string DefaultBucket = "a-bucket";

    public string Region { get; init; } = "us-east-1";

    /// <summary>The endpoint and bucket; never the secret.</summary>
    public override string ToString() => $"{Endpoint.GetLeftPart(UriPartial.Authority)}/{Bucket}";
}

/// <summary>
/// The stack's object storage over the S3 API (AWSSDK.S3, path-style, as MinIO serves it): what a bulk import uploads
/// and looks for. Each object carries the SHA-256 of its bytes as metadata, so an upload that was done is not done again
/// and an object that differs is never taken for ours.
/// </summary>
public sealed class ObjectStorage : IDisposable
{
    private const string Sha256Key = "x-amz-meta-milvusops-sha256";
    private readonly AmazonS3Client _client;

    /// <summary>One request's limit: a 256 MB shard over a slow link. Ctrl+C stops sooner.</summary>
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(30);

    public ObjectStorage(ObjectStorageTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        StackHttp.Check(target.Endpoint, "StorageUri");
        Target = target;
        _client = new AmazonS3Client(new BasicAWSCredentials(target.AccessKey, target.SecretKey), new AmazonS3Config
        {
            ServiceURL = target.Endpoint.ToString(),
            ForcePathStyle = true,
            AuthenticationRegion = target.Region,
            Timeout = RequestTimeout,
            MaxErrorRetry = 2,
            // MinIO and other S3 APIs need no flexible checksums; the SHA-256 in the metadata is ours.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        });
    }

    public ObjectStorageTarget Target { get; }

    public void Dispose() => _client.Dispose();

    /// <summary>The object's size and the SHA-256 an upload recorded on it, or null when there is no such object.</summary>
    public (long Bytes, string? Sha256)? Find(string key, CancellationToken cancellation)
    {
        try
        {
            var head = _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Target.Bucket, Key = key }, cancellation).GetAwaiter().GetResult();
            return (head.ContentLength, head.Metadata[Sha256Key]);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException
            || (ex is OperationCanceledException && !cancellation.IsCancellationRequested))   // the SDK's own time limit
        {
            throw Failed("look for", key, ex);
        }
    }

    /// <summary>Uploads a file as a new object <paramref name="key"/>, with its SHA-256, which the server checks (MinIO,
    /// S3) against the bytes it receives; an object that appeared under the key meanwhile is not replaced (If-None-Match).
    /// <paramref name="progress"/> gets (bytes sent, bytes in all) on the calling thread, every quarter second.</summary>
    public void Upload(string key, string path, string sha256, Action<long, long>? progress, CancellationToken cancellation)
    {
        var request = new PutObjectRequest
        {
            BucketName = Target.Bucket, Key = key, FilePath = path, UseChunkEncoding = false, ContentType = "application/octet-stream",
            IfNoneMatch = "*", ChecksumSHA256 = Convert.ToBase64String(Convert.FromHexString(sha256)),
        };
        request.Metadata.Add(Sha256Key, sha256);
        long sent = 0;
        // The SDK reports progress on its own threads; the caller's thread (a cmdlet's) reads it here.
        request.StreamTransferProgress += (_, e) => Interlocked.Exchange(ref sent, e.TransferredBytes);
        try
        {
            long total = new FileInfo(path).Length;
            var put = _client.PutObjectAsync(request, cancellation);
            while (!((IAsyncResult)put).AsyncWaitHandle.WaitOne(250)) progress?.Invoke(Interlocked.Read(ref sent), total);
            put.GetAwaiter().GetResult();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new MilvusOpsException("ObjectStorageConflict", ErrorKind.ResourceExists,
                $"'{key}' appeared in {Target} while it was being uploaded; it is not overwritten.", key, ex);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
            || (ex is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            throw Failed("upload", key, ex);
        }
    }

    private MilvusOpsException Failed(string action, string key, Exception ex)
    {
        string detail = ex is AmazonS3Exception s3 ? $"{s3.StatusCode} {s3.ErrorCode}: {s3.Message}" : ex.Message;
        string message = $"Could not {action} '{key}' in the object storage {Target} ({detail}).";
        return ex is AmazonS3Exception { StatusCode: HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized }
            ? new MilvusOpsException("ObjectStorageDenied", ErrorKind.PermissionDenied, message + " Check -StorageCredential.", key, ex)
            : new MilvusOpsException("ObjectStorageFailed", ErrorKind.ConnectionError, message, key, ex);
    }
}
