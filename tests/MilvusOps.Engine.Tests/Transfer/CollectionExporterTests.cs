using System.Security.Cryptography;
using System.Text.Json;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Engine.Session;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Engine.Tests.Transfer;

/// <summary>
/// Export sets: every vector bit, every id and document, in shards whose manifest checksums match, and a Parquet layout
/// that an independent reader (hyparquet, tests/conformance/parquet-rows.js) reads back as Milvus's bulk import expects.
/// </summary>
public sealed class CollectionExporterTests : IDisposable
{
    private const int Dimension = 4;
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-export-").FullName;
    private readonly MilvusConnection _connection;

    public CollectionExporterTests() => _connection = StoreFactory.Connect(Path.Combine(_folder, "store.db"), TimeSpan.FromSeconds(2), create: true);

    public void Dispose()
    {
        _connection.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private PatternSession Session(CancellationToken cancellation = default) => new(_connection, cancellation);

    /// <summary>Rows that break careless writers: -0, subnormals, extremes, null type and documents, text outside the BMP.</summary>
    private static IReadOnlyList<Pattern> Rows(int count) => Enumerable.Range(0, count).Select(i => new Pattern(
        $"p{i:D4}",
        [i % 3 == 0 ? -0f : i, float.Epsilon * (i + 1), i % 2 == 0 ? float.MaxValue : float.MinValue, 1f / (i + 3)],
        i % 5 == 0 ? null : $"type-{i % 4}-\U0001F600",
        i % 7 == 0 ? null : $$"""{"quantum_coherence":0.{{90 + i % 10}},"n":{{i}}}""",
        i % 4 == 0 ? null : $$"""{"window":{"start":{{2000 + i}}},"tags":["a","\u00e9"]}""")).ToList();

    private IReadOnlyList<Pattern> Load(string name, int count)
    {
        var session = Session();
        session.Create(new CollectionSpec { Name = name, Dimension = Dimension, IndexType = "HNSW", IndexParametersJson = """{"M":8,"efConstruction":64}""" }, false);
        var rows = Rows(count);
        session.Upsert(name, rows);
        return rows;
    }

    [Theory]
    [InlineData(ExportFormat.Parquet)]
    [InlineData(ExportFormat.JsonLines)]
    public void An_export_set_holds_every_row_bit_exact_in_shards_its_manifest_vouches_for(ExportFormat format)
    {
        var rows = Load("src", 300);
        string target = Path.Combine(_folder, "set");
        var set = CollectionExporter.Run(Session(), new ExportOptions("src", target, format) { ShardBytes = 16 << 10, RowGroupRows = 50 });

        Assert.Equal((300L, "src", Dimension, "HNSW"), (set.Rows, set.Collection, set.Dimension, set.IndexType));
        Assert.True(set.Shards.Count > 1, "a small shard size makes several shards");
        Assert.Equal(300L, set.Shards.Sum(s => s.Rows));
        Assert.Equal(Path.GetFullPath(target), set.Path);
        string[] expectedFiles = [.. set.Shards.Select(s => s.File), ExportSet.ManifestName];
        Assert.Equal(expectedFiles.Order(), Directory.EnumerateFiles(target).Select(Path.GetFileName).Order());
        foreach (var shard in set.Shards)
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(target, shard.File));
            Assert.Equal((shard.Bytes, shard.Sha256), (bytes.LongLength, Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant()));
        }

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(target, ExportSet.ManifestName)));
        var root = manifest.RootElement;
        Assert.Equal(("milvusops.export", 1, 300), (root.GetProperty("format").GetString(), root.GetProperty("version").GetInt32(), root.GetProperty("rows").GetInt32()));
        Assert.Equal(8, root.GetProperty("collection").GetProperty("index_parameters").GetProperty("M").GetInt32());
        Assert.Equal(set.Shards.Select(s => s.Sha256), root.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("sha256").GetString()));

        var read = set.Shards.SelectMany(s => format == ExportFormat.Parquet ? ReadParquet(Path.Combine(target, s.File)) : ReadJsonLines(Path.Combine(target, s.File))).ToList();
        Assert.Equal(rows.Select(r => r.PatternId), read.Select(r => r.Id));
        for (int i = 0; i < rows.Count; i++)
        {
            var (expected, actual) = (rows[i], read[i]);
            Assert.Equal(expected.Vector.ToArray().Select(BitConverter.SingleToUInt32Bits), actual.VectorBits);
            Assert.Equal(expected.PatternType, actual.Type);
            Assert.Equal(expected.CoherenceMetricsJson, actual.Metrics);
            Assert.Equal(expected.TemporalContextJson, actual.Context);
        }
    }

    private sealed record ReadRow(string Id, string? Type, uint[] VectorBits, string? Metrics, string? Context);

    private static IEnumerable<ReadRow> ReadJsonLines(string path)
    {
        foreach (string line in File.ReadLines(path))
        {
            using var row = JsonDocument.Parse(line);
            var r = row.RootElement;
            static string? Document(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetRawText();
            yield return new ReadRow(r.GetProperty("pattern_id").GetString()!, r.GetProperty("pattern_type").GetString(),
                r.GetProperty("vector").EnumerateArray().Select(v => BitConverter.SingleToUInt32Bits(float.Parse(v.GetRawText(), System.Globalization.CultureInfo.InvariantCulture))).ToArray(),
                Document(r.GetProperty("coherence_metrics")), Document(r.GetProperty("temporal_context")));
        }
    }

    /// <summary>The shard as hyparquet reads it; the schema must be Milvus's bulk-import layout.</summary>
    private static IEnumerable<ReadRow> ReadParquet(string path)
    {
        Skip.If(ConformancePeer.SkipReason is not null, ConformancePeer.SkipReason);
        Skip.IfNot(Directory.Exists(Path.Combine(ConformancePeer.Directory, "node_modules", "hyparquet")),
            "tests/conformance/node_modules/hyparquet is missing: run `npm ci --prefix tests/conformance`.");
        var (exit, stdout, stderr) = ConformancePeer.RunScript("parquet-rows.js", TimeSpan.FromSeconds(60), path);
        Assert.True(exit == 0, stderr);
        using var document = JsonDocument.Parse(stdout);
        var schema = document.RootElement.GetProperty("schema").EnumerateArray().ToList();
        Assert.Equal(["pattern_id", "pattern_type", "vector", "coherence_metrics", "temporal_context"], schema.Select(c => c.GetProperty("name").GetString()));
        Assert.Equal(("BYTE_ARRAY", "STRING", "REQUIRED"), Column(schema[0]));
        Assert.Equal(("BYTE_ARRAY", "STRING", "OPTIONAL"), Column(schema[1]));
        Assert.Equal(("BYTE_ARRAY", "STRING", "OPTIONAL"), Column(schema[3]));
        // vector: a LIST whose repeated group holds one FLOAT element.
        Assert.Equal("LIST", schema[2].GetProperty("logical").GetString());
        var element = schema[2].GetProperty("children")[0].GetProperty("children")[0];
        Assert.Equal("FLOAT", element.GetProperty("type").GetString());
        var rows = new List<ReadRow>();
        foreach (var r in document.RootElement.GetProperty("rows").EnumerateArray())
        {
            static string? Text(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : e.GetString();
            rows.Add(new ReadRow(r.GetProperty("pattern_id").GetString()!, Text(r.GetProperty("pattern_type")),
                r.GetProperty("vector").EnumerateArray().Select(v => v.GetUInt32()).ToArray(),
                Text(r.GetProperty("coherence_metrics")), Text(r.GetProperty("temporal_context"))));
        }
        return rows;

        static (string?, string?, string?) Column(JsonElement c) =>
            (c.GetProperty("type").GetString(), c.GetProperty("logical").GetString(), c.GetProperty("repetition").GetString());
    }

    [Fact]
    public void A_filter_exports_only_its_rows_and_the_manifest_says_which()
    {
        var rows = Load("src", 40);
        var filter = PatternFilter.From("pattern_type == {t}", new Dictionary<string, object?> { ["t"] = "type-1-\U0001F600" });
        var set = CollectionExporter.Run(Session(), new ExportOptions("src", Path.Combine(_folder, "part"), ExportFormat.JsonLines) { Filter = filter });
        Assert.Equal(rows.Where(r => r.PatternType == "type-1-\U0001F600").Select(r => r.PatternId),
            ReadJsonLines(Path.Combine(set.Path, set.Shards.Single().File)).Select(r => r.Id));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(set.Path, ExportSet.ManifestName)));
        Assert.Equal("pattern_type == {t}", manifest.RootElement.GetProperty("source").GetProperty("filter").GetString());
        Assert.Equal("type-1-\U0001F600", manifest.RootElement.GetProperty("source").GetProperty("filter_parameters").GetProperty("t").GetString());
    }

    [Fact]
    public void An_export_never_writes_into_a_folder_it_did_not_make_empty_and_a_stopped_one_leaves_nothing()
    {
        Load("src", 50);
        string occupied = Path.Combine(_folder, "occupied");
        Directory.CreateDirectory(occupied);
        File.WriteAllText(Path.Combine(occupied, "keep.txt"), "mine");
        foreach (string path in new[] { occupied, Path.Combine(_folder, "store.db"), Path.Combine(_folder, "no", "such", "parent") })
        {
            var refused = Assert.Throws<MilvusOpsException>(() => CollectionExporter.Run(Session(), new ExportOptions("src", path, ExportFormat.Parquet)));
            Assert.Equal((CollectionExporter.InvalidPathId, ErrorKind.InvalidArgument), (refused.ErrorId, refused.Kind));
        }
        Assert.Equal(["keep.txt"], Directory.EnumerateFiles(occupied).Select(Path.GetFileName));

        // Stopped after its first batch: the shard it began is removed, and so is the folder it made.
        using var stop = new CancellationTokenSource();
        string stopped = Path.Combine(_folder, "stopped");
        Assert.ThrowsAny<OperationCanceledException>(() => CollectionExporter.Run(Session(stop.Token),
            new ExportOptions("src", stopped, ExportFormat.Parquet) { RowGroupRows = 10 }, _ => stop.Cancel()));
        Assert.False(Directory.Exists(stopped));

        // An empty folder it did not make stays, empty.
        string empty = Directory.CreateDirectory(Path.Combine(_folder, "empty")).FullName;
        using var stopAgain = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => CollectionExporter.Run(Session(stopAgain.Token),
            new ExportOptions("src", empty, ExportFormat.JsonLines) { RowGroupRows = 10 }, _ => stopAgain.Cancel()));
        Assert.True(Directory.Exists(empty));
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));

        // A bad filter fails before any file is made.
        Assert.Equal("FilterFieldNotFound", Assert.Throws<MilvusOpsException>(() => CollectionExporter.Run(Session(),
            new ExportOptions("src", Path.Combine(_folder, "badfilter"), ExportFormat.Parquet) { Filter = PatternFilter.From("nope == 1") })).ErrorId);
        Assert.False(Directory.Exists(Path.Combine(_folder, "badfilter")));
    }
}
