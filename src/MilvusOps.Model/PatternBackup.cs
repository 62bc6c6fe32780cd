namespace MilvusOps.Model;

/// <summary>What a backup holds.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum BackupKind
{
    /// <summary>The embedded store's whole file, copied with SQLite's online backup (store.db).</summary>
    StoreFile,

    /// <summary>One export set per collection (a Milvus database, or chosen collections of any store).</summary>
    ExportSets,
}

/// <summary>One collection in a backup.</summary>
/// <param name="Name">The collection's name.</param>
/// <param name="Rows">The patterns it held in the backup.</param>
/// <param name="Path">Its export set's folder, relative to the backup's folder; null in a store-file backup.</param>
public sealed record BackupCollection(string Name, long Rows, string? Path)
{
    public override string ToString() => $"{Name} ({Rows})";
}

/// <summary>
/// A backup: a folder that Backup-PatternStore wrote, holding a copy of a store's collections and backup.json, written
/// last, so a folder without one is no backup. It is a logical copy of the patterns and collection definitions, not a
/// copy of Milvus's binlogs: restoring it imports the patterns again.
/// </summary>
public sealed class PatternBackup : StoreObject
{
    /// <summary>The name of the manifest in a backup's folder.</summary>
    public const string ManifestName = "backup.json";

    /// <summary>The name of the store file in a store-file backup.</summary>
    public const string StoreFileName = "store.db";

    /// <summary>The backup's folder.</summary>
    public required string Path { get; init; }

    /// <summary>The folder's name: the store's label and the time, such as patterns-20261203T064500Z.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    public required BackupKind Kind { get; init; }

    /// <summary>The store backed up: its file path or server URI.</summary>
    public required string SourceUri { get; init; }

    public required string SourceDatabase { get; init; }

    /// <summary>The server's version (or the embedded store's) when the backup was taken.</summary>
    public required string SourceVersion { get; init; }

    /// <summary>True when the backup is of the whole store (the embedded store's file, or every collection of the
    /// database); false when it is of collections named. Retention counts the two apart.</summary>
    public required bool WholeStore { get; init; }

    public required IReadOnlyList<BackupCollection> Collections { get; init; }

    /// <summary>The patterns of every collection.</summary>
    public long Rows => Collections.Sum(c => c.Rows);

    /// <summary>The bytes of the backup's files.</summary>
    public required long Bytes { get; init; }

    /// <summary>The SHA-256 of store.db (a store-file backup), lower-case hex; each export set's manifest has its shards' own.</summary>
    public string? Sha256 { get; init; }

    /// <summary>When the backup started (UTC).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>The older backups of the same store that -Keep removed after this one was complete.</summary>
    public IReadOnlyList<string> Removed { get; internal set; } = [];

    public override string ToString() => $"{Name}: {Kind}, {Collections.Count} collection(s), {Rows} patterns";
}
