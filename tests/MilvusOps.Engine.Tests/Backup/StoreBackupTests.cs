using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Pipelines.Backup;
using MilvusOps.Engine.Session;

namespace MilvusOps.Engine.Tests.Backup;

/// <summary>Backups of the embedded store: the online file backup is one consistent moment while a writer goes on,
/// retention removes only backups like the new one and only the files they list, and a stopped backup leaves nothing.</summary>
public sealed class StoreBackupTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-backup-").FullName;
    private readonly MilvusConnection _store;
    private readonly PatternSession _session;

    public StoreBackupTests()
    {
        _store = StoreFactory.Connect(Path.Combine(_folder, "live.db"), TimeSpan.FromSeconds(5), create: true);
        _session = new PatternSession(_store, default);
        _session.Create(new CollectionSpec { Name = "big", Dimension = 512 }, false);
        _session.Create(new CollectionSpec { Name = "small", Dimension = 2 }, false);
        // About 9 MB of vectors: the online backup takes several steps of 256 pages.
        for (int start = 0; start < 4000; start += 500)
            _session.Upsert("big", Enumerable.Range(start, 500).Select(i => new Pattern($"b{i:D5}", Vector(i), "seed", null, null)).ToArray());
        _session.Upsert("small", [new Pattern("s1", [1, 2], null, null, null)]);
    }

    public void Dispose()
    {
        _store.Dispose();
        foreach (var file in Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories)) File.SetAttributes(file, FileAttributes.Normal);
        Directory.Delete(_folder, recursive: true);
    }

    private static float[] Vector(int seed) => Enumerable.Range(0, 512).Select(d => (float)Math.Sin(seed * 0.37 + d)).ToArray();

    private string Root => Path.Combine(_folder, "backups");

    [Fact]
    public void The_file_backup_is_one_consistent_moment_while_another_connection_writes()
    {
        using var stop = new CancellationTokenSource();
        long written = 0;
        var writer = new Thread(() =>
        {
            // Another store instance (a longer lock timeout, so not shared): its own connections, as another process's.
            using var other = StoreFactory.Connect(_store.Uri, TimeSpan.FromSeconds(6));
            var session = new PatternSession(other, default);
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                session.Upsert("small", [new Pattern($"w{i:D6}", [i, i], null, null, null)]);
                Interlocked.Increment(ref written);
            }
        });
        writer.Start();
        SpinWait.SpinUntil(() => Interlocked.Read(ref written) > 5, TimeSpan.FromSeconds(10));
        long steps = 0;
        var backup = StoreBackup.Run(_session, new BackupOptions(Root), _ => steps++);
        long before = backup.Collections.Single(c => c.Name == "small").Rows;
        stop.Cancel();
        writer.Join();

        Assert.Equal(BackupKind.StoreFile, backup.Kind);
        Assert.True(steps > 2, $"the backup took {steps} step(s)");
        Assert.Equal(4000, backup.Collections.Single(c => c.Name == "big").Rows);
        Assert.InRange(before, 2, 1 + Interlocked.Read(ref written));
        string copy = Path.Combine(backup.Path, PatternBackup.StoreFileName);
        Assert.Equal(backup.Sha256, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(copy))).ToLowerInvariant());
        using (var check = new SqliteConnection($"Data Source={copy};Mode=ReadOnly;Pooling=False"))
        {
            check.Open();
            using var command = check.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", command.ExecuteScalar());
            command.CommandText = "PRAGMA journal_mode";
            Assert.Equal("delete", command.ExecuteScalar());
        }
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(copy));
        Assert.Equal(backup.Sha256, StoreBackup.Read(backup.Path).Sha256);
    }

    [Fact]
    public void Keep_removes_only_older_backups_of_the_same_store_and_scope_and_only_the_files_they_list()
    {
        var whole = StoreBackup.Run(_session, new BackupOptions(Root));
        var firstSmall = StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small"] });
        var secondSmall = StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small"] });
        File.WriteAllText(Path.Combine(firstSmall.Path, "operator-notes.txt"), "mine");   // not the backup's
        Directory.CreateDirectory(Path.Combine(Root, "unrelated"));
        var third = StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small"], Keep = 1 });

        Assert.Equal([firstSmall.Path, secondSmall.Path], third.Removed.Order(StringComparer.Ordinal));
        Assert.False(Directory.Exists(secondSmall.Path));
        Assert.Equal(["operator-notes.txt"], Directory.EnumerateFileSystemEntries(firstSmall.Path).Select(Path.GetFileName));
        Assert.True(Directory.Exists(Path.Combine(Root, "unrelated")));
        Assert.Equal([third.Path, whole.Path], StoreBackup.List(Root).Select(b => b.Path));
        Assert.Equal(new BackupCollection("small", 1, "small"), third.Collections.Single());
    }

    [Fact]
    public void A_stopped_backup_removes_what_it_wrote_and_a_missing_collection_writes_nothing()
    {
        using var stop = new CancellationTokenSource();
        var stopping = new PatternSession(_store, stop.Token);
        Assert.ThrowsAny<OperationCanceledException>(() => StoreBackup.Run(stopping, new BackupOptions(Root), step => { if (step.Done > 256) stop.Cancel(); }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Root));
        Assert.ThrowsAny<OperationCanceledException>(() =>
            StoreBackup.Run(stopping, new BackupOptions(Root) { Collections = ["small", "big"] }));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Root));

        var missing = Assert.Throws<MilvusOpsException>(() => StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small", "nope"] }));
        Assert.Equal("CollectionNotFound", missing.ErrorId);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Root));
    }

    [Fact]
    public void A_manifest_that_names_a_file_outside_its_folder_is_refused()
    {
        var backup = StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small"] });
        string manifest = Path.Combine(backup.Path, PatternBackup.ManifestName);
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"small/manifest.json\"", "\"../../live.db\""));
        Assert.Equal("BackupInvalid", Assert.Throws<MilvusOpsException>(() => StoreBackup.Read(backup.Path)).ErrorId);

        // Retention leaves it alone, says so, and the next backup stands.
        var warnings = new List<string>();
        var next = StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small"], Keep = 1 }, warn: warnings.Add);
        Assert.Empty(next.Removed);
        Assert.Contains(warnings, w => w.Contains("not inside the backup's folder", StringComparison.Ordinal));
        Assert.True(File.Exists(_store.Uri));
        Assert.True(File.Exists(manifest));
        Assert.Equal([next.Path], StoreBackup.List(Root).Select(b => b.Path));
        Assert.Equal("BackupNotFound", Assert.Throws<MilvusOpsException>(() => StoreBackup.Read(_folder)).ErrorId);
    }

    [Fact]
    public void A_backup_whose_files_changed_is_refused_before_a_restore()
    {
        var backup = StoreBackup.Run(_session, new BackupOptions(Root));
        StoreBackup.Verify(backup, default);
        string copy = Path.Combine(backup.Path, PatternBackup.StoreFileName);
        File.SetAttributes(copy, FileAttributes.Normal);
        using (var file = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = file.Length - 1;
            int last = file.ReadByte();
            file.Position = file.Length - 1;
            file.WriteByte((byte)(last ^ 1));
        }
        var refused = Assert.Throws<MilvusOpsException>(() => StoreBackup.Verify(backup, default));
        Assert.Equal("BackupInvalid", refused.ErrorId);
        Assert.Contains("SHA-256", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Retention_never_removes_the_backup_it_follows_even_when_a_later_started_one_finished_first()
    {
        var earlier = StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small"] });
        var later = StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small"] });
        // The earlier-started backup prunes last: it keeps itself and removes the other.
        Assert.Equal([later.Path], StoreBackup.Prune(Root, earlier, 1));
        Assert.True(Directory.Exists(earlier.Path));
        Assert.Equal([earlier.Path], StoreBackup.List(Root).Select(b => b.Path));
    }

    [Fact]
    public void Collections_whose_names_differ_only_by_case_get_folders_of_their_own()
    {
        _session.Create(new CollectionSpec { Name = "Small", Dimension = 2 }, false);
        _session.Upsert("Small", [new Pattern("S1", [3, 4], null, null, null), new Pattern("S2", [5, 6], null, null, null)]);
        var backup = StoreBackup.Run(_session, new BackupOptions(Root) { Collections = ["small", "Small"] });
        var folders = backup.Collections.Select(c => c.Path!).ToList();
        Assert.Equal(2, folders.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        StoreBackup.Verify(backup, default);
        foreach (var collection in backup.Collections)
        {
            var (source, _) = StoreBackup.Open(backup, collection.Name, default);
            using (source) Assert.Equal(collection.Rows, source.RowCount);
        }
        Assert.Equal([1L, 2L], backup.Collections.Select(c => c.Rows));
    }
}
