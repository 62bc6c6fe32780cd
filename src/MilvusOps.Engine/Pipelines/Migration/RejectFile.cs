using System.Text.Json;

namespace MilvusOps.Engine.Pipelines.Migration;

/// <summary>
/// Decides whether an import may write its rejects file (and the checkpoint beside it) at a path, before
/// anything is opened for writing: opening it cuts the file, so a path that names the source, the store or
/// somebody else's file would destroy it. A file is this import's own when it is empty or its first line is
/// a rejects line of this source (every line names its <see cref="RejectLine.SourceProperty"/>); whether the
/// checkpoint beside it belongs to this import is <see cref="Checkpoint"/>'s concern.
/// </summary>
internal static class RejectFile
{
    /// <summary>Longest first line read to recognize a rejects line (a line holds one row: a vector and two JSON documents).</summary>
    private const int MaxFirstLineBytes = 4 << 20;

    /// <exception cref="MilvusOpsException">RejectPathInvalid, naming the reason.</exception>
    public static void CheckPlace(string rejectPath, string sourcePath, MilvusConnection store)
    {
        if (Directory.Exists(rejectPath)) throw Invalid(rejectPath, "it is a folder; name a file");
        string? folder = Path.GetDirectoryName(rejectPath);
        if (folder is not null && !Directory.Exists(folder)) throw Invalid(rejectPath, $"its folder '{folder}' does not exist");
        string target = FinalPath(rejectPath);
        if (ImportIdentity.PathComparer.Equals(target, FinalPath(sourcePath))) throw Invalid(rejectPath, "it is the legacy source being imported");
        if (store.Backend == StoreBackend.Embedded)
        {
            string storeFile = FinalPath(store.Uri);
            foreach (string suffix in (string[])["", "-wal", "-shm", "-journal"])
            {
                if (ImportIdentity.PathComparer.Equals(target, storeFile + suffix))
                    throw Invalid(rejectPath, suffix.Length == 0 ? "it is the store file" : $"it is the store's {suffix[1..]} file");
            }
        }
    }

    /// <summary>Refuses an existing, non-empty file that is not a rejects file of this source.</summary>
    public static void CheckOwner(string rejectPath, string sourcePath)
    {
        if (!File.Exists(rejectPath)) return;
        string? owner;
        try
        {
            owner = SourceOfFirstLine(rejectPath, out bool empty);
            if (empty) return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Invalid(rejectPath, $"it cannot be read ({ex.Message})", ex);
        }
        if (owner is null)
            throw Invalid(rejectPath, "the file exists and is not a rejects file of Import-SqlitePattern; delete it or choose another path");
        if (!ImportIdentity.PathComparer.Equals(owner, sourcePath))
            throw Invalid(rejectPath, $"it holds the rejects of another source ('{owner}'); choose another path");
    }

    /// <summary>The failure to open the file (or the checkpoint beside it) for writing, as a clear error.</summary>
    public static MilvusOpsException NotWritable(string rejectPath, Exception ex) => Invalid(rejectPath, $"it cannot be written ({ex.Message})", ex);

    public static MilvusOpsException Invalid(string rejectPath, string reason, Exception? inner = null) =>
        new("RejectPathInvalid", ErrorKind.InvalidArgument, $"-RejectPath '{rejectPath}' cannot take this import's rejects: {reason}.", rejectPath, inner);

    /// <summary>The <see cref="RejectLine.SourceProperty"/> of the first line; null when that line is not a rejects line.</summary>
    private static string? SourceOfFirstLine(string path, out bool empty)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        empty = stream.Length == 0;
        if (empty) return null;
        var line = new MemoryStream();
        int b;
        while ((b = stream.ReadByte()) is not (-1 or '\n'))
        {
            if (line.Length >= MaxFirstLineBytes) return null;
            line.WriteByte((byte)b);
        }
        try
        {
            using var document = JsonDocument.Parse(line.GetBuffer().AsMemory(0, (int)line.Length));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(RejectLine.SourceProperty, out var source) && source.ValueKind == JsonValueKind.String
                && document.RootElement.TryGetProperty(RejectLine.ErrorIdProperty, out _)
                ? source.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The full path with links followed, so a link to the source counts as the source.</summary>
    private static string FinalPath(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
