using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources.ExportSets;

namespace MilvusOps.Engine.Pipelines.Backup;

/// <summary>What Backup-PatternStore does: where, which collections, and how many backups of the store to keep.</summary>
/// <param name="Root">The folder that holds the store's backups, one folder each; created if missing.</param>
public sealed record BackupOptions(string Root)
{
    /// <summary>The collections to back up as export sets; null backs up the whole store: the embedded store's file, or
    /// every collection of a Milvus database.</summary>
    public IReadOnlyList<string>? Collections { get; init; }

    /// <summary>Once this backup is complete, keep this many backups of the store in <see cref="Root"/> (this one
    /// included) and remove the older ones; null keeps them all.</summary>
    public int? Keep { get; init; }

    public long ShardBytes { get; init; } = ExportOptions.DefaultShardBytes;
}

/// <summary>How far a backup got: <paramref name="Done"/> of <paramref name="Total"/> pages or patterns of <paramref name="Step"/>.</summary>
public readonly record struct BackupProgress(string Step, long Done, long Total);

/// <summary>
/// Backups of a store into folders of their own: the embedded store's whole file through SQLite's online backup, or one
/// export set per collection; backup.json, written last, lists every file, so retention removes exactly those. A
/// failed or stopped backup removes what it wrote.
/// </summary>
public static class StoreBackup
{
    private static readonly Regex Unsafe = new("[^A-Za-z0-9_.-]+", RegexOptions.CultureInvariant);

    public static PatternBackup Run(PatternSession session, BackupOptions options, Action<BackupProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        var connection = session.Connection;
        var created = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        bool wholeFile = options.Collections is null && connection.Backend == StoreBackend.Embedded;
        // Every named collection must exist before a folder is made.
        var collections = wholeFile ? [] : (options.Collections ?? session.List().Select(c => c.Name).ToList())
            .Select(name => session.Describe(name).Name).Distinct(StringComparer.Ordinal).ToList();
        string folder = NewFolder(Path.GetFullPath(options.Root), Label(connection), created);
        var files = new List<BackupFile>();
        try
        {
            List<BackupCollection> contents;
            if (wholeFile)
            {
                string copy = Path.Combine(folder, PatternBackup.StoreFileName);
                session.BackupFile(copy, (done, total) => progress?.Invoke(new BackupProgress("store file", done, total)));
                files.Add(new BackupFile(PatternBackup.StoreFileName, new FileInfo(copy).Length, Sha256Of(copy)));
                ProtectFromWrites(copy);
                contents = CountCollections(copy, session.Cancellation);
            }
            else
            {
                contents = [];
                foreach (string name in collections)
                {
                    var set = CollectionExporter.Run(session, new ExportOptions(name, Path.Combine(folder, name), ExportFormat.Parquet) { ShardBytes = options.ShardBytes },
                        step => progress?.Invoke(new BackupProgress($"collection {name}", step.RowsDone, step.TotalRows)));
                    files.AddRange(set.Shards.Select(s => new BackupFile(Path.Combine(name, s.File), s.Bytes, null)));
                    files.Add(new BackupFile(Path.Combine(name, ExportSet.ManifestName), new FileInfo(Path.Combine(set.Path, ExportSet.ManifestName)).Length, null));
                    contents.Add(new BackupCollection(name, set.Rows, name));
                }
            }
            var backup = new PatternBackup
            {
                Path = folder,
                Kind = wholeFile ? BackupKind.StoreFile : BackupKind.ExportSets,
                WholeStore = options.Collections is null,
                SourceUri = connection.Uri,
                SourceDatabase = connection.Database,
                SourceVersion = connection.ServerVersion,
                Collections = contents,
                Bytes = files.Sum(f => f.Bytes),
                Sha256 = files.FirstOrDefault(f => f.File == PatternBackup.StoreFileName)?.Sha256,
                CreatedAt = created,
                Duration = clock.Elapsed,
            };
            BackupManifest.Write(backup, files);
            if (options.Keep is { } keep) backup.Removed = Prune(options.Root, backup, keep);
            return backup;
        }
        catch (Exception ex)
        {
            RemoveFiles(folder, files.Select(f => f.File).Append(PatternBackup.ManifestName + ".tmp"));
            if (ex is IOException or UnauthorizedAccessException)
                throw new MilvusOpsException("BackupWriteFailed", ErrorKind.ResourceUnavailable,
                    $"Writing the backup to '{folder}' failed ({ex.Message}); the files it had written are removed.", folder, ex);
            throw;
        }
    }

    /// <summary>The backup in <paramref name="folder"/>, or the backups in its subfolders, newest first.</summary>
    /// <exception cref="MilvusOpsException">BackupNotFound when the folder is neither; BackupInvalid for a backup.json that cannot be read.</exception>
    public static IReadOnlyList<PatternBackup> List(string folder)
    {
        folder = Path.GetFullPath(folder);
        if (File.Exists(Path.Combine(folder, PatternBackup.ManifestName))) return [BackupManifest.Read(folder).Backup];
        if (!Directory.Exists(folder))
            throw new MilvusOpsException("BackupNotFound", ErrorKind.ObjectNotFound, $"There is no folder '{folder}'.", folder);
        return Directory.EnumerateDirectories(folder)
            .Where(d => File.Exists(Path.Combine(d, PatternBackup.ManifestName)))
            .Select(d => BackupManifest.Read(d).Backup)
            .OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The backup in <paramref name="folder"/>.</summary>
    public static PatternBackup Read(string folder) => BackupManifest.Read(folder).Backup;

    /// <summary>Keeps the newest <paramref name="keep"/> backups like <paramref name="newest"/> (of the same store and
    /// database, and the whole store or the same named collections) in <paramref name="root"/> and removes the others, file by file as their manifests list them; a backup of another
    /// store, or a folder without backup.json, is never touched. Returns the removed folders.</summary>
    public static IReadOnlyList<string> Prune(string root, PatternBackup newest, int keep)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var removed = new List<string>();
        foreach (var old in List(root).Where(b => SameKind(b, newest)).Skip(keep))
        {
            var (_, files) = BackupManifest.Read(old.Path);
            // The manifest goes first: a folder half removed is no longer taken for a backup.
            File.Delete(Path.Combine(old.Path, PatternBackup.ManifestName));
            RemoveFiles(old.Path, files.Select(f => f.File));
            removed.Add(old.Path);
        }
        return removed;
    }

    private static bool SameKind(PatternBackup a, PatternBackup b) =>
        StorePath.Comparer.Equals(a.SourceUri, b.SourceUri) && a.SourceDatabase == b.SourceDatabase && a.WholeStore == b.WholeStore &&
        (a.WholeStore || a.Collections.Select(c => c.Name).Order(StringComparer.Ordinal).SequenceEqual(b.Collections.Select(c => c.Name).Order(StringComparer.Ordinal)));

    /// <summary>The store's name for folder names: the file's name, or the server's host, port and database.</summary>
    private static string Label(MilvusConnection connection)
    {
        string label = connection.Backend == StoreBackend.Embedded
            ? Path.GetFileNameWithoutExtension(connection.Uri)
            : System.Uri.TryCreate(connection.Uri, UriKind.Absolute, out var uri) ? $"{uri.Host}_{uri.Port}_{connection.Database}" : connection.Database;
        return Unsafe.Replace(label, "_").Trim('.') is { Length: > 0 } safe ? safe : "store";
    }

    /// <summary>A new folder named after the store and the time; a second backup in the same second gets -2, -3, ….</summary>
    private static string NewFolder(string root, string label, DateTimeOffset created)
    {
        Directory.CreateDirectory(root);
        string name = $"{label}-{created.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
        for (int n = 1; ; n++)
        {
            string folder = Path.Combine(root, n == 1 ? name : $"{name}-{n}");
            if (Directory.Exists(folder) || File.Exists(folder)) continue;
            Directory.CreateDirectory(folder);
            return folder;
        }
    }

    /// <summary>The collections of a store-file copy and their patterns, read from the copy itself.</summary>
    private static List<BackupCollection> CountCollections(string copy, CancellationToken cancellation)
    {
        using var connection = StoreFactory.Connect(copy, TimeSpan.FromSeconds(30), cancellation: cancellation);
        var session = new PatternSession(connection, cancellation);
        return session.List().Select(c => new BackupCollection(c.Name, session.Count(c.Name), null)).ToList();
    }

    private static string Sha256Of(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
    }

    /// <summary>A store file without write permission opens read-only, so reading a backup (a restore, a count) never changes it.</summary>
    private static void ProtectFromWrites(string path)
    {
        if (OperatingSystem.IsWindows()) File.SetAttributes(path, File.GetAttributes(path) | FileAttributes.ReadOnly);
        else File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }

    /// <summary>Removes the listed files (relative to <paramref name="folder"/>), then the folders they leave empty.</summary>
    private static void RemoveFiles(string folder, IEnumerable<string> relativeFiles)
    {
        foreach (string relative in relativeFiles)
        {
            string path = Path.Combine(folder, relative);
            if (!File.Exists(path)) continue;
            File.SetAttributes(path, FileAttributes.Normal);
            File.Delete(path);
            if (Path.GetDirectoryName(path) is { } parent && parent != folder && !Directory.EnumerateFileSystemEntries(parent).Any()) Directory.Delete(parent);
        }
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
    }
}
