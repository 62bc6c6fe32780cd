using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine;
using MilvusOps.Engine.Backends.Embedded;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources.Legacy;

using static MilvusOps.Bench.Measure;

namespace MilvusOps.Bench;

/// <summary>
/// Import of a legacy SQLite file into the embedded store, measured against two baselines in the
/// same run: a bare prepared-insert loop writing the same rows into the same store schema (the write
/// side's ceiling), and a raw SELECT * scan of the source that touches every byte. Also the fidelity
/// pass of Test-PatternCoherence, and peak memory at two source sizes (it must not grow with rows).
/// </summary>
internal static class ImportBenchmark
{
    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 100_000), ("dim", 512), ("batch", 2000), ("rounds", 5));
        if (options is null) return 2;
        int rows = options["rows"], dimension = options["dim"], batch = options["batch"], rounds = options["rounds"];
        string folder = Directory.CreateTempSubdirectory("milvusops-import-bench-").FullName;
        try
        {
            Console.WriteLine($"import benchmark: {rows:N0} x {dimension} float32 rows, batches of {batch}, {rounds} rounds, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            string source = Path.Combine(folder, "legacy.db"), small = Path.Combine(folder, "small.db");
            WriteSource(source, rows, dimension);
            WriteSource(small, Math.Max(1, rows / 5), dimension);
            long sourceBytes = new FileInfo(source).Length;

            double scan = Median(Enumerable.Range(0, rounds).Select(_ => Time(() => RawScan(source))).ToList());
            double plan = Time(() => Import(Path.Combine(folder, "plan.db"), source, batch, whatIf: true));
            // Flat memory: a source a fifth the size must need about the same memory above the baseline,
            // and the live heap (after a full collection, every 10 batches) must not grow with rows done.
            var (_, smallPeakBytes) = TimeWithPeakMemory(() => Import(Path.Combine(folder, "small-import.db"), small, batch));
            // Every 10 batches, fewer when the import has fewer than 20 (at least two samples when it has two batches),
            // and after the last one. Batches are counted, not rows: the 8 MiB cut can end a batch short of --batch rows.
            var liveHeap = new List<(long Rows, long Bytes)>();
            int batchesDone = 0, sampleEvery = Math.Clamp((int)Math.Ceiling((double)rows / batch) / 2, 1, 10);
            Import(Path.Combine(folder, "heap-import.db"), source, batch, onBatch: progress =>
            {
                if (++batchesDone % sampleEvery == 0 || progress.RowsDone == progress.TotalRows)
                    liveHeap.Add((progress.RowsDone, GC.GetTotalMemory(forceFullCollection: true)));
            });
            var (_, peakBytes) = TimeWithPeakMemory(() => Import(Path.Combine(folder, "import.db"), source, batch));
            double fidelity = Time(() => Fidelity(Path.Combine(folder, "import.db"), source));
            // Both sides are bound by fsync and the disk: alternate them and take the medians.
            var bares = new List<double>();
            var imports = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                bares.Add(BareInsert(Path.Combine(folder, $"bare{round}.db"), source, dimension, batch));
                imports.Add(Time(() => Import(Path.Combine(folder, $"import{round}.db"), source, batch)));
                File.Delete(Path.Combine(folder, $"bare{round}.db"));
            }
            double bare = Median(bares), import = Median(imports);

            double importRate = rows / import, bareRate = rows / bare, scanRate = rows / scan, fidelityRate = rows / fidelity, planRate = rows / plan;
            Console.WriteLine();
            Console.WriteLine($"{"measurement",-52} {"value",14} {"target",10}");
            Console.WriteLine(new string('-', 80));
            Console.WriteLine($"{"source file",-52} {sourceBytes / 1e6,11:F1} MB");
            Console.WriteLine($"{"raw SELECT * scan of the source (median)",-52} {scanRate,9:N0} rows/s");
            Console.WriteLine($"{"bare prepared-insert loop into the store schema",-52} {bareRate,9:N0} rows/s");
            Console.WriteLine($"{"Import-SqlitePattern engine (read+validate+write)",-52} {importRate,9:N0} rows/s");
            Console.WriteLine($"{"  import / bare insert (median of rounds)",-52} {importRate / bareRate,14:F3} {">= 0.85",10}");
            Console.WriteLine($"{"  per round (import/bare)",-52} {string.Join(" ", bares.Zip(imports, (b, i) => (b / i).ToString("F2", CultureInfo.InvariantCulture))),14}");
            Console.WriteLine($"{"  import / raw scan",-52} {importRate / scanRate,14:F3}");
            Console.WriteLine($"{"read+validate only (-WhatIf plan)",-52} {planRate,9:N0} rows/s");
            Console.WriteLine($"{"fidelity pass (Test-PatternCoherence -SourcePath)",-52} {fidelityRate,9:N0} rows/s");
            Console.WriteLine($"{"  fidelity / raw scan",-52} {fidelityRate / scanRate,14:F3} {">= 0.45",10}");
            Console.WriteLine($"{"peak memory above baseline, import of " + rows.ToString("N0", CultureInfo.InvariantCulture) + " rows",-52} {peakBytes / 1e6,11:F1} MB");
            Console.WriteLine($"{"peak memory above baseline, import of " + Math.Max(1, rows / 5).ToString("N0", CultureInfo.InvariantCulture) + " rows",-52} {smallPeakBytes / 1e6,11:F1} MB");
            Console.WriteLine($"{"  peak at 5x rows / peak at 1x rows (GC sizing, not live data)",-52} {(double)peakBytes / smallPeakBytes,14:F2}");
            foreach (var (done, bytes) in liveHeap)
                Console.WriteLine($"{"live managed heap after " + done.ToString("N0", CultureInfo.InvariantCulture) + " rows",-52} {bytes / 1e6,11:F1} MB");
            double heapGrowth = (double)liveHeap[^1].Bytes / liveHeap[0].Bytes;
            Console.WriteLine($"{"  live heap at the end / after the first samples",-52} {heapGrowth,14:F2} {"~1 (flat)",10}");
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                benchmark = "import", rows, dimension, batch,
                scanRowsPerSecond = Math.Round(scanRate), bareInsertRowsPerSecond = Math.Round(bareRate), importRowsPerSecond = Math.Round(importRate),
                importToBareRatio = Math.Round(importRate / bareRate, 3), importToScanRatio = Math.Round(importRate / scanRate, 3),
                planRowsPerSecond = Math.Round(planRate),
                fidelityRowsPerSecond = Math.Round(fidelityRate), fidelityToScanRatio = Math.Round(fidelityRate / scanRate, 3),
                peakBytes, smallPeakBytes, liveHeapFirstBytes = liveHeap[0].Bytes, liveHeapLastBytes = liveHeap[^1].Bytes,
            }));
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>A legacy layout: its own names, float32 BLOB vectors, metrics as scalar columns, JSON context.</summary>
    private static void WriteSource(string path, int rows, int dimension)
    {
        using var connection = Open(path);
        Execute(connection, "PRAGMA page_size = 16384");
        Execute(connection, "CREATE TABLE qpattern_archive (pattern_key TEXT, kind TEXT, emb BLOB, qc REAL, qs REAL, pc REAL, ctx TEXT)");
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO qpattern_archive VALUES (@k, @t, @e, @qc, @qs, @pc, @ctx)";
        var random = new Random(7);
        var vector = new float[dimension];
        foreach (string name in new[] { "@k", "@t", "@e", "@qc", "@qs", "@pc", "@ctx" }) insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        for (int i = 0; i < rows; i++)
        {
            for (int d = 0; d < dimension; d++) vector[d] = (float)(random.NextDouble() * 2 - 1);
            insert.Parameters[0].Value = $"legacy-{i:D7}";
            insert.Parameters[1].Value = i % 3 == 0 ? "temporal_drift" : "quantum_correlation";
            insert.Parameters[2].Value = MemoryMarshal.AsBytes(vector.AsSpan()).ToArray();
            insert.Parameters[3].Value = 0.9 + random.NextDouble() * 0.1;
            insert.Parameters[4].Value = 0.9 + random.NextDouble() * 0.1;
            insert.Parameters[5].Value = 0.9 + random.NextDouble() * 0.1;
            insert.Parameters[6].Value = $$"""{"created":"2024-01-01T00:00:00Z","sequence":{{i}}}""";
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }

    private static readonly ColumnMap Map = ColumnMap.FromEntries(
    [
        new("coherence_metrics", new ColumnSource.Composite([("quantum_coherence", "qc"), ("quantum_stability", "qs"), ("pattern_coherence", "pc")])),
    ]);

    /// <summary>Reads every column of every row and touches every byte of each BLOB.</summary>
    private static long RawScan(string source)
    {
        using var connection = Open(source, readOnly: true);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM qpattern_archive";
        using var reader = command.ExecuteReader();
        long sum = 0;
        var buffer = new byte[1 << 16];
        while (reader.Read())
        {
            for (int c = 0; c < reader.FieldCount; c++)
            {
                if (reader.IsDBNull(c)) continue;
                if (reader.GetFieldType(c) == typeof(byte[]))
                {
                    int length = (int)reader.GetBytes(c, 0, buffer, 0, buffer.Length);
                    foreach (byte b in buffer.AsSpan(0, length)) sum += b;
                }
                else sum += reader.GetString(c).Length;
            }
        }
        return sum;
    }

    /// <summary>
    /// The write side's ceiling: the same rows, already decoded, written with one prepared statement per
    /// batch. Returns the seconds of the writes alone, not of building the rows in memory.
    /// </summary>
    private static double BareInsert(string store, string source, int dimension, int batch)
    {
        var rows = new List<(string Id, byte[] Vector, string Type, string Metrics, string Context)>();
        using (var connection = Open(source, readOnly: true))
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT pattern_key, emb, kind, qc, qs, pc, ctx FROM qpattern_archive";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                rows.Add((reader.GetString(0), (byte[])reader.GetValue(1), reader.GetString(2),
                    Metadata.Serialize(new Dictionary<string, object?> { ["quantum_coherence"] = reader.GetDouble(3), ["quantum_stability"] = reader.GetDouble(4), ["pattern_coherence"] = reader.GetDouble(5) }), reader.GetString(6)));
        }
        new EmbeddedStore(store, TimeSpan.FromSeconds(30)).CreateCollection(new CollectionSpec { Name = "p", Dimension = dimension }, false);
        var clock = Stopwatch.StartNew();
        using var target = Open(store);
        Execute(target, "PRAGMA synchronous = FULL");
        for (int start = 0; start < rows.Count; start += batch)
        {
            using var tx = target.BeginTransaction();
            using var insert = target.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO c_1(pattern_id, vector, pattern_type, coherence_metrics, temporal_context) VALUES (@id, @v, @t, @c, @x)";
            var id = insert.Parameters.Add("@id", SqliteType.Text);
            var v = insert.Parameters.Add("@v", SqliteType.Blob);
            var t = insert.Parameters.Add("@t", SqliteType.Text);
            var c = insert.Parameters.Add("@c", SqliteType.Text);
            var x = insert.Parameters.Add("@x", SqliteType.Text);
            insert.Prepare();
            foreach (var row in rows.Skip(start).Take(batch))
            {
                (id.Value, v.Value, t.Value, c.Value, x.Value) = (row.Id, row.Vector, row.Type, row.Metrics, row.Context);
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static void Import(string store, string source, int batch, bool whatIf = false, Action<ImportProgress>? onBatch = null)
    {
        using var connection = StoreFactory.Connect(store, TimeSpan.FromSeconds(30), create: true);
        using var legacy = LegacySource.Open(new LegacySourceOptions(source) { ColumnMap = Map });
        var report = PatternImporter.Run(new PatternSession(connection, CancellationToken.None), legacy,
            new ImportOptions("p", store + ".rejects.jsonl") { BatchSize = batch, CreateCollection = true, WhatIf = whatIf },
            onBatch);
        if (!report.Completed || report.RowsRejected != 0) throw new InvalidOperationException("import did not complete cleanly: " + report);
    }

    private static void Fidelity(string store, string source)
    {
        using var connection = StoreFactory.Connect(store, TimeSpan.FromSeconds(30));
        using var check = FidelityCheck.Open(new PatternSession(connection, CancellationToken.None), "p",
            dimension => LegacySource.Open(new LegacySourceOptions(source) { ColumnMap = Map, Dimension = dimension }));
        var result = check.Run();
        if (!result.Passed) throw new InvalidOperationException("fidelity failed: " + result.Message);
    }

    private static SqliteConnection Open(string path, bool readOnly = false)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

}
