using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Pipelines.Verification;
using MilvusOps.Engine.Sources.Collections;
using MilvusOps.Engine.Sources.ExportSets;
using MilvusOps.Engine.Sources.Legacy;
using Parquet;
using Parquet.Schema;
using static MilvusOps.Bench.Measure;

namespace MilvusOps.Bench;

/// <summary>
/// Export sets, measured against baselines in the same run on the same rows: Export-PatternCollection (store read, Parquet
/// write, checksums) against a bare Parquet.Net write of the same rows from memory, and Import-PatternCollection
/// (checksums, Parquet read, checks, store write) against a bare Parquet.Net read of the same shards; Copy-PatternCollection
/// between embedded stores against Import-SqlitePattern of a legacy file holding the same rows. JSON Lines too, and peak
/// memory.
/// </summary>
internal static class TransferBenchmark
{
    private const int RowGroupRows = 10_000;

    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 100_000), ("dim", 512), ("rounds", 3));
        if (options is null) return 2;
        int rows = options["rows"], dimension = options["dim"], rounds = options["rounds"];
        string folder = Directory.CreateTempSubdirectory("milvusops-transfer-bench-").FullName;
        try
        {
            Console.WriteLine($"transfer benchmark: {rows:N0} x {dimension} float32 rows, {rounds} rounds, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            var patterns = Patterns(rows, dimension);
            string store = Path.Combine(folder, "source.db");
            using (var connection = StoreFactory.Connect(store, TimeSpan.FromSeconds(30), create: true))
            {
                var session = new PatternSession(connection, CancellationToken.None);
                session.Create(new CollectionSpec { Name = "p", Dimension = dimension }, false);
                foreach (var chunk in patterns.Chunk(2000)) session.Upsert("p", chunk);
            }

            string legacy = Path.Combine(folder, "legacy.db");
            WriteLegacy(legacy, patterns);

            var bareWrites = new List<double>();
            var legacyImports = new List<double>();
            var copies = new List<double>();
            var copyChecks = new List<double>();
            long copyPeak = 0;
            var exports = new List<double>();
            var bareReads = new List<double>();
            var imports = new List<double>();
            long exportPeak = 0, importPeak = 0, parquetBytes = 0;
            for (int round = 0; round < rounds; round++)
            {
                string bare = Path.Combine(folder, $"bare{round}.parquet");
                bareWrites.Add(Time(() => BareWrite(bare, patterns, dimension)));
                string set = Path.Combine(folder, $"set{round}");
                var (exportSeconds, peak) = TimeWithPeakMemory(() => Export(store, set, ExportFormat.Parquet));
                exports.Add(exportSeconds);
                exportPeak = Math.Max(exportPeak, peak);
                parquetBytes = Directory.EnumerateFiles(set, "*.parquet").Sum(f => new FileInfo(f).Length);
                bareReads.Add(Time(() => BareRead(set, dimension)));
                var (importSeconds, importPeakRound) = TimeWithPeakMemory(() => Import(Path.Combine(folder, $"target{round}.db"), set));
                imports.Add(importSeconds);
                importPeak = Math.Max(importPeak, importPeakRound);
                File.Delete(bare);
                legacyImports.Add(Time(() => ImportLegacy(Path.Combine(folder, $"legacy-target{round}.db"), legacy)));
                string copyTarget = Path.Combine(folder, $"copy{round}.db");
                var (copySeconds, copyPeakRound) = TimeWithPeakMemory(() => Copy(store, copyTarget));
                copies.Add(copySeconds);
                copyPeak = Math.Max(copyPeak, copyPeakRound);
                copyChecks.Add(Time(() => CheckCopy(store, copyTarget)));
            }
            double jsonExport = Time(() => Export(store, Path.Combine(folder, "json"), ExportFormat.JsonLines));
            double jsonImport = Time(() => Import(Path.Combine(folder, "json-target.db"), Path.Combine(folder, "json")));

            double bareWriteRate = rows / Median(bareWrites), exportRate = rows / Median(exports);
            double bareReadRate = rows / Median(bareReads), importRate = rows / Median(imports);
            Console.WriteLine();
            Console.WriteLine($"{"measurement",-60} {"value",14}");
            Console.WriteLine(new string('-', 76));
            Console.WriteLine($"{"Parquet shards of the set",-60} {parquetBytes / 1e6,11:F1} MB");
            Console.WriteLine($"{"bare Parquet.Net write of the rows from memory (median)",-60} {bareWriteRate,9:N0} rows/s");
            Console.WriteLine($"{"Export-PatternCollection, Parquet (store read, write, SHA-256)",-60} {exportRate,9:N0} rows/s");
            Console.WriteLine($"{"  export / bare write",-60} {exportRate / bareWriteRate,14:F3}");
            Console.WriteLine($"{"bare Parquet.Net read of the shards (median)",-60} {bareReadRate,9:N0} rows/s");
            Console.WriteLine($"{"Import-PatternCollection, Parquet (SHA-256, read, checks, write)",-60} {importRate,9:N0} rows/s");
            Console.WriteLine($"{"  import / bare read",-60} {importRate / bareReadRate,14:F3}");
            double legacyRate = rows / Median(legacyImports), copyRate = rows / Median(copies), checkRate = rows / Median(copyChecks);
            Console.WriteLine($"{"Import-SqlitePattern of a legacy file of the same rows",-60} {legacyRate,9:N0} rows/s");
            Console.WriteLine($"{"Copy-PatternCollection between embedded stores, the copy",-60} {copyRate,9:N0} rows/s");
            Console.WriteLine($"{"  copy / legacy import",-60} {copyRate / legacyRate,14:F3}");
            Console.WriteLine($"{"  its Fidelity check against the source",-60} {checkRate,9:N0} rows/s");
            Console.WriteLine($"{"  copy and check / legacy import",-60} {rows / (Median(copies) + Median(copyChecks)) / legacyRate,14:F3}");
            Console.WriteLine($"{"Export-PatternCollection, JSON Lines",-60} {rows / jsonExport,9:N0} rows/s");
            Console.WriteLine($"{"Import-PatternCollection, JSON Lines",-60} {rows / jsonImport,9:N0} rows/s");
            Console.WriteLine($"{"peak memory above baseline, export",-60} {exportPeak / 1e6,11:F1} MB");
            Console.WriteLine($"{"peak memory above baseline, import",-60} {importPeak / 1e6,11:F1} MB");
            Console.WriteLine($"{"peak memory above baseline, copy",-60} {copyPeak / 1e6,11:F1} MB");
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                benchmark = "transfer", rows, dimension, parquetBytes,
                bareWriteRowsPerSecond = Math.Round(bareWriteRate), exportRowsPerSecond = Math.Round(exportRate), exportToBareWrite = Math.Round(exportRate / bareWriteRate, 3),
                bareReadRowsPerSecond = Math.Round(bareReadRate), importRowsPerSecond = Math.Round(importRate), importToBareRead = Math.Round(importRate / bareReadRate, 3),
                legacyImportRowsPerSecond = Math.Round(legacyRate), copyRowsPerSecond = Math.Round(copyRate), copyToLegacyImport = Math.Round(copyRate / legacyRate, 3),
                copyCheckRowsPerSecond = Math.Round(checkRate), copyPeakBytes = copyPeak,
                jsonExportRowsPerSecond = Math.Round(rows / jsonExport), jsonImportRowsPerSecond = Math.Round(rows / jsonImport),
                exportPeakBytes = exportPeak, importPeakBytes = importPeak,
            }));
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Pattern[] Patterns(int rows, int dimension)
    {
        var random = new Random(7);
        return Enumerable.Range(0, rows).Select(i =>
        {
            var vector = new float[dimension];
            for (int d = 0; d < dimension; d++) vector[d] = (float)(random.NextDouble() * 2 - 1);
            return new Pattern($"p{i:D7}", vector, i % 3 == 0 ? "temporal_drift" : "quantum_correlation",
                string.Create(CultureInfo.InvariantCulture, $$"""{"quantum_coherence":{{0.9 + random.NextDouble() / 10:F4}},"quantum_stability":{{0.9 + random.NextDouble() / 10:F4}}}"""),
                string.Create(CultureInfo.InvariantCulture, $$"""{"window":{"start":{{2000 + i % 20}},"end":{{2001 + i % 20}}},"phase":"warm"}"""));
        }).ToArray();
    }

    private static void Export(string store, string set, ExportFormat format)
    {
        using var connection = StoreFactory.Connect(store, TimeSpan.FromSeconds(30));
        CollectionExporter.Run(new PatternSession(connection, CancellationToken.None), new ExportOptions("p", set, format) { RowGroupRows = RowGroupRows });
    }

    private static void Import(string store, string set)
    {
        using var connection = StoreFactory.Connect(store, TimeSpan.FromSeconds(30), create: true);
        using var source = ExportSetSource.Open(set);
        var report = PatternImporter.Run(new PatternSession(connection, CancellationToken.None), source,
            new ImportOptions("p", store + ".rejects.jsonl") { CreateCollection = true, NewCollection = source.Set.ToSpec("p") });
        if (!report.Completed || report.RowsRejected != 0) throw new InvalidOperationException("import did not complete cleanly: " + report);
    }

    /// <summary>The same rows as a legacy file, in columns named as the fields, vectors as float32 BLOBs.</summary>
    private static void WriteLegacy(string path, Pattern[] patterns)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using (var create = connection.CreateCommand())
        {
            create.CommandText = "CREATE TABLE patterns (pattern_id TEXT, vector BLOB, pattern_type TEXT, coherence_metrics TEXT, temporal_context TEXT)";
            create.ExecuteNonQuery();
        }
        using var tx = connection.BeginTransaction();
        using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO patterns VALUES ($id, $v, $t, $m, $c)";
        foreach (string name in new[] { "$id", "$v", "$t", "$m", "$c" }) insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        foreach (var p in patterns)
        {
            (insert.Parameters[0].Value, insert.Parameters[1].Value, insert.Parameters[2].Value, insert.Parameters[3].Value, insert.Parameters[4].Value) =
                (p.PatternId, System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Vector.AsSpan()).ToArray(), p.PatternType, p.CoherenceMetricsJson, p.TemporalContextJson);
            insert.ExecuteNonQuery();
        }
        tx.Commit();
    }

    private static void ImportLegacy(string store, string legacy)
    {
        using var connection = StoreFactory.Connect(store, TimeSpan.FromSeconds(30), create: true);
        using var source = LegacySource.Open(new LegacySourceOptions(legacy));
        var report = PatternImporter.Run(new PatternSession(connection, CancellationToken.None), source,
            new ImportOptions("p", store + ".rejects.jsonl") { CreateCollection = true });
        if (!report.Completed || report.RowsRejected != 0) throw new InvalidOperationException("legacy import did not complete cleanly: " + report);
    }

    private static void Copy(string store, string target)
    {
        using var from = StoreFactory.Connect(store, TimeSpan.FromSeconds(30));
        using var to = StoreFactory.Connect(target, TimeSpan.FromSeconds(30), create: true);
        using var source = CollectionSource.Open(new PatternSession(from, CancellationToken.None), "p");
        var report = PatternImporter.Run(new PatternSession(to, CancellationToken.None), source,
            new ImportOptions("p", target + ".rejects.jsonl") { CreateCollection = true, NewCollection = source.Collection.ToSpec("p") });
        if (!report.Completed || report.RowsRejected != 0) throw new InvalidOperationException("copy did not complete cleanly: " + report);
    }

    private static void CheckCopy(string store, string target)
    {
        using var from = StoreFactory.Connect(store, TimeSpan.FromSeconds(30));
        using var to = StoreFactory.Connect(target, TimeSpan.FromSeconds(30));
        using var check = FidelityCheck.Open(new PatternSession(to, CancellationToken.None), "p", _ => CollectionSource.Open(new PatternSession(from, CancellationToken.None), "p"));
        var result = check.Run();
        if (!result.Passed) throw new InvalidOperationException("the copy's check failed: " + result.Message);
    }

    // The baselines: Parquet.Net alone, with the same columns and row groups, and no store, checks or checksums.
    private static readonly DataField<string> Id = new("pattern_id", nullable: false);
    private static readonly DataField<string> Type = new("pattern_type", nullable: true);
    private static readonly DataField<float> Element = new("element", nullable: false);
    private static readonly DataField<string> Metrics = new("coherence_metrics", nullable: true);
    private static readonly DataField<string> Context = new("temporal_context", nullable: true);
    private static readonly ParquetSchema Schema = new(Id, Type, new ListField("vector", Element), Metrics, Context);

    private static void BareWrite(string path, Pattern[] patterns, int dimension)
    {
        using var file = File.Create(path);
        var writer = ParquetWriter.CreateAsync(Schema, file, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }).GetAwaiter().GetResult();
        // One set of arrays for every row group, as the exporter reuses pooled ones.
        var values = new float[RowGroupRows * dimension];
        var repetitions = new int[values.Length];
        var definitions = new int[values.Length];
        definitions.AsSpan().Fill(Element.MaxDefinitionLevel);
        foreach (var group in patterns.Chunk(RowGroupRows))
        {
            using var rowGroup = writer.CreateRowGroup();
            rowGroup.WriteAsync(Id, group.Select(p => p.PatternId).ToArray(), null).GetAwaiter().GetResult();
            rowGroup.WriteAsync(Type, group.Select(p => p.PatternType).ToArray()!, null).GetAwaiter().GetResult();
            int count = group.Length * dimension;
            for (int row = 0; row < group.Length; row++)
            {
                group[row].Vector.AsSpan().CopyTo(values.AsSpan(row * dimension));
                repetitions[row * dimension] = 0;
                repetitions.AsSpan(row * dimension + 1, dimension - 1).Fill(1);
            }
            rowGroup.WriteAllPartsAsync<float>(Element, values.AsMemory(0, count), (ReadOnlyMemory<int>)definitions.AsMemory(0, count),
                (ReadOnlyMemory<int>)repetitions.AsMemory(0, count), CancellationToken.None).GetAwaiter().GetResult();
            rowGroup.WriteAsync(Metrics, group.Select(p => p.CoherenceMetricsJson).ToArray()!, null).GetAwaiter().GetResult();
            rowGroup.WriteAsync(Context, group.Select(p => p.TemporalContextJson).ToArray()!, null).GetAwaiter().GetResult();
        }
        writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    private static long BareRead(string set, int dimension)
    {
        long values = 0;
        // One set of arrays for every row group, as the import reuses pooled ones.
        float[] floats = [];
        int[] definitions = [], repetitions = [];
        foreach (string path in Directory.EnumerateFiles(set, "*.parquet").Order(StringComparer.Ordinal))
        {
            using var file = File.OpenRead(path);
            var reader = ParquetReader.CreateAsync(file).GetAwaiter().GetResult();
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                int rows = (int)group.RowCount;
                var strings = new string?[rows];
                foreach (var field in new[] { Id, Type, Metrics, Context })
                    group.ReadAsync(field, strings.AsMemory()!, null, default).AsTask().GetAwaiter().GetResult();
                int levels = rows * dimension;
                if (floats.Length < levels) (floats, definitions, repetitions) = (new float[levels], new int[levels], new int[levels]);
                group.ReadRawAsync<float>(Element, floats.AsMemory(0, levels), definitions.AsMemory(0, levels), repetitions.AsMemory(0, levels), default).AsTask().GetAwaiter().GetResult();
                values += levels;
            }
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return values;
    }
}
