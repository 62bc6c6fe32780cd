using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MilvusOps.Module.Tests;

/// <summary>
/// Imports and checks that cannot report success they did not achieve: checkpoints bound to their target,
/// rejects paths that cannot destroy other files, rejects that do not land unfixed, checks that fail on nothing.
/// </summary>
public sealed class ImportTrustTests : IClassFixture<LegacyFileFixture>, IDisposable
{
    private readonly LegacyFileFixture _legacy;
    private readonly ModuleSession _session = new();

    public ImportTrustTests(LegacyFileFixture legacy)
    {
        _legacy = legacy;
        // A copy in the session's folder: default rejects files are written beside the source.
        File.Copy(legacy.Path, SourcePath);
        _session.Run("Connect-Milvus ./other.db -Create -NoDefault | Out-Null; Connect-Milvus ./patterns.db -Create | Out-Null");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _session.Dispose();
    }

    private string SourcePath => Path.Combine(_session.Folder, "legacy.db");

    private string RejectPath => Path.Combine(_session.Folder, "legacy.rejects.jsonl");

    private const string Import = "Import-SqlitePattern ./legacy.db legacy -ColumnMap $map -CreateCollection";

    private PSObject Run(string arguments) => _session.Run($"{LegacyFiles.ColumnMap}; {Import} {arguments}")[0];

    private ErrorRecord Fail(string arguments) => _session.Fail($"{LegacyFiles.ColumnMap}; {Import} {arguments}");

    private static long Long(PSObject o, string property) => Convert.ToInt64(o.Properties[property].Value);

    private long EntityCount(string store) =>
        Convert.ToInt64(_session.Run("(Get-PatternCollection legacy -Connection $args[0]).EntityCount", store)[0].BaseObject);

    private List<string> Snapshot() => _session.Run("Get-Pattern legacy | ForEach-Object { $_.PatternId + ':' + $_.PatternType + ':' + $_.CoherenceMetricsJson + ':' + $_.TemporalContextJson + ':' + " +
        "[Convert]::ToBase64String([Runtime.InteropServices.MemoryMarshal]::AsBytes([Span[float]]$_.Vector).ToArray()) }").Select(o => o.ToString()).ToList();

    /// <summary>What ConvertFrom-Json gives pwsh for a line (the hosted engine has no ConvertFrom-Json).</summary>
    private static PSObject FromJson(string line) => (PSObject)FromJson(JsonDocument.Parse(line).RootElement)!;

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(new PSObject(), (o, p) => { o.Properties.Add(new PSNoteProperty(p.Name, FromJson(p.Value))); return o; }),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToArray(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out long l) ? l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    [Fact]
    public void Resume_into_another_store_or_collection_is_refused_naming_what_differs()
    {
        Assert.True((bool)Run("-RejectPath ./legacy.rejects.jsonl").Properties["Completed"].Value);

        var otherStore = Fail("-RejectPath ./legacy.rejects.jsonl -Resume -Connection ./other.db");
        Assert.StartsWith("CheckpointMismatch,", otherStore.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, otherStore.CategoryInfo.Category);
        Assert.Contains("target store", otherStore.Exception.Message);
        Assert.Contains("other.db", otherStore.Exception.Message);
        Assert.Empty(_session.Run("Get-PatternCollection -Connection ./other.db"));

        var otherCollection = _session.Fail($"{LegacyFiles.ColumnMap}; Import-SqlitePattern ./legacy.db renamed -ColumnMap $map -CreateCollection -RejectPath ./legacy.rejects.jsonl -Resume");
        Assert.StartsWith("CheckpointMismatch,", otherCollection.FullyQualifiedErrorId);
        Assert.Contains("target collection", otherCollection.Exception.Message);
    }

    [Fact]
    public void The_default_rejects_file_is_per_target_and_the_report_names_the_target()
    {
        var first = Run("");
        var second = Run("-Connection ./other.db -Resume");   // nothing to resume for this target: a full import
        string firstRejects = (string)first.Properties["RejectPath"].Value;
        string secondRejects = (string)second.Properties["RejectPath"].Value;
        Assert.NotEqual(firstRejects, secondRejects);
        Assert.Equal(_session.Folder, Path.GetDirectoryName(firstRejects));
        Assert.Matches(@"^legacy\.legacy\.[0-9a-f]{8}\.rejects\.jsonl$", Path.GetFileName(firstRejects));
        Assert.Equal(_session.StorePath, first.Properties["TargetUri"].Value);
        Assert.Equal(Path.Combine(_session.Folder, "other.db"), second.Properties["TargetUri"].Value);
        Assert.Equal("default", second.Properties["TargetDatabase"].Value);
        Assert.Equal(0, Long(second, "RowsSkipped"));
        Assert.Equal(Long(first, "RowsWritten"), Long(second, "RowsWritten"));
        Assert.Equal(Long(second, "RowsWritten"), EntityCount("./other.db"));
    }

    [Fact]
    public void An_unfinished_checkpoint_that_a_run_without_Resume_replaces_is_a_warning_that_says_how_to_resume()
    {
        _session.Fail($"{LegacyFiles.ColumnMap}; {Import} -RejectPath ./legacy.rejects.jsonl -MaxRejects 3 -BatchSize 100");
        var rerun = _session.Invoke($"{LegacyFiles.ColumnMap}; {Import} -RejectPath ./legacy.rejects.jsonl");
        string warning = Assert.Single(rerun.Other);
        Assert.Contains("-Resume", warning);
        Assert.Contains("stopped after source row", warning);
        var report = Assert.Single(rerun.Output);
        Assert.Equal(warning, Assert.Single((IEnumerable<string>)report.Properties["Warnings"].Value));
        Assert.Equal(LegacyFileFixture.Rows, Long(report, "RowsRead"));

        // A finished checkpoint is nothing to warn about.
        Assert.Empty(_session.Invoke($"{LegacyFiles.ColumnMap}; {Import} -RejectPath ./legacy.rejects.jsonl").Other);
    }

    public static TheoryData<string, string, string> RefusedRejectPaths => new()
    {
        { "./legacy.db", "legacy.db", "legacy source" },
        { "./patterns.db", "patterns.db", "store file" },
        { "./patterns.db-wal", "patterns.db-wal", "wal file" },
        { "./patterns.db-shm", "patterns.db-shm", "shm file" },
        { ".", "", "folder" },
        { "./missing/r.jsonl", "", "does not exist" },
        { "./notes.txt", "notes.txt", "not a rejects file" },
        { "./other.rejects.jsonl", "other.rejects.jsonl", "another source" },
    };

    [Theory]
    [MemberData(nameof(RefusedRejectPaths))]
    public void A_reject_path_that_is_not_this_imports_own_file_is_refused_before_anything_is_written(string rejectPath, string guarded, string reason)
    {
        _session.Run("New-PatternCollection keep -Dimension 2 | Out-Null; [pscustomobject]@{ PatternId = 'k'; Vector = 1, 2 } | Add-Pattern keep");
        File.WriteAllText(Path.Combine(_session.Folder, "notes.txt"), "operator's notes\n");
        File.WriteAllText(Path.Combine(_session.Folder, "other.rejects.jsonl"), """{"SourceRow":1,"ErrorId":"MissingVector","Source":"/elsewhere/old.db"}""" + "\n");
        string? guardedPath = guarded.Length > 0 ? Path.Combine(_session.Folder, guarded) : null;
        byte[]? before = guardedPath is not null && File.Exists(guardedPath) ? File.ReadAllBytes(guardedPath) : null;

        var error = Fail($"-RejectPath '{rejectPath}'");
        Assert.StartsWith("RejectPathInvalid,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains(reason, error.Exception.Message);
        if (before is not null) Assert.Equal(before, File.ReadAllBytes(guardedPath!));
        // Nothing was written: no collection was created, and the store's collections are intact.
        Assert.Equal(["keep"], _session.Run("Get-PatternCollection | ForEach-Object Name").Select(o => o.ToString()));
        Assert.Equal(1L, Convert.ToInt64(_session.Run("(Get-PatternCollection keep).EntityCount")[0].BaseObject));
    }

    [Fact]
    public void Another_imports_rejects_file_is_refused_and_this_imports_own_is_reused_even_with_a_torn_first_line()
    {
        Run("-RejectPath ./legacy.rejects.jsonl");
        byte[] rejects = File.ReadAllBytes(RejectPath);
        var other = Fail("-RejectPath ./legacy.rejects.jsonl -Connection ./other.db");
        Assert.StartsWith("RejectPathInvalid,", other.FullyQualifiedErrorId);
        Assert.Contains("another import", other.Exception.Message);
        Assert.Contains("target store", other.Exception.Message);
        Assert.Equal(rejects, File.ReadAllBytes(RejectPath));

        // The checkpoint beside it vouches for the file, whatever a crash left in it.
        File.WriteAllText(RejectPath, "{\"SourceRow\":1,\"Patt");
        Assert.True((bool)Run("-RejectPath ./legacy.rejects.jsonl").Properties["Completed"].Value);
        Assert.Equal(rejects, File.ReadAllBytes(RejectPath));
    }

    [Fact]
    public void Rejects_piped_back_unchanged_land_nothing_and_mark_what_did_not_decode()
    {
        Run("-RejectPath ./legacy.rejects.jsonl");
        var before = Snapshot();
        var lines = File.ReadAllLines(RejectPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var invalidJson = lines.First(l => l.GetProperty("ErrorId").GetString() == "InvalidJson");
        Assert.Equal(["TemporalContext"], invalidJson.GetProperty("Undecoded").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(lines.First(l => l.GetProperty("ErrorId").GetString() == "DuplicatePatternId").GetProperty("Undecoded").EnumerateArray());
        Assert.All(lines, l => Assert.Equal(SourcePath, l.GetProperty("Source").GetString()));

        var result = _session.Invoke("$args[0] | Add-Pattern legacy", (object)File.ReadAllLines(RejectPath).Select(FromJson).ToArray());
        Assert.Equal(lines.Count, result.Errors.Count);
        Assert.All(result.Errors, e => Assert.StartsWith("UnfixedReject,", e.FullyQualifiedErrorId));
        Assert.All(result.Errors, e => Assert.Equal(ErrorCategory.InvalidData, e.CategoryInfo.Category));
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void Force_lands_a_fixed_line_that_kept_its_ErrorId_but_never_an_unfixed_field_or_a_rejected_duplicate()
    {
        Run("-RejectPath ./legacy.rejects.jsonl");
        PSObject Line(string errorId) => FromJson(File.ReadAllLines(RejectPath).First(l => JsonDocument.Parse(l).RootElement.GetProperty("ErrorId").GetString() == errorId));
        const string Piped = "$line = $args[0]; ";

        var unfixed = _session.Fail(Piped + "$line | Add-Pattern legacy -Force -ErrorAction Stop", Line("InvalidJson"));
        Assert.StartsWith("UnfixedReject,", unfixed.FullyQualifiedErrorId);
        Assert.Contains("TemporalContext", unfixed.Exception.Message);

        const string Fix = "$line.TemporalContext = '{\"observed_at\":\"2020-01-01T00:00:00Z\"}'; ";
        Assert.StartsWith("UnfixedReject,", _session.Fail(Piped + Fix + "$line | Add-Pattern legacy -ErrorAction Stop", Line("InvalidJson")).FullyQualifiedErrorId);
        _session.Run(Piped + Fix + "$line | Add-Pattern legacy -Force -ErrorAction Stop", Line("InvalidJson"));
        Assert.Single(_session.Run("Get-Pattern legacy $args[0]", Line("InvalidJson").Properties["PatternId"].Value));

        var duplicateLine = Line("DuplicatePatternId");
        string duplicate = (string)duplicateLine.Properties["PatternId"].Value;
        float rejected = Convert.ToSingle(((object[])duplicateLine.Properties["Vector"].Value)[0]);
        const string StoredFirst = "(Get-Pattern legacy $args[0]).Vector[0]";
        float first = (float)_session.Run(StoredFirst, duplicate)[0].BaseObject;
        Assert.NotEqual(first, rejected);   // the generator copies only the key
        var refused = _session.Fail(Piped + "$line | Add-Pattern legacy -Force -ErrorAction Stop", Line("DuplicatePatternId"));
        Assert.StartsWith("UnfixedReject,", refused.FullyQualifiedErrorId);
        Assert.Contains("first occurrence", refused.Exception.Message);
        Assert.Equal(first, (float)_session.Run(StoredFirst, duplicate)[0].BaseObject);

        // Removing the ErrorId says the line is fixed: the documented way to replace the first occurrence on purpose.
        _session.Run(Piped + "$line.PSObject.Properties.Remove('ErrorId'); $line | Add-Pattern legacy -ErrorAction Stop", Line("DuplicatePatternId"));
        Assert.Equal(rejected, (float)_session.Run(StoredFirst, duplicate)[0].BaseObject);
    }
}
