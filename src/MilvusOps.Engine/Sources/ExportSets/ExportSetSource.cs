using System.Buffers;
using System.Text.Json;
using Parquet;

namespace MilvusOps.Engine.Sources.ExportSets;

/// <summary>
/// An export set read as a source: its manifest, then its shards in order, rows numbered from 1 across them. Opening
/// it checks every shard's size and SHA-256 against the manifest, so a changed, truncated or missing shard is refused
/// (ExportSetInvalid) before a row is read. Each row is checked as Add-Pattern checks one (id, vector dimension and
/// values, JSON documents); a row that fails is a reject with the pattern's ErrorId.
/// </summary>
public sealed class ExportSetSource : IPatternSource
{
    /// <summary>A row a shard holds but that cannot be decoded (a JSON Lines line that is no pattern object).</summary>
    public const string RowInvalidId = "ExportRowInvalid";

    private static readonly IReadOnlyDictionary<string, object?> NoValues = new Dictionary<string, object?>();

    private ExportSetSource(ExportSet set) => Set = set;

    /// <summary>The manifest.</summary>
    public ExportSet Set { get; }

    public string Path => Set.Path;
    public string? Table => null;
    public string? Query => null;
    public int? Dimension => Set.Dimension;
    public long RowCount => Set.Rows;
    public bool ReadsIdsBack => false;

    /// <summary>Opens the set in <paramref name="folder"/> once every shard's size and SHA-256 match its manifest.</summary>
    /// <exception cref="MilvusOpsException">ExportSetNotFound, ExportSetInvalid.</exception>
    public static ExportSetSource Open(string folder, CancellationToken cancellation = default)
    {
        var set = ExportManifest.Read(folder);
        if (set.Shards.Sum(s => s.Rows) != set.Rows)
            throw ExportManifest.Invalid(folder, $"its shards hold {set.Shards.Sum(s => s.Rows)} rows, but it says {set.Rows}");
        foreach (var shard in set.Shards)
        {
            string path = System.IO.Path.Combine(set.Path, shard.File);
            if (!File.Exists(path)) throw ExportManifest.Invalid(folder, $"the shard '{shard.File}' is missing");
            long bytes = new FileInfo(path).Length;
            if (bytes != shard.Bytes)
                throw ExportManifest.Invalid(folder, $"the shard '{shard.File}' is {bytes} bytes; the manifest says {shard.Bytes}");
            if (!string.Equals(FileHash.Sha256(path, cancellation), shard.Sha256, StringComparison.OrdinalIgnoreCase))
                throw ExportManifest.Invalid(folder, $"the shard '{shard.File}' does not match its SHA-256 in the manifest: it changed after the export");
        }
        return new ExportSetSource(set);
    }

    public string DescribeMapping() =>
        $"# Export set {Set.Path}\n\n" +
        $"- {Set.Format}, {Set.Rows} rows in {Set.Shards.Count} shard(s), checksums verified\n" +
        $"- exported {Set.CreatedAt:u} from collection `{Set.Collection}` at {Set.SourceUri} (database {Set.SourceDatabase}, {Set.SourceVersion})" +
        (Set.Filter is null ? "" : $", filter `{Set.Filter}`") + "\n" +
        $"- {Set.Dimension}-d vectors; every field maps to the field of the same name\n";

    public IEnumerable<SourceRecord> Read(long afterSourceRow = 0)
    {
        long first = 0;   // rows before the current shard
        foreach (var shard in Set.Shards)
        {
            if (first + shard.Rows <= afterSourceRow)
            {
                first += shard.Rows;
                continue;
            }
            string path = System.IO.Path.Combine(Set.Path, shard.File);
            long row = first;
            foreach (var record in Set.Format == ExportFormat.Parquet ? ReadParquet(path, first) : ReadJsonLines(path, first))
            {
                row = record.SourceRow;
                if (row > afterSourceRow) yield return record;
            }
            if (row - first != shard.Rows)
                throw ExportManifest.Invalid(Set.Path, $"the shard '{shard.File}' holds {row - first} rows; the manifest says {shard.Rows}");
            first += shard.Rows;
        }
    }

    public IEnumerable<(long Row, string Id)> Ids(long afterSourceRow, long upToSourceRow) =>
        Read(afterSourceRow).TakeWhile(r => r.SourceRow <= upToSourceRow).Where(r => r.PatternId is not null).Select(r => (r.SourceRow, r.PatternId!));

    /// <summary>A reject carries the fields that decoded; the shard itself is the original.</summary>
    public IReadOnlyDictionary<string, object?> ValuesOf(long sourceRow) => NoValues;

    public void Dispose()
    {
    }

    /// <summary>A decoded row, checked as Add-Pattern checks a pattern.</summary>
    private SourceRecord Record(long row, string? id, float[]? vector, string? type, string? metrics, string? context)
    {
        var decoded = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [nameof(Pattern.PatternId)] = id,
            [nameof(Pattern.Vector)] = vector,
            [nameof(Pattern.PatternType)] = type,
            [nameof(Pattern.CoherenceMetrics)] = metrics,
            [nameof(Pattern.TemporalContext)] = context,
        };
        if (string.IsNullOrEmpty(id))
            return new SourceRecord(row, null, "MissingPatternId", $"Row {row} of export set '{Set.Path}' has no pattern_id.", NoValues, decoded);
        try
        {
            Utf16Text.CheckEncodable(id, PatternSchema.PatternId, id);
            Utf16Text.CheckEncodable(type, PatternSchema.PatternType, id);
            PatternValidator.CheckVector(vector, Set.Dimension, id);
            return new SourceRecord(row, new Pattern(id, vector!, type,
                Metadata.Validate(metrics, PatternSchema.CoherenceMetrics, id), Metadata.Validate(context, PatternSchema.TemporalContext, id)) { SourceRow = row });
        }
        catch (MilvusOpsException ex)
        {
            return new SourceRecord(row, id, ex.ErrorId, ex.Message, NoValues, decoded);
        }
    }

    private IEnumerable<SourceRecord> ReadJsonLines(string path, long first)
    {
        long row = first;
        foreach (string line in File.ReadLines(path))
        {
            row++;
            SourceRecord record;
            try
            {
                using var document = JsonDocument.Parse(line);
                var r = document.RootElement;
                string? Text(string name) => r.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetString() : null;
                string? Raw(string name) => r.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetRawText() : null;
                float[]? vector = r.TryGetProperty(PatternSchema.Vector, out var v) && v.ValueKind == JsonValueKind.Array
                    ? v.EnumerateArray().Select(x => float.Parse(x.GetRawText(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture)).ToArray()
                    : null;
                record = Record(row, Text(PatternSchema.PatternId), vector, Text(PatternSchema.PatternType), Raw(PatternSchema.CoherenceMetrics), Raw(PatternSchema.TemporalContext));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
            {
                record = new SourceRecord(row, null, RowInvalidId, $"Line {row - first} of shard '{System.IO.Path.GetFileName(path)}' is no pattern object: {ex.Message}",
                    new Dictionary<string, object?> { ["line"] = line });
            }
            yield return record;
        }
    }

    private IEnumerable<SourceRecord> ReadParquet(string path, long first)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = Wait(ParquetReader.CreateAsync(stream, null, leaveStreamOpen: true));
        try
        {
            if (!reader.Schema.Equals(ParquetShardWriter.Schema))
                throw ExportManifest.Invalid(Set.Path, $"the shard '{System.IO.Path.GetFileName(path)}' does not have the export schema: {reader.Schema.GetNotEqualsMessage(ParquetShardWriter.Schema, "shard", "export")}");
            long row = first;
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int rows = checked((int)group.RowCount);
                var ids = new string?[rows];
                var types = new string?[rows];
                var metrics = new string?[rows];
                var contexts = new string?[rows];
                Wait(group.ReadAsync(ParquetShardWriter.Columns.Id, ids.AsMemory()!, null, default));
                Wait(group.ReadAsync(ParquetShardWriter.Columns.Type, types.AsMemory()!, null, default));
                Wait(group.ReadAsync(ParquetShardWriter.Columns.Metrics, metrics.AsMemory()!, null, default));
                Wait(group.ReadAsync(ParquetShardWriter.Columns.Context, contexts.AsMemory()!, null, default));
                var vectors = ReadVectors(group, rows) ?? throw ExportManifest.Invalid(Set.Path,
                    $"row group {g} of the shard '{System.IO.Path.GetFileName(path)}' holds another number of vectors than of rows");
                for (int i = 0; i < rows; i++)
                    yield return Record(++row, ids[i], vectors[i], types[i], metrics[i], contexts[i]);
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The vector column's rows: a repetition level of 0 starts a row; an element at the deepest definition
    /// level is a value (a row whose list is null or empty has none, and is rejected as missing its vector). Null when the
    /// column holds another number of rows than the group.</summary>
    private static float[]?[]? ReadVectors(ParquetRowGroupReader group, int rows)
    {
        var element = ParquetShardWriter.Columns.Element;
        int levels = checked((int)group.GetMetadata(element)!.MetaData!.NumValues);
        // Tens of MB a row group, read once: pooled, so an import does not leave each one to the GC.
        float[] values = ArrayPool<float>.Shared.Rent(levels);
        int[] definitions = ArrayPool<int>.Shared.Rent(levels), repetitions = ArrayPool<int>.Shared.Rent(levels);
        try
        {
            // Levels a short read leaves untouched read as zero (no value), as fresh arrays did, never as another group's.
            definitions.AsSpan(0, levels).Clear();
            repetitions.AsSpan(0, levels).Clear();
            Wait(group.ReadRawAsync<float>(element, values.AsMemory(0, levels), definitions.AsMemory(0, levels), repetitions.AsMemory(0, levels), default));
            var vectors = new float[]?[rows];
            int row = -1, start = 0, next = 0;   // a row's values are values[start..next)
            float[]? Vector() => next == start ? null : values[start..next];
            for (int i = 0; i < levels; i++)
            {
                if (repetitions[i] == 0)
                {
                    if (row >= 0) vectors[row] = Vector();
                    if (++row >= rows) return null;
                    start = next;
                }
                if (definitions[i] == element.MaxDefinitionLevel) next++;
            }
            if (row + 1 != rows) return null;
            if (row >= 0) vectors[row] = Vector();
            return vectors;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(values);
            ArrayPool<int>.Shared.Return(definitions);
            ArrayPool<int>.Shared.Return(repetitions);
        }
    }

    // The shard is a local FileStream and the engine runs no synchronization context: waiting cannot deadlock.
    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();
}
