using System.Security.Cryptography;

namespace MilvusOps.Engine.Sources;

/// <summary>The SHA-256 that export sets and backups record for each file, lower-case hex, read 1 MB at a time so
/// Ctrl+C stops the hash of a large file at once.</summary>
internal static class FileHash
{
    public static string Sha256(string path, CancellationToken cancellation)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            cancellation.ThrowIfCancellationRequested();
            hash.AppendData(buffer, 0, read);
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }
}
