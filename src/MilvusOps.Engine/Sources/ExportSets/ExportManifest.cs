using System.Text;
using System.Text.Json;

namespace MilvusOps.Engine.Sources.ExportSets;

/// <summary>
/// The manifest of an export set (manifest.json): format "milvusops.export" version 1, the collection's schema and
/// index, where the rows came from, and each shard with its rows, size and SHA-256. Written with snake_case names, as
/// the pattern schema's fields are named, so other tools can read it.
/// </summary>
internal static class ExportManifest
{
    public const string FormatName = "milvusops.export";
    public const int Version = 1;

    /// <summary>Writes the manifest into the set's folder: to a temporary name first, so a manifest is never torn.</summary>
    public static string Write(ExportSet set)
    {
        string path = Path.Combine(set.Path, ExportSet.ManifestName);
        JsonFile.WriteObject(path, writer =>
        {
            writer.WriteString("format", FormatName);
            writer.WriteNumber("version", Version);
            writer.WriteString("file_format", set.Format == ExportFormat.Parquet ? "parquet" : "jsonl");
            writer.WriteString("created_at", set.CreatedAt);
            writer.WriteNumber("rows", set.Rows);

            writer.WriteStartObject("collection");
            writer.WriteString("name", set.Collection);
            writer.WriteNumber("dimension", set.Dimension);
            if (set.Metric is { } metric) writer.WriteString("metric", metric.ToString());
            else writer.WriteNull("metric");
            writer.WriteString("index_type", set.IndexType);
            writer.WritePropertyName("index_parameters");
            if (set.IndexParameters is null) writer.WriteNullValue();
            else writer.WriteRawValue(Metadata.Serialize(set.IndexParameters));
            if (set.Description is null) writer.WriteNull("description");
            else writer.WriteString("description", set.Description);
            writer.WriteNumber("max_id_length", set.MaxIdLength);
            writer.WriteNumber("max_pattern_type_length", set.MaxPatternTypeLength);
            // Written only when set, so a set of an unpartitioned collection reads in a MilvusOps that predates it.
            if (set.Partitioning != CollectionPartitioning.None) writer.WriteString("partitioning", set.Partitioning.ToString());
            writer.WriteEndObject();

            writer.WriteStartObject("source");
            writer.WriteString("uri", set.SourceUri);
            writer.WriteString("database", set.SourceDatabase);
            writer.WriteString("version", set.SourceVersion);
            if (set.Filter is null) writer.WriteNull("filter");
            else writer.WriteString("filter", set.Filter);
            writer.WritePropertyName("filter_parameters");
            if (set.FilterParameters is null) writer.WriteNullValue();
            else writer.WriteRawValue(Metadata.Serialize(set.FilterParameters));
            writer.WriteEndObject();

            writer.WriteStartArray("shards");
            foreach (var shard in set.Shards)
            {
                writer.WriteStartObject();
                writer.WriteString("file", shard.File);
                writer.WriteNumber("rows", shard.Rows);
                writer.WriteNumber("bytes", shard.Bytes);
                writer.WriteString("sha256", shard.Sha256);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        });
        return path;
    }

    /// <summary>Reads the manifest of the export set in <paramref name="folder"/>.</summary>
    /// <exception cref="MilvusOpsException">ExportSetNotFound without a manifest; ExportSetInvalid for a manifest of
    /// another format or version, or one that misses a field or holds a wrong one.</exception>
    public static ExportSet Read(string folder)
    {
        string path = Path.Combine(folder, ExportSet.ManifestName);
        if (!File.Exists(path))
            throw new MilvusOpsException("ExportSetNotFound", ErrorKind.ObjectNotFound,
                $"'{folder}' holds no {ExportSet.ManifestName}: it is no export set (an export writes its manifest last, so an interrupted one has none).", folder);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("format").GetString() != FormatName || root.GetProperty("version").GetInt32() != Version)
                throw Invalid(folder, $"it is not a {FormatName} manifest of version {Version}");
            var collection = root.GetProperty("collection");
            var source = root.GetProperty("source");
            string? Text(JsonElement parent, string name) => parent.GetProperty(name).ValueKind == JsonValueKind.Null ? null : parent.GetProperty(name).GetString();
            string? Raw(JsonElement parent, string name) => parent.GetProperty(name).ValueKind == JsonValueKind.Null ? null : parent.GetProperty(name).GetRawText();
            var shards = root.GetProperty("shards").EnumerateArray().Select(shard => new ExportShard(
                shard.GetProperty("file").GetString()!, shard.GetProperty("rows").GetInt64(), shard.GetProperty("bytes").GetInt64(),
                shard.GetProperty("sha256").GetString()!)).ToList();
            foreach (var shard in shards)
            {
                // A shard is a file in the set's folder, never a path elsewhere.
                if (shard.File.Length == 0 || Path.GetFileName(shard.File) != shard.File || shard.File is "." or "..")
                    throw Invalid(folder, $"the shard name '{shard.File}' is not a file name in the set's folder");
            }
            string fileFormat = root.GetProperty("file_format").GetString()!;
            return new ExportSet
            {
                Path = Path.GetFullPath(folder),
                Format = fileFormat switch
                {
                    "parquet" => ExportFormat.Parquet,
                    "jsonl" => ExportFormat.JsonLines,
                    _ => throw Invalid(folder, $"its file_format '{fileFormat}' is neither parquet nor jsonl"),
                },
                Collection = collection.GetProperty("name").GetString()!,
                Dimension = collection.GetProperty("dimension").GetInt32(),
                Metric = Text(collection, "metric") is { } metric ? Enum.Parse<MetricType>(metric) : null,
                IndexType = collection.GetProperty("index_type").GetString()!,
                IndexParameters = Metadata.Parse(Raw(collection, "index_parameters")),
                Description = Text(collection, "description"),
                MaxIdLength = collection.GetProperty("max_id_length").GetInt32(),
                MaxPatternTypeLength = collection.GetProperty("max_pattern_type_length").GetInt32(),
                Partitioning = collection.TryGetProperty("partitioning", out var partitioning) ? Partitioning(partitioning.GetString()!) : CollectionPartitioning.None,
                SourceUri = source.GetProperty("uri").GetString()!,
                SourceDatabase = source.GetProperty("database").GetString()!,
                SourceVersion = source.GetProperty("version").GetString()!,
                Filter = Text(source, "filter"),
                FilterParameters = Metadata.Parse(Raw(source, "filter_parameters")),
                Rows = root.GetProperty("rows").GetInt64(),
                Shards = shards,
                CreatedAt = root.GetProperty("created_at").GetDateTimeOffset(),
            };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw Invalid(folder, $"its manifest cannot be read ({ex.Message})", ex);
        }
    }

    internal static MilvusOpsException Invalid(string folder, string why, Exception? inner = null) =>
        new("ExportSetInvalid", ErrorKind.InvalidData, $"The export set '{folder}' cannot be used: {why}.", folder, inner);

    private static CollectionPartitioning Partitioning(string text) =>
        Enum.GetNames<CollectionPartitioning>().Contains(text, StringComparer.Ordinal)
            ? Enum.Parse<CollectionPartitioning>(text)
            : throw new FormatException($"its partitioning '{text}' is not one MilvusOps knows");
}
