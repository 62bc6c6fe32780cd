using System.Text.Json;

namespace MilvusOps.Engine.Sources;

/// <summary>The manifests' one way of writing: an indented JSON object, under a temporary name first (path + ".tmp"), so
/// a reader finds a whole manifest or none, never half of one.</summary>
internal static class JsonFile
{
    public static void WriteObject(string path, Action<Utf8JsonWriter> properties)
    {
        string temporary = path + ".tmp";
        using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
        using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            properties(writer);
            writer.WriteEndObject();
            writer.Flush();
            file.Flush(flushToDisk: true);   // on disk before its name says it is whole
        }
        File.Move(temporary, path);
    }
}
