using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace MilvusOps.Module.Tests;

/// <summary>What a user runs from a shell, in the pinned pwsh: the quickstart, the migration runbook, and a writer killed mid-import.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-process-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static Dictionary<string, string> Manifest => new() { ["MILVUSOPS_MANIFEST"] = ModuleSession.ModuleManifest };

    [SkippableFact]
    public void Quickstart_runs_in_pwsh_and_finds_test_pattern_001_first_at_distance_zero()
    {
        var (exitCode, output) = Pwsh.Run(_folder, ["-File", Path.Combine(ModuleSession.RepoRoot, "examples", "quickstart.ps1")]);
        Assert.True(exitCode == 0, output);
        Assert.Contains("Query: test_pattern_001", output);
        var firstHit = output.Split('\n').First(line => line.TrimStart().StartsWith("1 ", StringComparison.Ordinal));
        Assert.Matches(@"^\s*1\s+0\s+0\.95\s+test_pattern_001\s", firstHit);
        Assert.Matches(@"correlation_patterns\s+512\s+L2\s+HNSW\s+301", output);
        Assert.True(File.Exists(Path.Combine(_folder, "quickstart.db")));
    }

    [SkippableTheory]
    [InlineData(false, 0)]
    [InlineData(true, 1)]
    public void The_migration_runbook_plans_imports_verifies_and_exits_1_when_verification_fails(bool bad, int exitCode)
    {
        LegacyFiles.Generate(Path.Combine(_folder, "legacy.db"), rows: 1000, bad);
        string runbook = Path.Combine(ModuleSession.RepoRoot, "examples", "migrate-legacy.ps1");
        var run = Pwsh.Run(_folder, ["-Command",
            $"& '{runbook}' -Source ./legacy.db -Store ./patterns.db -MappingDocument ./mapping.md " +
            "-ColumnMap @{ coherence_metrics = [ordered]@{ quantum_coherence = 'qc'; quantum_stability = 'qs'; pattern_coherence = 'pc' } }; exit $LASTEXITCODE"]);
        string output = run.Output;
        Assert.True(exitCode == run.ExitCode, $"exit {run.ExitCode}\n{output}");
        Assert.Contains("== 1. Plan", output);
        Assert.Matches(@"WhatIf\s+: True", output);
        Assert.Matches(@"Fidelity\s+True", output);
        Assert.Contains("| pattern_id |", File.ReadAllText(Path.Combine(_folder, "mapping.md")));
        if (bad)
        {
            Assert.Contains("== Rejected rows", output);
            Assert.Contains("\"ErrorId\":", output);
            Assert.Contains("Verification FAILED: Threshold", output);
        }
        else
        {
            Assert.Contains("Migration verified.", output);
        }
    }

    [SkippableFact]
    public void A_writer_killed_mid_import_leaves_only_whole_committed_batches()
    {
        string store = Path.Combine(_folder, "crash.db");
        const string script = """
            Import-Module $env:MILVUSOPS_MANIFEST -ErrorAction Stop
            Connect-Milvus ./crash.db -Create | Out-Null
            New-PatternCollection p -Dimension 64 | Out-Null
            $v = [float[]]::new(64)
            1..10000000 | ForEach-Object { $v[0] = $_; [pscustomobject]@{ PatternId = "id$_"; Vector = $v } } | Add-Pattern p -BatchSize 500
            """;
        using var writer = Pwsh.Start(_folder, ["-Command", script], Manifest);
        long committed = 0;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (committed < 2000 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(200);
            committed = CountRows(store);
        }
        writer.Kill(entireProcessTree: true);
        writer.WaitForExit();
        Assert.True(committed >= 2000, "the writer committed too little before the deadline: " + committed);

        using var connection = new SqliteConnection($"Data Source={store};Pooling=False");
        connection.Open();
        using var check = connection.CreateCommand();
        check.CommandText = "PRAGMA integrity_check";
        Assert.Equal("ok", check.ExecuteScalar());
        long rows = CountRows(store);
        Assert.True(rows >= committed, $"committed rows were lost: saw {committed}, then {rows}");
        Assert.Equal(0, rows % 500);   // whole batches only
    }

    private static long CountRows(string store)
    {
        if (!File.Exists(store)) return 0;
        try
        {
            using var connection = new SqliteConnection($"Data Source={store};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'c_1'";
            if ((long)command.ExecuteScalar()! == 0) return 0;
            command.CommandText = "SELECT count(*) FROM c_1";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException)
        {
            return 0;   // the file is still being created
        }
    }

    [SkippableFact]
    public void An_import_killed_mid_way_resumes_to_the_same_end_state_as_a_clean_run()
    {
        string legacy = Path.Combine(_folder, "legacy.db");
        LegacyFiles.Generate(legacy, rows: 30_000, bad: true, seed: 3);
        string script = $$"""
            Import-Module $env:MILVUSOPS_MANIFEST -ErrorAction Stop
            Connect-Milvus ./killed.db -Create | Out-Null
            {{LegacyFiles.ColumnMap}}
            Import-SqlitePattern ./legacy.db legacy -ColumnMap $map -CreateCollection -RejectPath ./killed.rejects.jsonl -BatchSize 50 | Out-Null
            """;
        string checkpoint = Path.Combine(_folder, "killed.rejects.jsonl.checkpoint");
        using (var importer = Pwsh.Start(_folder, ["-Command", script], Manifest))
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (CheckpointRow(checkpoint) < 2000 && !importer.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(20);
            if (importer.HasExited) Assert.Fail("the import ended before it could be killed: " + importer.StandardError.ReadToEnd());
            importer.Kill(entireProcessTree: true);
            importer.WaitForExit();
        }
        long killedAt = CheckpointRow(checkpoint);
        Assert.InRange(killedAt, 2000, 29_000);

        using var session = new ModuleSession();
        var resumed = session.Run($"{LegacyFiles.ColumnMap}; Connect-Milvus $args[0] -Create | Out-Null; " +
            "Import-SqlitePattern $args[1] legacy -ColumnMap $map -RejectPath $args[2] -Resume", Path.Combine(_folder, "killed.db"), legacy, Path.Combine(_folder, "killed.rejects.jsonl"))[0];
        var clean = session.Run($"{LegacyFiles.ColumnMap}; Connect-Milvus ./clean.db -Create | Out-Null; " +
            "Import-SqlitePattern $args[0] legacy -ColumnMap $map -CreateCollection -RejectPath ./clean.rejects.jsonl", legacy)[0];

        long Count(PSObject report, string property) => Convert.ToInt64(report.Properties[property].Value);
        Assert.True(Count(resumed, "RowsSkipped") >= killedAt - 50, "the resumed run started over");
        Assert.Equal(Count(resumed, "RowsRead") + Count(resumed, "RowsSkipped"), Count(resumed, "RowsWritten") + Count(resumed, "RowsRejected"));
        Assert.Equal(Count(clean, "RowsWritten"), Count(resumed, "RowsWritten"));
        Assert.Equal(Count(clean, "RowsRejected"), Count(resumed, "RowsRejected"));
        // The same rejects, each once, and the same patterns, bit for bit.
        Assert.Equal(File.ReadAllLines(Path.Combine(session.Folder, "clean.rejects.jsonl")), File.ReadAllLines(Path.Combine(_folder, "killed.rejects.jsonl")));
        const string snapshot = "Get-Pattern legacy -Connection $args[0] | ForEach-Object { $_.PatternId + ':' + $_.PatternType + ':' + $_.CoherenceMetricsJson + ':' + [Convert]::ToBase64String([Runtime.InteropServices.MemoryMarshal]::AsBytes([Span[float]]$_.Vector).ToArray()) }";
        var expected = session.Run(snapshot, Path.Combine(session.Folder, "clean.db")).Select(o => o.ToString()).ToList();
        var actual = session.Run(snapshot, Path.Combine(_folder, "killed.db")).Select(o => o.ToString()).ToList();
        Assert.Equal(expected.Count, actual.Count);
        Assert.True(expected.SequenceEqual(actual), "the resumed collection differs from a clean import");
    }

    private static long CheckpointRow(string path)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(path));
            return document.RootElement.GetProperty("LastSourceRow").GetInt64();
        }
        catch (Exception ex) when (ex is IOException or System.Text.Json.JsonException)
        {
            return 0;
        }
    }
}
