using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MilvusOps.Module.Tests;

/// <summary>One generated legacy file with planted bad rows, shared by the migration tests (read-only).</summary>
public sealed class LegacyFileFixture : IDisposable
{
    public const int Rows = 3000;

    public LegacyFileFixture()
    {
        Folder = Directory.CreateTempSubdirectory("milvusops-legacy-").FullName;
        Path = System.IO.Path.Combine(Folder, "legacy.db");
        Summary = LegacyFiles.Generate(Path, Rows, bad: true);
    }

    public string Folder { get; }
    public string Path { get; }
    public JsonElement Summary { get; }

    public int Planted(string kind) => Summary.GetProperty("bad").GetProperty(kind).GetInt32();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}

public sealed class MigrationTests : IClassFixture<LegacyFileFixture>, IDisposable
{
    private static readonly string[] RejectedKinds =
        ["null_vector", "wrong_dimension", "nan", "malformed_ctx", "duplicate_key", "long_key", "empty_key", "json_too_large"];

    private readonly LegacyFileFixture _legacy;
    private readonly ModuleSession _session = new();

    public MigrationTests(LegacyFileFixture legacy)
    {
        _legacy = legacy;
        _session.Run("Connect-Milvus ./patterns.db -Create | Out-Null");
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _session.Dispose();
    }

    private string RejectPath => Path.Combine(_session.Folder, "legacy.rejects.jsonl");

    private PSObject Import(string extra = "") =>
        _session.Run($"{LegacyFiles.ColumnMap}; Import-SqlitePattern $args[0] legacy -ColumnMap $map -CreateCollection -RejectPath ./legacy.rejects.jsonl {extra}", _legacy.Path)[0];

    private static long Long(PSObject o, string property) => Convert.ToInt64(o.Properties[property].Value);

    [Fact]
    public void Every_valid_row_lands_bit_exact_and_every_bad_row_is_in_the_rejects_file_with_its_reason()
    {
        var report = Import();
        int rejectedPlanted = RejectedKinds.Sum(_legacy.Planted);
        Assert.Equal(LegacyFileFixture.Rows, Long(report, "RowsRead"));
        Assert.Equal(rejectedPlanted, Long(report, "RowsRejected"));
        Assert.Equal(LegacyFileFixture.Rows - rejectedPlanted, Long(report, "RowsWritten"));
        Assert.True((bool)report.Properties["Completed"].Value);
        Assert.Equal(Long(report, "RowsWritten"), Convert.ToInt64(_session.Run("(Get-PatternCollection legacy).EntityCount")[0].BaseObject));

        var lines = File.ReadAllLines(RejectPath).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(rejectedPlanted, lines.Count);
        var byReason = lines.GroupBy(l => l.GetProperty("ErrorId").GetString()).ToDictionary(g => g.Key!, g => g.Count());
        Assert.Equal(_legacy.Planted("duplicate_key"), byReason["DuplicatePatternId"]);
        Assert.Equal(_legacy.Planted("long_key"), byReason["PatternIdTooLong"]);
        Assert.Equal(_legacy.Planted("nan"), byReason["VectorNotFinite"]);
        Assert.Equal(_legacy.Planted("json_too_large"), byReason["JsonTooLarge"]);
        Assert.All(lines, l =>
        {
            Assert.True(l.GetProperty("SourceRow").GetInt64() > 0);
            Assert.False(string.IsNullOrEmpty(l.GetProperty("Reason").GetString()));
            Assert.True(l.GetProperty("Values").TryGetProperty("emb", out _));
        });

        // Independently of the module: float32 BLOB rows in the source equal the stored vectors bit for bit.
        var stored = _session.Run("Get-Pattern legacy").ToDictionary(p => (string)p.Properties["PatternId"].Value, p => Vectors.Of(p.Properties["Vector"].Value));
        using var source = new SqliteConnection($"Data Source={_legacy.Path};Mode=ReadOnly;Pooling=False");
        source.Open();
        using var command = source.CreateCommand();
        command.CommandText = "SELECT pattern_key, emb FROM qpattern_archive WHERE typeof(emb) = 'blob' AND length(emb) = 2048 ORDER BY rowid";
        using var reader = command.ExecuteReader();
        int compared = 0;
        var seen = new HashSet<string>();
        while (reader.Read())
        {
            // Rejected rows (NaN, ...) are not stored; for a duplicated key the first occurrence is.
            if (!seen.Add(reader.GetString(0)) || !stored.TryGetValue(reader.GetString(0), out var vector)) continue;
            var expected = MemoryMarshal.Cast<byte, int>((byte[])reader.GetValue(1));
            Assert.True(expected.SequenceEqual(MemoryMarshal.Cast<float, int>(vector.AsSpan())), reader.GetString(0));
            compared++;
        }
        Assert.True(compared > 2000, $"compared only {compared} rows");
    }

    [Fact]
    public void Verification_passes_fidelity_and_catches_the_planted_coherence_violations()
    {
        Import();
        var checks = _session.Run($"{LegacyFiles.ColumnMap}; Test-Coherence legacy -SourcePath $args[0] -ColumnMap $map", _legacy.Path)
            .ToDictionary(c => (string)c.Properties["Check"].Value);
        Assert.True((bool)checks["Fidelity"].Properties["Passed"].Value, (string)checks["Fidelity"].Properties["Message"].Value);
        Assert.True((bool)checks["TemporalContext"].Properties["Passed"].Value);
        var threshold = checks["Threshold"];
        Assert.False((bool)threshold.Properties["Passed"].Value);
        Assert.Equal(_legacy.Planted("low_coherence") + _legacy.Planted("missing_metric"), Long(threshold, "Failed"));
    }

    [Fact]
    public void Fidelity_names_a_pattern_changed_after_the_migration()
    {
        Import();
        _session.Run("$p = Get-Pattern legacy -Limit 1; $v = $p.Vector.ToArray(); $v[7] = $v[7] + 1e-6; " +
                     "[pscustomobject]@{ PatternId = $p.PatternId; Vector = $v; PatternType = $p.PatternType; CoherenceMetrics = $p.CoherenceMetrics; TemporalContext = $p.TemporalContextJson } | Add-Pattern legacy");
        string changed = _session.Run("(Get-Pattern legacy -Limit 1).PatternId")[0].ToString();
        var fidelity = _session.Run($"{LegacyFiles.ColumnMap}; Test-PatternCoherence legacy -SourcePath $args[0] -ColumnMap $map | Where-Object Check -eq Fidelity", _legacy.Path)[0];
        Assert.False((bool)fidelity.Properties["Passed"].Value);
        var violation = (dynamic)((System.Collections.IEnumerable)fidelity.Properties["Violations"].Value).Cast<object>().Single();
        Assert.Equal(changed, (string)violation.PatternId);
        Assert.Equal("vector[7]", (string)violation.Field);
        Assert.Equal(false, _session.Run($"{LegacyFiles.ColumnMap}; Test-Coherence legacy -SourcePath $args[0] -ColumnMap $map -Quiet", _legacy.Path)[0].BaseObject);
    }

    [Fact]
    public void A_second_run_changes_nothing()
    {
        var first = Import();
        string rejects = File.ReadAllText(RejectPath);
        var before = _session.Run("Get-Pattern legacy | ForEach-Object { $_.PatternId + ':' + [Convert]::ToBase64String([Runtime.InteropServices.MemoryMarshal]::AsBytes([Span[float]]$_.Vector).ToArray()) }");
        var second = Import();
        var after = _session.Run("Get-Pattern legacy | ForEach-Object { $_.PatternId + ':' + [Convert]::ToBase64String([Runtime.InteropServices.MemoryMarshal]::AsBytes([Span[float]]$_.Vector).ToArray()) }");
        Assert.Equal(before.Select(o => o.ToString()), after.Select(o => o.ToString()));
        Assert.Equal(rejects, File.ReadAllText(RejectPath));
        Assert.Equal(Long(first, "RowsWritten"), Long(second, "RowsWritten"));
        Assert.Equal(Long(first, "RowsRejected"), Long(second, "RowsRejected"));
    }

    [Fact]
    public void WhatIf_reads_and_validates_everything_and_writes_nothing()
    {
        var plan = Import("-WhatIf");
        Assert.True((bool)plan.Properties["WhatIf"].Value);
        Assert.Equal(RejectedKinds.Sum(_legacy.Planted), Long(plan, "RowsRejected"));
        Assert.Contains("qpattern_archive", (string)plan.Properties["Mapping"].Value);
        Assert.Contains("pattern_id", (string)plan.Properties["Mapping"].Value);
        Assert.Empty(_session.Run("Get-PatternCollection"));
        Assert.False(File.Exists(RejectPath));
    }

    [Fact]
    public void MaxRejects_stops_the_run_with_a_LimitsExceeded_error()
    {
        var error = _session.Fail($"{LegacyFiles.ColumnMap}; Import-SqlitePattern $args[0] legacy -ColumnMap $map -CreateCollection -RejectPath ./legacy.rejects.jsonl -MaxRejects 3 -BatchSize 100", _legacy.Path);
        Assert.StartsWith("TooManyRejects,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
        Assert.Contains("-Resume", error.Exception.Message);
    }

    [Fact]
    public void Get_SqlitePattern_pipes_into_Add_Pattern_and_names_each_bad_row()
    {
        _session.Run("New-PatternCollection viaPipe | Out-Null");
        var result = _session.Invoke($"{LegacyFiles.ColumnMap}; $rows = [Collections.Generic.List[long]]::new(); Get-SqlitePattern $args[0] -ColumnMap $map | ForEach-Object {{ $rows.Add($_.SourceRow); $_ }} | Add-Pattern viaPipe; $rows", _legacy.Path);
        int readerRejects = new[] { "null_vector", "wrong_dimension", "nan", "malformed_ctx", "empty_key", "json_too_large" }.Sum(_legacy.Planted);
        int idTooLong = _legacy.Planted("long_key");   // Add-Pattern rejects these against the collection
        Assert.Equal(readerRejects, result.Errors.Count(e => e.Exception.Message.StartsWith("Source row ", StringComparison.Ordinal)));
        Assert.Equal(idTooLong, result.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("PatternIdTooLong,", StringComparison.Ordinal)));
        Assert.Equal(readerRejects + idTooLong, result.Errors.Count);
        Assert.All(result.Output, row => Assert.True(Convert.ToInt64(row.BaseObject) > 0));
    }

    [Fact]
    public void Ambiguous_discovery_lists_the_candidate_tables_and_their_columns()
    {
        string path = Path.Combine(_session.Folder, "two.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE old_patterns(uid TEXT, embedding BLOB); CREATE TABLE new_patterns(id TEXT, vector BLOB, kind TEXT);";
            command.ExecuteNonQuery();
        }
        var error = _session.Fail("Get-SqlitePattern ./two.db");
        Assert.StartsWith("SourceTableAmbiguous,", error.FullyQualifiedErrorId);
        Assert.Contains("old_patterns", error.Exception.Message);
        Assert.Contains("new_patterns", error.Exception.Message);
        Assert.Contains("embedding", error.Exception.Message);
        Assert.Contains("-Table", error.Exception.Message);
    }

    [Fact]
    public void Progress_reports_rows_done_rows_per_second_and_time_remaining()
    {
        var result = _session.Invoke($"{LegacyFiles.ColumnMap}; Import-SqlitePattern $args[0] legacy -ColumnMap $map -CreateCollection -RejectPath ./legacy.rejects.jsonl -BatchSize 500", _legacy.Path);
        var running = result.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
        Assert.Equal(LegacyFileFixture.Rows / 500, running.Count);   // one per committed batch
        Assert.Contains($"500 of {LegacyFileFixture.Rows:N0} rows", running[0].StatusDescription);
        Assert.Contains("rows/s", running[0].StatusDescription);
        Assert.All(running, p => Assert.True(p.SecondsRemaining >= 0));
        Assert.Equal(100, running[^1].PercentComplete);
        Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
    }

    [Fact]
    public void Stopping_an_import_leaves_whole_batches_and_Resume_finishes_it()
    {
        // Small batches, so the stop lands long before the end however the machine is loaded.
        var (shell, running) = _session.Start($"{LegacyFiles.ColumnMap}; Import-SqlitePattern $args[0] legacy -ColumnMap $map -CreateCollection -RejectPath ./legacy.rejects.jsonl -BatchSize 20", _legacy.Path);
        using (shell)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (shell.Streams.Progress.Count < 3 && !running.IsCompleted && DateTime.UtcNow < deadline) Thread.Sleep(10);
            shell.Stop();   // what Ctrl+C does
            Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));
        }
        Assert.Matches(@"WARNING: Import-SqlitePattern was stopped after [\d,]+ of [\d,]+ source rows .*Run the same command with -Resume", _session.Diagnostics);
        using (var checkpoint = JsonDocument.Parse(File.ReadAllText(RejectPath + ".checkpoint")))
        {
            long written = checkpoint.RootElement.GetProperty("RowsWritten").GetInt64();
            Assert.False(checkpoint.RootElement.GetProperty("Completed").GetBoolean());
            Assert.Equal(written, Convert.ToInt64(_session.Run("(Get-PatternCollection legacy).EntityCount")[0].BaseObject));
        }
        var resumed = Import("-Resume");
        Assert.True((bool)resumed.Properties["Completed"].Value);
        Assert.True(Long(resumed, "RowsSkipped") > 0);
        Assert.Equal(LegacyFileFixture.Rows, Long(resumed, "RowsRead") + Long(resumed, "RowsSkipped"));
        Assert.Equal(LegacyFileFixture.Rows - RejectedKinds.Sum(_legacy.Planted), Long(resumed, "RowsWritten"));
        Assert.Equal(RejectedKinds.Sum(_legacy.Planted), File.ReadAllLines(RejectPath).Length);
    }

    [Fact]
    public void A_fixed_reject_line_pipes_straight_into_Add_Pattern()
    {
        Import();
        // A row rejected for its temporal context: every other field decoded and is on the line.
        var line = File.ReadAllLines(RejectPath).Select(l => JsonDocument.Parse(l).RootElement)
            .First(l => l.GetProperty("ErrorId").GetString() == "InvalidJson");
        Assert.Equal(JsonValueKind.Null, line.GetProperty("TemporalContext").ValueKind);
        Assert.Equal(512, line.GetProperty("Vector").GetArrayLength());
        Assert.True(line.GetProperty("Values").TryGetProperty("ctx", out var broken) && broken.ValueKind == JsonValueKind.String);

        // What ConvertFrom-Json would give pwsh, with the operator's fix applied.
        var fixedLine = new System.Collections.Hashtable
        {
            ["PatternId"] = line.GetProperty("PatternId").GetString(),
            ["Vector"] = line.GetProperty("Vector").EnumerateArray().Select(v => (object)v.GetDouble()).ToArray(),
            ["PatternType"] = line.GetProperty("PatternType").GetString(),
            ["CoherenceMetrics"] = line.GetProperty("CoherenceMetrics").GetString(),
            ["TemporalContext"] = """{"observed_at":"2020-01-01T00:00:00Z"}""",
        };
        _session.Run("[pscustomobject]$args[0] | Add-Pattern legacy", fixedLine);
        var stored = _session.Run("Get-Pattern legacy $args[0]", fixedLine["PatternId"])[0];
        Assert.Equal("2020-01-01T00:00:00Z", ((System.Collections.IDictionary)stored.Properties["TemporalContext"].Value)["observed_at"]);

        // The vector round-trips bit-exactly through the JSON line.
        using var source = new SqliteConnection($"Data Source={_legacy.Path};Mode=ReadOnly;Pooling=False");
        source.Open();
        using var command = source.CreateCommand();
        command.CommandText = $"SELECT emb FROM qpattern_archive WHERE rowid = {line.GetProperty("SourceRow").GetInt64()}";
        if (command.ExecuteScalar() is byte[] blob && blob.Length == 2048)
            Assert.True(MemoryMarshal.Cast<byte, int>(blob).SequenceEqual(MemoryMarshal.Cast<float, int>((Vectors.Of(stored.Properties["Vector"].Value)).AsSpan())));
    }
}
