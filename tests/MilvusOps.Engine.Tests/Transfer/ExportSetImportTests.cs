using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources.ExportSets;

namespace MilvusOps.Engine.Tests.Transfer;

/// <summary>
/// An export set loads into another store bit for bit, with the importer's guarantees: checksums first, rejects with
/// reasons, resume without loss or duplication, and a fidelity check against the set.
/// </summary>
public sealed class ExportSetImportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-exportset-").FullName;
    private readonly MilvusConnection _source;
    private readonly MilvusConnection _target;

    public ExportSetImportTests()
    {
        _source = StoreFactory.Connect(Path.Combine(_folder, "source.db"), TimeSpan.FromSeconds(2), create: true);
        _target = StoreFactory.Connect(Path.Combine(_folder, "target.db"), TimeSpan.FromSeconds(2), create: true);
    }

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static IReadOnlyList<Pattern> Rows(int count) => Enumerable.Range(0, count).Select(i => new Pattern(
        $"p{i:D4}", [i % 3 == 0 ? -0f : i, float.Epsilon * (i + 1), float.MaxValue, 1f / (i + 3)], i % 5 == 0 ? null : "t\U0001F600",
        i % 7 == 0 ? null : $$"""{"quantum_coherence":0.9{{i % 10}}}""", """{"a":[1,2.5,"x"]}""")).ToList();

    private ExportSet Export(ExportFormat format, int count = 120)
    {
        var session = new PatternSession(_source, default);
        session.Create(new CollectionSpec { Name = "src", Dimension = 4, Metric = MetricType.COSINE, IndexType = "IVF_FLAT", IndexParametersJson = """{"nlist":16}""",
            MaxIdLength = 64, MaxPatternTypeLength = 40 }, ifNotExists: true);
        session.Upsert("src", Rows(count));
        return CollectionExporter.Run(session, new ExportOptions("src", Path.Combine(_folder, $"set-{format}"), format) { ShardBytes = 2 << 10, RowGroupRows = 25 });
    }

    private MigrationReport Import(string set, string collection, bool resume = false, CancellationToken cancellation = default, Action<ImportProgress>? onBatch = null)
    {
        using var source = ExportSetSource.Open(set);
        return PatternImporter.Run(new PatternSession(_target, cancellation), source,
            new ImportOptions(collection, Path.Combine(_folder, collection + ".rejects.jsonl"))
            {
                BatchSize = 10, CreateCollection = true, NewCollection = source.Set.ToSpec(collection), Resume = resume,
            }, onBatch);
    }

    private CoherenceCheckResult Fidelity(string set, string collection)
    {
        using var check = FidelityCheck.Open(new PatternSession(_target, default), collection, _ => ExportSetSource.Open(set));
        return check.Run();
    }

    [Theory]
    [InlineData(ExportFormat.Parquet)]
    [InlineData(ExportFormat.JsonLines)]
    public void A_set_imports_into_a_collection_made_as_the_source_was_and_the_fidelity_check_proves_every_bit(ExportFormat format)
    {
        var set = Export(format);
        var report = Import(set.Path, "copy");
        Assert.Equal((120L, 0L, true), (report.RowsWritten, report.RowsRejected, report.Completed));
        var made = new PatternSession(_target, default).Describe("copy");
        Assert.Equal((4, MetricType.COSINE, "IVF_FLAT", "16"), (made.Dimension, made.Metric, made.IndexType, made.IndexParameters!["nlist"]!.ToString()));
        Assert.Equal(40, made.Fields.Single(f => f.Name == PatternSchema.PatternType).MaxLength);
        var fidelity = Fidelity(set.Path, "copy");
        Assert.True(fidelity.Passed, fidelity.Message);
        Assert.Equal(120L, fidelity.Checked);

        // The check can fail: one changed bit is found and named.
        var session = new PatternSession(_target, default);
        var changed = session.Get("copy", ["p0003"]).Single();
        float[] vector = changed.Vector.ToArray();
        vector[0] = BitConverter.UInt32BitsToSingle(BitConverter.SingleToUInt32Bits(vector[0]) ^ 1);
        session.Upsert("copy", [new Pattern("p0003", vector, changed.PatternType, changed.CoherenceMetricsJson, changed.TemporalContextJson)]);
        var failed = Fidelity(set.Path, "copy");
        Assert.False(failed.Passed);
        Assert.Equal("p0003", Assert.Single(failed.Violations).PatternId);
    }

    [Fact]
    public void A_partitioned_collection_travels_as_one_and_an_unknown_partitioning_is_refused()
    {
        var session = new PatternSession(_source, default);
        session.Create(new CollectionSpec { Name = "cells", Dimension = 4, IndexType = "FLAT", Partitioning = CollectionPartitioning.Hilbert }, false);
        session.Upsert("cells", Rows(30));
        var set = CollectionExporter.Run(session, new ExportOptions("cells", Path.Combine(_folder, "cells-set"), ExportFormat.JsonLines));
        Assert.Equal(CollectionPartitioning.Hilbert, ExportSetSource.Open(set.Path).Set.Partitioning);
        Import(set.Path, "cells_copy");
        Assert.Equal(CollectionPartitioning.Hilbert, new PatternSession(_target, default).Describe("cells_copy").Partitioning);

        string manifest = Path.Combine(set.Path, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"Hilbert\"", "\"Octree\"", StringComparison.Ordinal));
        var error = Assert.Throws<MilvusOpsException>(() => ExportSetSource.Open(set.Path));
        Assert.Equal("ExportSetInvalid", error.ErrorId);
        Assert.Contains("Octree", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_changed_or_missing_shard_is_refused_before_a_row_is_read()
    {
        var set = Export(ExportFormat.Parquet);
        Assert.True(set.Shards.Count > 1);
        string shard = Path.Combine(set.Path, set.Shards[1].File);
        byte[] bytes = File.ReadAllBytes(shard);
        bytes[bytes.Length / 2] ^= 0x40;
        File.WriteAllBytes(shard, bytes);
        var changed = Assert.Throws<MilvusOpsException>(() => ExportSetSource.Open(set.Path));
        Assert.Equal(("ExportSetInvalid", ErrorKind.InvalidData), (changed.ErrorId, changed.Kind));
        Assert.Contains(set.Shards[1].File, changed.Message, StringComparison.Ordinal);
        File.Delete(shard);
        Assert.Contains("missing", Assert.Throws<MilvusOpsException>(() => ExportSetSource.Open(set.Path)).Message, StringComparison.Ordinal);
        Assert.Equal("ExportSetNotFound", Assert.Throws<MilvusOpsException>(() => ExportSetSource.Open(_folder)).ErrorId);
    }

    [Fact]
    public void Rows_that_do_not_fit_the_target_go_to_the_rejects_file_with_their_reason()
    {
        var set = Export(ExportFormat.JsonLines, 30);
        new PatternSession(_target, default).Create(new CollectionSpec { Name = "narrow", Dimension = 4, MaxPatternTypeLength = 1 }, false);
        var report = Import(set.Path, "narrow");
        var typed = Rows(30).Where(r => r.PatternType is not null).Select(r => r.PatternId).ToList();
        Assert.Equal((30L - typed.Count, (long)typed.Count), (report.RowsWritten, report.RowsRejected));
        Assert.Equal((long)typed.Count, report.RejectReasons["PatternTypeTooLong"]);
        var rejects = File.ReadAllLines(report.RejectPath!);
        Assert.Equal(typed.Count, rejects.Length);
        Assert.Contains("\"PatternTypeTooLong\"", rejects[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_stopped_import_resumes_after_its_last_batch_without_loss_or_duplication()
    {
        var set = Export(ExportFormat.Parquet);
        using var stop = new CancellationTokenSource();
        int batches = 0;
        var first = Import(set.Path, "resumed", cancellation: stop.Token, onBatch: _ => { if (++batches == 4) stop.Cancel(); });
        Assert.False(first.Completed);
        Assert.Equal(40L, first.RowsWritten);
        var second = Import(set.Path, "resumed", resume: true);
        Assert.True(second.Completed);
        Assert.Equal((40L, 80L, 120L), (second.RowsSkipped, second.RowsRead, second.RowsWritten));
        Assert.Equal(120L, new PatternSession(_target, default).Count("resumed"));
        Assert.True(Fidelity(set.Path, "resumed").Passed);
    }
}
