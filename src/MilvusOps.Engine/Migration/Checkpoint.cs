using System.Text.Json;

namespace MilvusOps.Engine.Migration;

/// <summary>
/// Where an import stands after its last committed batch: the source row it reached, the counts so
/// far, and how long the rejects file was then. Written atomically (temp file, then rename) after each
/// commit, so -Resume continues from a state that the store and the rejects file both hold. It needs no
/// fsync of its own: a checkpoint lost or torn by a power cut only sends -Resume back to an earlier
/// batch (or the start), and redoing batches is harmless because writes are upserts and the rejects
/// file is cut back to the length the checkpoint names.
/// </summary>
internal sealed record Checkpoint(
    string Source,
    string? Table,
    string? Query,
    string Collection,
    long LastSourceRow,
    long RowsWritten,
    long RowsRejected,
    long RejectBytes,
    Dictionary<string, long> RejectReasons,
    bool Completed)
{
    /// <summary>The checkpoint at <paramref name="path"/>; null when there is none, or it was torn (then the import starts over, which is safe).</summary>
    public static Checkpoint? Load(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<Checkpoint>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Save(string path)
    {
        string temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            JsonSerializer.Serialize(stream, this);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>True when this checkpoint belongs to the same source and target as the run asking to resume.</summary>
    public bool Matches(string source, string? table, string? query, string collection) =>
        Source == source && Table == table && Query == query && Collection == collection;
}
