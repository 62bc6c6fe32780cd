using System.Security.Cryptography;
using System.Text;

namespace MilvusOps.Engine.Pipelines.Migration;

/// <summary>
/// Which rows go where: the source (file, table or query) and the target (store, database, collection).
/// A checkpoint and a rejects file belong to one identity, so -Resume cannot continue another import's
/// progress into a store that never received those rows.
/// </summary>
public sealed record ImportIdentity(string Source, string? Table, string? Query, string TargetUri, string TargetDatabase, string Collection)
{
    /// <summary>File names compare as the file system does.</summary>
    internal static StringComparer PathComparer => StorePath.Comparer;

    /// <summary>The first part in which <paramref name="other"/> differs, worded for an error; null when both are the same import.</summary>
    public string? Difference(ImportIdentity other)
    {
        ArgumentNullException.ThrowIfNull(other);
        static string Shown(string? value) => value is null ? "(none)" : $"'{value}'";
        if (!PathComparer.Equals(Source, other.Source)) return $"the source file: {Shown(Source)}, not {Shown(other.Source)}";
        if (Table != other.Table || Query != other.Query)
            return $"the source table or query: {Shown(Table ?? Query)}, not {Shown(other.Table ?? other.Query)}";
        if (!StorePath.Comparer.Equals(TargetUri, other.TargetUri)) return $"the target store: {Shown(TargetUri)}, not {Shown(other.TargetUri)}";
        if (TargetDatabase != other.TargetDatabase) return $"the target database: {Shown(TargetDatabase)}, not {Shown(other.TargetDatabase)}";
        if (Collection != other.Collection) return $"the target collection: {Shown(Collection)}, not {Shown(other.Collection)}";
        return null;
    }

    /// <summary>
    /// The default rejects file: beside the source, named after the collection and a short, stable hash of the
    /// store and database, so imports of one source into two stores never share a rejects file or a checkpoint.
    /// </summary>
    public static string DefaultRejectPath(string sourcePath, string collection, MilvusConnection store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return $"{Path.ChangeExtension(sourcePath, null)}.{collection}.{Hash(store)}.rejects.jsonl";
    }

    /// <summary>
    /// The default rejects file of a copy, in <paramref name="folder"/> (the current location): a collection has no folder
    /// of its own. Named after both collections and a hash of both stores, so copies never share one.
    /// </summary>
    public static string DefaultCopyRejectPath(string folder, MilvusConnection source, string sourceCollection, MilvusConnection target, string collection) =>
        Path.Combine(folder, $"copy.{sourceCollection}.{Hash(source)}.to.{collection}.{Hash(target)}.rejects.jsonl");

    /// <summary>The default rejects file of a restore, in <paramref name="folder"/> (the current location): a backup's folder
    /// holds only what the backup wrote, so retention can remove it whole.</summary>
    public static string DefaultRestoreRejectPath(string folder, string backupName, string collection, MilvusConnection target) =>
        Path.Combine(folder, $"restore.{backupName}.{collection}.{Hash(target)}.rejects.jsonl");

    /// <summary>8 hex digits of a hash of the store and database; one store file, however its path is cased where case
    /// does not matter, gives one hash.</summary>
    private static string Hash(MilvusConnection store)
    {
        ArgumentNullException.ThrowIfNull(store);
        string uri = store.Backend == StoreBackend.Embedded && !OperatingSystem.IsLinux() ? store.Uri.ToUpperInvariant() : store.Uri;
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{store.Backend}\n{uri}\n{store.Database}"));
        return Convert.ToHexString(hash, 0, 4).ToLowerInvariant();
    }
}
