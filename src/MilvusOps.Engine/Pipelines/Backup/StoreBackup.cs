using System.Diagnostics;
using System.Text.RegularExpressions;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources;
using MilvusOps.Engine.Sources.Collections;
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

    /// <summary>Takes a backup; then, with <see cref="BackupOptions.Keep"/>, removes older ones like it. A failure of that
    /// retention never touches the new backup: <paramref name="warn"/> says which old one stays and why.</summary>
    public static PatternBackup Run(PatternSession session, BackupOptions options, Action<BackupProgress>? progress = null, Action<string>? warn = null)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(options);
        var connection = session.Connection;
        var cancel = session.Cancellation;
        var created = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        bool wholeFile = options.Collections is null && connection.Backend == StoreBackend.Embedded;
        // Every named collection must exist before a folder is made.
        var collections = wholeFile ? [] : (options.Collections ?? session.List().Select(c => c.Name).ToList())
            .Select(name => session.Describe(name).Name).Distinct(StringComparer.Ordinal).ToList();
        string root = Path.GetFullPath(options.Root);
        string? folder = null;
        var files = new List<BackupFile>();
        PatternBackup backup;
        try
        {
            folder = NewFolder(root, Label(connection), created);
            List<BackupCollection> contents;
            if (wholeFile)
            {
                string copy = Path.Combine(folder, PatternBackup.StoreFileName);
                files.Add(new BackupFile(PatternBackup.StoreFileName, 0, null));   // listed first, so a failure below removes it
                session.BackupFile(copy, (done, total) => progress?.Invoke(new BackupProgress("store file", done, total)));
                files[0] = new BackupFile(PatternBackup.StoreFileName, new FileInfo(copy).Length, FileHash.Sha256(copy, cancel));
                ProtectFromWrites(copy);
                contents = CountCollections(copy, cancel);
            }
            else
            {
                contents = [];
                var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);   // Milvus names differ by case; some file systems do not
                foreach (string name in collections)
                {
                    string setFolder = taken.Add(name) ? name : $"{name}-{taken.Count}";
                    taken.Add(setFolder);
                    var set = CollectionExporter.Run(session, new ExportOptions(name, Path.Combine(folder, setFolder), ExportFormat.Parquet) { ShardBytes = options.ShardBytes },
                        step => progress?.Invoke(new BackupProgress($"collection {name}", step.RowsDone, step.TotalRows)));
                    files.AddRange(set.Shards.Select(s => new BackupFile(Path.Combine(setFolder, s.File), s.Bytes, s.Sha256)));
                    files.Add(new BackupFile(Path.Combine(setFolder, ExportSet.ManifestName), new FileInfo(Path.Combine(set.Path, ExportSet.ManifestName)).Length, null));
                    contents.Add(new BackupCollection(name, set.Rows, setFolder));
                }
            }
            backup = new PatternBackup
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
            File.Delete(Path.Combine(folder, Claim));
        }
        catch (Exception ex)
        {
            if (folder is not null) RemoveFiles(folder, files.Select(f => f.File).Append(PatternBackup.ManifestName + ".tmp").Append(Claim));
            if (ex is IOException or UnauthorizedAccessException || ex is MilvusOpsException { ErrorId: "ExportWriteFailed" })
                throw new MilvusOpsException("BackupWriteFailed", ErrorKind.ResourceUnavailable,
                    $"Writing the backup to '{folder ?? root}' failed ({ex.Message}); the files it had written are removed.", folder ?? root, ex);
            throw;
        }
        if (options.Keep is { } keep) backup.Removed = Prune(root, backup, keep, warn);
        return backup;
    }

    /// <summary>Checks every file a backup lists against its size, and store.db against its SHA-256, so a damaged backup is
    /// never restored and then "verified" against itself.</summary>
    /// <exception cref="MilvusOpsException">BackupInvalid.</exception>
    public static void Verify(PatternBackup backup, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(backup);
        foreach (var file in BackupManifest.Read(backup.Path).Files)
        {
            string path = Path.Combine(backup.Path, file.File);
            long? bytes = File.Exists(path) ? new FileInfo(path).Length : null;
            if (bytes != file.Bytes)
                throw BackupManifest.Invalid(backup.Path, bytes is null ? $"'{file.File}' is missing" : $"'{file.File}' is {bytes} bytes; backup.json says {file.Bytes}");
            if (file.Sha256 is not null && FileHash.Sha256(path, cancellation) != file.Sha256)
                throw BackupManifest.Invalid(backup.Path, $"'{file.File}' does not match its SHA-256 in backup.json: it changed after the backup");
        }
    }

    /// <summary>One collection of a backup as a source (the export set, or the collection in store.db, read-only), and
    /// the spec that makes it again; disposing the source closes what it opened. The backup must hold the collection.</summary>
    public static (IPatternSource Source, CollectionSpec Spec) Open(PatternBackup backup, string collection, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(backup);
        var recorded = backup.Collections.Single(c => c.Name == collection);
        if (backup.Kind == BackupKind.ExportSets)
        {
            var set = ExportSetSource.Open(Path.Combine(backup.Path, recorded.Path!), cancellation);
            return (set, set.Set.ToSpec(collection));
        }
        var connection = StoreFactory.Connect(Path.Combine(backup.Path, PatternBackup.StoreFileName), TimeSpan.FromSeconds(30), cancellation: cancellation);
        try
        {
            var source = CollectionSource.Open(new PatternSession(connection, cancellation), collection, owner: connection);
            return (source, source.Collection.ToSpec(collection));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>The backup in <paramref name="folder"/>, or the backups in its subfolders, newest first. A subfolder whose
    /// backup.json cannot be read goes to <paramref name="unreadable"/> (BackupInvalid) and the others are listed.</summary>
    /// <exception cref="MilvusOpsException">BackupNotFound when there is no such folder; BackupInvalid when it is a backup
    /// whose backup.json cannot be read.</exception>
    public static IReadOnlyList<PatternBackup> List(string folder, Action<MilvusOpsException>? unreadable = null)
    {
        folder = Path.GetFullPath(folder);
        if (File.Exists(Path.Combine(folder, PatternBackup.ManifestName))) return [BackupManifest.Read(folder).Backup];
        if (!Directory.Exists(folder))
            throw new MilvusOpsException("BackupNotFound", ErrorKind.ObjectNotFound, $"There is no folder '{folder}'.", folder);
        var backups = new List<PatternBackup>();
        foreach (string candidate in Directory.EnumerateDirectories(folder).Where(d => File.Exists(Path.Combine(d, PatternBackup.ManifestName))))
        {
            try
            {
                backups.Add(BackupManifest.Read(candidate).Backup);
            }
            catch (MilvusOpsException ex) when (ex.ErrorId == "BackupInvalid")
            {
                unreadable?.Invoke(ex);
            }
        }
        return backups.OrderByDescending(b => b.CreatedAt).ThenByDescending(b => b.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The backup in <paramref name="folder"/>.</summary>
    public static PatternBackup Read(string folder) => BackupManifest.Read(folder).Backup;

    /// <summary>Keeps the newest <paramref name="keep"/> backups like <paramref name="newest"/> (of the same store and
    /// database, and the whole store or the same named collections) in <paramref name="root"/> and removes the others, file by file as their manifests list them; a backup of another
    /// store, or a folder without backup.json, is never touched. Returns the removed folders.</summary>
    public static IReadOnlyList<string> Prune(string root, PatternBackup newest, int keep, Action<string>? warn = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keep, 1);
        var removed = new List<string>();
        // A backup.json that cannot be read is not known to be like the new one: it is left alone.
        foreach (var old in List(root, ex => warn?.Invoke($"{ex.Message} It is kept.")).Where(b => b.Path != newest.Path && SameKind(b, newest)).Skip(keep - 1))
        {
            string manifest = Path.Combine(old.Path, PatternBackup.ManifestName), removing = manifest + ".removing";
            try
            {
                var (_, files) = BackupManifest.Read(old.Path);
                // The manifest is set aside first, so a folder being removed is not taken for a backup, and put back if a
                // file cannot be removed: a backup that lost files is then listed, and a restore refuses it (BackupInvalid).
                File.Move(manifest, removing);
                RemoveFiles(old.Path, files.Select(f => f.File).Append(PatternBackup.ManifestName + ".removing"));
                removed.Add(old.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MilvusOpsException)
            {
                if (File.Exists(removing) && !File.Exists(manifest)) File.Move(removing, manifest);
                warn?.Invoke($"The older backup '{old.Path}' could not be removed ({ex.Message}); it is kept.");
            }
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

    /// <summary>A file that marks a folder as one backup's while it is written: made with CreateNew, so two backups that
    /// start in the same second never share a folder.</summary>
    private const string Claim = ".milvusops-backup-in-progress";

    /// <summary>A new folder named after the store and the time, claimed; a second backup in the same second gets -2, -3, ….</summary>
    private static string NewFolder(string root, string label, DateTimeOffset created)
    {
        Directory.CreateDirectory(root);
        string name = $"{label}-{created.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}";
        for (int n = 1; ; n++)
        {
            string folder = Path.Combine(root, n == 1 ? name : $"{name}-{n}");
            if (File.Exists(folder) || (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())) continue;
            Directory.CreateDirectory(folder);
            try
            {
                new FileStream(Path.Combine(folder, Claim), FileMode.CreateNew, FileAccess.Write).Dispose();
                return folder;
            }
            catch (IOException) when (File.Exists(Path.Combine(folder, Claim)))
            {
                // Another backup claimed it first.
            }
        }
    }

    /// <summary>The collections of a store-file copy and their patterns, read from the copy itself.</summary>
    private static List<BackupCollection> CountCollections(string copy, CancellationToken cancellation)
    {
        using var connection = StoreFactory.Connect(copy, TimeSpan.FromSeconds(30), cancellation: cancellation);
        var session = new PatternSession(connection, cancellation);
        return session.List().Select(c => new BackupCollection(c.Name, session.Count(c.Name), null)).ToList();
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
