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
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            throw Failed("look for", key, ex);
        }
    }

    /// <summary>Uploads a file as <paramref name="key"/>, with its SHA-256; <paramref name="progress"/> gets (bytes sent, bytes in all).</summary>
    public void Upload(string key, string path, string sha256, Action<long, long>? progress, CancellationToken cancellation)
    {
        var request = new PutObjectRequest { BucketName = Target.Bucket, Key = key, FilePath = path, UseChunkEncoding = false, ContentType = "application/octet-stream" };
        request.Metadata.Add(Sha256Key, sha256);
        if (progress is not null) request.StreamTransferProgress += (_, e) => progress(e.TransferredBytes, e.TotalBytes);
        try
        {
            _client.PutObjectAsync(request, cancellation).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException)
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
