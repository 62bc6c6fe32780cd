using MilvusOps.Engine.Backends.Milvus;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Stack;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Engine.Tests.Transfer;

/// <summary>One stateful peer with an S3 API (s3rver) and the bulk-import REST API (<c>peer.js --stateful --bulk</c>),
/// behind a user and password, and a source store with an export set of it.</summary>
public sealed class BulkPeer : IDisposable
{
    public const string User = "root", Password = "Milvus";

    public BulkPeer()
    {
        if (SkipReason is not null) return;
        Peer = ConformancePeer.Start("--token", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{User}:{Password}")), "--stateful", "--bulk");
        Storage = new ObjectStorageTarget(new Uri(Peer.S3Address!), ObjectStorageTarget.DefaultBucket, "S3RVER", "S3RVER");
    }

    public string? SkipReason { get; } = ConformancePeer.SkipReason;
    public ConformancePeer? Peer { get; }
    public ObjectStorageTarget? Storage { get; }
    public Uri Rest => new(Peer!.RestAddress!);
    public string Folder { get; } = Directory.CreateTempSubdirectory("milvusops-bulk-").FullName;

    public MilvusConnection Connect() => StoreFactory.Connect(MilvusEndpoint.Parse(Peer!.Address).WithCredential(User, Password));

    public void Dispose()
    {
        Peer?.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}

/// <summary>
/// Milvus's bulk import from an export set, end to end against the peer: the shards go to a real S3 API, the peer's
/// import job reads them with hyparquet (someone else's Parquet reader) and loads them, and the collection is checked
/// against the set bit for bit. A failed job is reported with its reason and leaves no rows.
/// </summary>
public sealed class BulkImportTests(BulkPeer fixture) : IClassFixture<BulkPeer>
{
    private static IReadOnlyList<Pattern> Rows(int count, string prefix = "p") => Enumerable.Range(0, count).Select(i => new Pattern(
        $"{prefix}{i:D4}", [i % 3 == 0 ? -0f : i, float.Epsilon * (i + 1), float.MaxValue, 1f / (i + 3)], i % 5 == 0 ? null : "t\U0001F600",
        i % 7 == 0 ? null : $$"""{"quantum_coherence":0.9{{i % 10}}}""", """{"a":[1,2.5,"x"]}""")).ToList();

    /// <summary>An export set of <paramref name="count"/> rows in several shards, from an embedded store.</summary>
    private string ExportSet(string name, int count, ExportFormat format = ExportFormat.Parquet, string prefix = "p")
    {
        string store = Path.Combine(fixture.Folder, $"{name}.db");
        using var connection = StoreFactory.Connect(store, TimeSpan.FromSeconds(5), create: true);
        var session = new PatternSession(connection, default);
        session.Create(new CollectionSpec { Name = name, Dimension = 4, IndexType = "HNSW", IndexParametersJson = """{"M":8,"efConstruction":64}""" }, false);
        session.Upsert(name, Rows(count, prefix).ToArray());
        string set = Path.Combine(fixture.Folder, $"{name}-set");
        CollectionExporter.Run(session, new ExportOptions(name, set, format) { ShardBytes = 4000, RowGroupRows = 7 });
        return set;
    }

    private PatternSession Session()
    {
        Skip.If(fixture.SkipReason is not null, fixture.SkipReason);
        return new PatternSession(fixture.Connect(), default);
    }

    [SkippableFact]
    public void An_export_set_loads_through_object_storage_and_an_import_job_bit_for_bit()
    {
        var session = Session();
        string set = ExportSet("bulk_a", 150);
        var uploads = new List<UploadProgress>();
        var job = BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { CreateCollection = true, RestUri = fixture.Rest }, uploads.Add);
        Assert.Equal(("bulk_a", set), (job.Collection, job.SourcePath));
        Assert.True(uploads.Select(u => u.Shard).Distinct().Count() > 2, "the set has several shards");
        Assert.Equal(uploads[^1].BytesTotal, uploads[^1].BytesDone);

        // While the job runs its rows are not visible: a second start is refused, not run twice.
        var twice = Assert.Throws<MilvusOpsException>(() => BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { RestUri = fixture.Rest }));
        Assert.Equal("BulkImportTargetNotEmpty", twice.ErrorId);
        Assert.Contains(job.JobId, twice.Message, StringComparison.Ordinal);

        var states = new List<string>();
        var done = BulkImporter.Wait(session, job.JobId, fixture.Rest, TimeSpan.FromSeconds(60), seen => states.Add(seen.State));
        Assert.True(done.IsCompleted, $"{done.State}: {done.Reason}");
        Assert.Equal((100, 150L, 150L), (done.Progress, done.ImportedRows, done.TotalRows));
        Assert.Contains(states, s => s != "Completed");
        Assert.Equal(("HNSW", "8"), (session.Describe("bulk_a").IndexType, session.Describe("bulk_a").IndexParameters!["M"]!.ToString()));
        var check = BulkImporter.Verify(session, "bulk_a", set);
        Assert.True(check.Passed, check.Message);
        Assert.Equal(150L, check.Checked);

        // The same set again, into another collection: the objects are there already with the same bytes, so nothing is uploaded twice.
        var again = new List<UploadProgress>();
        var second = BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { Collection = "bulk_a2", CreateCollection = true, RestUri = fixture.Rest }, again.Add);
        Assert.True(BulkImporter.Wait(session, second.JobId, fixture.Rest, TimeSpan.FromSeconds(60)).IsCompleted);
        Assert.True(BulkImporter.Verify(session, "bulk_a2", set).Passed);
        Assert.Contains(session.ListImportJobs("bulk_a", fixture.Rest), j => j.JobId == job.JobId);

        // A set of new ids appended: its check covers the set's patterns, not the collection's count.
        string more = ExportSet("bulk_a_more", 20, prefix: "q");
        var appended = BulkImporter.Start(session, new BulkImportOptions(more, fixture.Storage!) { Collection = "bulk_a", Append = true, RestUri = fixture.Rest });
        Assert.True(appended.Appended);
        Assert.True(BulkImporter.Wait(session, appended.JobId, fixture.Rest, TimeSpan.FromSeconds(60)).IsCompleted);
        Assert.Equal(170L, session.Count("bulk_a"));
        Assert.True(BulkImporter.Verify(session, "bulk_a", more, appended: true).Passed);
        Assert.False(BulkImporter.Verify(session, "bulk_a", more).Passed);
        Assert.Contains(session.ListImportJobs(null, fixture.Rest), j => j.JobId == second.JobId);
    }

    [SkippableFact]
    public void A_job_the_server_fails_is_failed_with_its_reason_and_leaves_no_rows()
    {
        var session = Session();
        string set = ExportSet("bulk_b", 40);
        // Ids of five characters do not fit a collection whose ids are at most three: the server's reader refuses the file.
        session.Create(new CollectionSpec { Name = "bulk_b", Dimension = 4, MaxIdLength = 3 }, false);
        var job = BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { RestUri = fixture.Rest });
        var done = BulkImporter.Wait(session, job.JobId, fixture.Rest, TimeSpan.FromSeconds(60));
        Assert.True(done.IsFailed, done.State);
        Assert.False(string.IsNullOrEmpty(done.Reason));
        Assert.Equal(0L, session.Count("bulk_b"));
        var check = BulkImporter.Verify(session, "bulk_b", set);
        Assert.False(check.Passed);
        Assert.Contains(check.Violations, v => v.Detail.Contains("cannot be in bulk_b", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void An_object_with_other_bytes_is_not_overwritten_and_bad_input_is_refused_before_an_upload()
    {
        var session = Session();
        string set = ExportSet("bulk_c", 30);
        var manifest = Sources.ExportSets.ExportSetSource.Open(set).Set;
        // Put other bytes where the first shard would go, then a start finds them.
        string other = Path.Combine(fixture.Folder, "other.bin");
        File.WriteAllText(other, "not a shard");
        var first = BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { Prefix = "taken", CreateCollection = true, RestUri = fixture.Rest });
        var done = BulkImporter.Wait(session, first.JobId, fixture.Rest, TimeSpan.FromSeconds(60));
        Assert.True(done.IsCompleted);
        // The server names each file as Go prints a list of keys: "[taken/<set folder>/part-00000.parquet]".
        string key = done.Files.Select(f => f.File.Trim('[', ']')).Single(k => k.StartsWith("taken/", StringComparison.Ordinal) && k.EndsWith(manifest.Shards[0].File, StringComparison.Ordinal));
        using (var storage = new ObjectStorage(fixture.Storage!))
            storage.Upload(key, other, "0000", null, default);
        var conflict = Assert.Throws<MilvusOpsException>(() =>
            BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { Prefix = "taken", Collection = "bulk_c2", CreateCollection = true, RestUri = fixture.Rest }));
        Assert.Equal("ObjectStorageConflict", conflict.ErrorId);

        string json = ExportSet("bulk_json", 5, ExportFormat.JsonLines);
        Assert.Equal("BulkImportNeedsParquet", Assert.Throws<MilvusOpsException>(() =>
            BulkImporter.Start(session, new BulkImportOptions(json, fixture.Storage!) { CreateCollection = true, RestUri = fixture.Rest })).ErrorId);
        Assert.Equal("CollectionNotFound", Assert.Throws<MilvusOpsException>(() =>
            BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { Collection = "missing", RestUri = fixture.Rest })).ErrorId);

        using var embedded = StoreFactory.Connect(Path.Combine(fixture.Folder, "bulk_c.db"), TimeSpan.FromSeconds(5));
        var nowhere = new ObjectStorageTarget(new Uri("http://127.0.0.1:9"), "a-bucket", "k", "s");
        Assert.Equal("NotSupportedByBackend", Assert.Throws<MilvusOpsException>(() =>
            BulkImporter.Start(new PatternSession(embedded, default), new BulkImportOptions(set, nowhere) { Collection = "bulk_c" })).ErrorId);

        var denied = fixture.Storage! with { SecretKey = "wrong" };
        Assert.Equal("ObjectStorageDenied", Assert.Throws<MilvusOpsException>(() =>
            BulkImporter.Start(session, new BulkImportOptions(set, denied) { Prefix = "denied", Collection = "bulk_c3", CreateCollection = true, RestUri = fixture.Rest })).ErrorId);
        Assert.DoesNotContain(session.List(), c => c.Name == "bulk_c3");   // made only after an upload that succeeds

        // Into a partitioned collection: the shards carry no cells.
        session.Create(new CollectionSpec { Name = "bulk_cells", Dimension = 4, IndexType = "FLAT", Partitioning = CollectionPartitioning.Hilbert }, false);
        var cells = Assert.Throws<MilvusOpsException>(() => BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { Collection = "bulk_cells", RestUri = fixture.Rest }));
        Assert.Equal(("BulkImportIntoCells", ErrorKind.InvalidOperation, "bulk_cells"), (cells.ErrorId, cells.Kind, cells.Target));

        // Into a collection that holds patterns: Milvus would add them again.
        var again = Assert.Throws<MilvusOpsException>(() => BulkImporter.Start(session, new BulkImportOptions(set, fixture.Storage!) { Collection = "bulk_c", RestUri = fixture.Rest }));
        Assert.Equal("BulkImportTargetNotEmpty", again.ErrorId);

        // The credentials go to the connected server's host only.
        Assert.Equal("InvalidEndpointUri", Assert.Throws<MilvusOpsException>(() => session.ListImportJobs(null, new Uri("http://localhost:" + fixture.Rest.Port))).ErrorId);
        var unknown = Assert.Throws<MilvusOpsException>(() => session.DescribeImportJob("123456789", fixture.Rest));
        Assert.Equal("MilvusImportFailed", unknown.ErrorId);
        Assert.Contains("import job does not exist", unknown.Message, StringComparison.Ordinal);
    }
}
