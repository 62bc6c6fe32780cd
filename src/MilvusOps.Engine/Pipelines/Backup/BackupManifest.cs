using System.Text.Json;
using MilvusOps.Engine.Sources;

namespace MilvusOps.Engine.Pipelines.Backup;

/// <summary>One file of a backup, relative to its folder; <see cref="Sha256"/> only for store.db (an export set's
/// manifest has its shards' own).</summary>
internal sealed record BackupFile(string File, long Bytes, string? Sha256);

/// <summary>
/// The manifest of a backup (backup.json): format "milvusops.backup" version 1, the store it came from, its collections
/// with their rows, and every file the backup wrote, so that a retention rule removes those files and nothing else.
/// </summary>
internal static class BackupManifest
{
    public const string FormatName = "milvusops.backup";
    public const int Version = 1;

    /// <summary>Writes backup.json into the backup's folder, to a temporary name first, so a manifest is never torn.</summary>
    public static void Write(PatternBackup backup, IReadOnlyList<BackupFile> files)
    {
        JsonFile.WriteObject(Path.Combine(backup.Path, PatternBackup.ManifestName), writer =>
        {
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", Version);
            writer.WriteString("kind", backup.Kind == BackupKind.StoreFile ? "store_file" : "export_sets");
            writer.WriteBoolean("whole_store", backup.WholeStore);
            writer.WriteString("created_at", backup.CreatedAt);
            writer.WriteNumber("duration_seconds", backup.Duration.TotalSeconds);
            writer.WriteStartObject("source");
            writer.WriteString("uri", backup.SourceUri);
            writer.WriteString("database", backup.SourceDatabase);
            writer.WriteString("version", backup.SourceVersion);
            writer.WriteEndObject();
            writer.WriteStartArray("collections");
            foreach (var collection in backup.Collections)
            {
                writer.WriteStartObject();
                writer.WriteString("name", collection.Name);
                writer.WriteNumber("rows", collection.Rows);
                if (collection.Path is null) writer.WriteNull("path");
                else writer.WriteString("path", collection.Path);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteStartArray("files");
            foreach (var file in files)
            {
                writer.WriteStartObject();
                writer.WriteString("file", file.File);
                writer.WriteNumber("bytes", file.Bytes);
                if (file.Sha256 is not null) writer.WriteString("sha256", file.Sha256);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
    }

    /// <summary>Reads the backup in <paramref name="folder"/>, and the files its manifest lists.</summary>
    /// <exception cref="MilvusOpsException">BackupNotFound without a manifest; BackupInvalid for one that cannot be read
    /// or names a file outside the folder.</exception>
    public static (PatternBackup Backup, IReadOnlyList<BackupFile> Files) Read(string folder)
    {
        folder = Path.GetFullPath(folder);
        string path = Path.Combine(folder, PatternBackup.ManifestName);
        if (!File.Exists(path))
            throw new MilvusOpsException("BackupNotFound", ErrorKind.ObjectNotFound,
                $"'{folder}' holds no {PatternBackup.ManifestName}: it is no backup (a backup writes its manifest last, so an interrupted one has none).", folder);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != FormatName || root.GetProperty("version").GetInt32() != Version)
                throw Invalid(folder, $"it is not a {FormatName} manifest of version {Version}");
            var source = root.GetProperty("source");
            var files = root.GetProperty("files").EnumerateArray().Select(file => new BackupFile(
                Inside(folder, file.GetProperty("file").GetString()!), file.GetProperty("bytes").GetInt64(),
                file.TryGetProperty("sha256", out var sha) ? sha.GetString() : null)).ToList();
            var collections = root.GetProperty("collections").EnumerateArray().Select(c => new BackupCollection(
                c.GetProperty("name").GetString()!, c.GetProperty("rows").GetInt64(),
                c.GetProperty("path").ValueKind == JsonValueKind.Null ? null : Inside(folder, c.GetProperty("path").GetString()!))).ToList();
            string kind = root.GetProperty("kind").GetString()!;
            var backup = new PatternBackup
            {
                Path = folder,
                Kind = kind switch
                {
                    "store_file" => BackupKind.StoreFile,
                    "export_sets" => BackupKind.ExportSets,
                    _ => throw Invalid(folder, $"its kind '{kind}' is neither store_file nor export_sets"),
                },
                WholeStore = root.GetProperty("whole_store").GetBoolean(),
                SourceUri = source.GetProperty("uri").GetString()!,
                SourceDatabase = source.GetProperty("database").GetString()!,
                SourceVersion = source.GetProperty("version").GetString()!,
                Collections = collections,
                Bytes = files.Sum(f => f.Bytes),
                Sha256 = files.FirstOrDefault(f => f.File == PatternBackup.StoreFileName)?.Sha256,
                CreatedAt = root.GetProperty("created_at").GetDateTimeOffset(),
                Duration = TimeSpan.FromSeconds(root.GetProperty("duration_seconds").GetDouble()),
            };
            return (backup, files);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw Invalid(folder, $"its manifest cannot be read ({ex.Message})", ex);
        }
    }

    /// <summary>A path the manifest names must stay inside the backup's folder: retention deletes what it lists.</summary>
    private static string Inside(string folder, string relative)
    {
        string full = Path.GetFullPath(Path.Combine(folder, relative));
        if (Path.IsPathRooted(relative) || !full.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw Invalid(folder, $"it names '{relative}', which is not inside the backup's folder");
        return relative;
    }

    internal static MilvusOpsException Invalid(string folder, string why, Exception? inner = null) =>
        new("BackupInvalid", ErrorKind.InvalidData, $"The backup '{folder}' cannot be used: {why}.", folder, inner);
}
