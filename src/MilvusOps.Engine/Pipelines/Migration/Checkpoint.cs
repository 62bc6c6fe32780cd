using System.Text.Json;

namespace MilvusOps.Engine.Pipelines.Migration;

/// <summary>
/// Where an import stands after its last committed batch: the source row it reached, the counts so
/// far, and how long the rejects file was then. Written atomically (temp file, then rename) after each
/// commit, so -Resume continues from a state that the store and the rejects file both hold. It needs no
/// fsync of its own: a checkpoint lost or torn by a power cut only sends -Resume back to an earlier
/// batch (or the start), and redoing batches is harmless because writes are upserts and the rejects
/// file is cut back to the length the checkpoint names. <see cref="Import"/> binds it to its source and
/// target; a checkpoint written before targets were recorded has none, and belongs to no import.
/// </summary>
internal sealed record Checkpoint(
    ImportIdentity? Import,
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

    /// <summary>How this checkpoint's import differs from <paramref name="import"/>; null when it is the same import.</summary>
    public string? Difference(ImportIdentity import) =>
        Import is null ? "it was written by an earlier MilvusOps that did not record its target" : Import.Difference(import);

    /// <summary>The state before the first row: saved when a run starts over, so its rejects file is known to be its own from the start.</summary>
    public static Checkpoint Fresh(ImportIdentity import) => new(import, 0, 0, 0, 0, new Dictionary<string, long>(StringComparer.Ordinal), false);
}
