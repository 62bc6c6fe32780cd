using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources.Collections;

namespace MilvusOps.Engine.Tests.Transfer;

/// <summary>A collection copied to another store through the importer: stopped and resumed without loss or duplication,
/// and checked against the source collection, which finds a changed bit or a missing row.</summary>
public sealed class CollectionCopyTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-copy-").FullName;
    private readonly MilvusConnection _source;
    private readonly MilvusConnection _target;

    public CollectionCopyTests()
    {
        _source = StoreFactory.Connect(Path.Combine(_folder, "source.db"), TimeSpan.FromSeconds(2), create: true);
        _target = StoreFactory.Connect(Path.Combine(_folder, "target.db"), TimeSpan.FromSeconds(2), create: true);
        var session = new PatternSession(_source, default);
        session.Create(new CollectionSpec { Name = "src", Dimension = 3, IndexType = "IVF_FLAT", IndexParametersJson = """{"nlist":4}""" }, false);
        session.Upsert("src", Enumerable.Range(0, 95).Select(i => new Pattern($"p{i:D3}", [i, -0f, float.Epsilon], null, null, null)).ToArray());
    }

    public void Dispose()
    {
        _source.Dispose();
        _target.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private MigrationReport Copy(bool resume = false, CancellationToken cancellation = default, Action<ImportProgress>? onBatch = null)
    {
        using var source = CollectionSource.Open(new PatternSession(_source, cancellation), "src");
        return PatternImporter.Run(new PatternSession(_target, cancellation), source,
            new ImportOptions("copy", Path.Combine(_folder, "copy.rejects.jsonl"))
            {
                BatchSize = 10, CreateCollection = true, NewCollection = source.Collection.ToSpec("copy"), Resume = resume,
            }, onBatch);
    }

    private CoherenceCheckResult Verify()
    {
        using var check = FidelityCheck.Open(new PatternSession(_target, default), "copy", _ => CollectionSource.Open(new PatternSession(_source, default), "src"), everyRow: true);
        return check.Run();
    }

    [Fact]
    public void A_stopped_copy_resumes_without_loss_or_duplication_and_the_check_against_the_source_passes()
    {
        using var stop = new CancellationTokenSource();
        int batches = 0;
        var first = Copy(cancellation: stop.Token, onBatch: _ => { if (++batches == 3) stop.Cancel(); });
        Assert.Equal((false, 30L), (first.Completed, first.RowsWritten));
        var second = Copy(resume: true);
        Assert.Equal((true, 30L, 95L), (second.Completed, second.RowsSkipped, second.RowsWritten));
        Assert.Equal(("IVF_FLAT", "4"), (new PatternSession(_target, default).Describe("copy").IndexType,
            new PatternSession(_target, default).Describe("copy").IndexParameters!["nlist"]!.ToString()));
        var check = Verify();
        Assert.True(check.Passed, check.Message);
        Assert.Equal(95L, check.Checked);
    }

    [Fact]
    public void The_check_against_the_source_finds_a_changed_bit_and_a_missing_row()
    {
        Assert.True(Copy().Completed);
        var target = new PatternSession(_target, default);
        target.Upsert("copy", [new Pattern("p007", [7, 0f, float.Epsilon], null, null, null)]);   // -0 became +0
        target.Delete("copy", ["p050"]);
        var check = Verify();
        Assert.False(check.Passed);
        Assert.Equal(["p007", "p050", "*"], check.Violations.Select(v => v.PatternId));
    }

    [Fact]
    public void A_row_the_target_rejects_fails_the_check_of_a_copy()
    {
        var session = new PatternSession(_target, default);
        session.Create(new CollectionSpec { Name = "copy", Dimension = 3, MaxIdLength = 3 }, false);   // "p000" is four characters
        var report = Copy();
        Assert.Equal((0L, 95L), (report.RowsWritten, report.RowsRejected));
        var check = Verify();
        Assert.False(check.Passed);
        Assert.Equal(95, check.Violations.Count);   // every source row
    }
}
