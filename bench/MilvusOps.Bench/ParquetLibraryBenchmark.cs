using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using MilvusOps.Engine.Sources.ExportSets;
using ParquetSharp;
using ParquetSharp.Schema;
using static MilvusOps.Bench.Measure;
using Columns = MilvusOps.Engine.Sources.ExportSets.ParquetShardWriter.Columns;
using NetReader = Parquet.ParquetReader;

namespace MilvusOps.Bench;

/// <summary>
/// The two Parquet libraries on NuGet, on the same rows in the export-set shard layout, Snappy-compressed, in row groups of
/// 10,000 rows as the exporter writes them: Parquet.Net 6.1.0 (the engine's own <see cref="ParquetShardWriter"/>, the
/// baseline) against ParquetSharp (the same schema built node by node). Each library reads both files; before anything
/// is timed, every value each of them reads from either file must equal the rows written, bit for bit, and both files
/// must have the same schema in both libraries' eyes. Rows/s, file sizes and peak memory, with ParquetSharp / Parquet.Net.
/// </summary>
internal static class ParquetLibraryBenchmark
{
    private const int RowGroupRows = 10_000;

    /// <summary>What a library read from one row group; levels widened to int.</summary>
    private sealed record ReadGroup(string?[] Ids, string?[] Types, float[] Values, int[] Definitions, int[] Repetitions,
        int MaxDefinition, string?[] Metrics, string?[] Contexts);

    private sealed record Library(string Name, Action<string, Pattern[], int> Write, Action<string, Action<ReadGroup>?> Read);

    private static readonly Library[] Libraries =
    [
        new("Parquet.Net", NetWrite, NetRead),
        new("ParquetSharp", SharpWrite, SharpRead),
    ];

    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 100_000), ("dim", 512), ("rounds", 3));
        if (options is null) return 2;
        int rows = options["rows"], dimension = options["dim"], rounds = options["rounds"];
        string folder = Directory.CreateTempSubdirectory("milvusops-parquet-bench-").FullName;
        try
        {
            Console.WriteLine($"parquet benchmark: {rows:N0} x {dimension} float32 rows, Snappy, {RowGroupRows:N0}-row groups, {rounds} rounds, " +
                $"{Environment.ProcessorCount} cores, .NET {Environment.Version}; Parquet.Net {Version(typeof(NetReader))}, ParquetSharp {Version(typeof(ParquetFileWriter))}");
            var patterns = Patterns(rows, dimension);
            string FileOf(Library library, int round) => Path.Combine(folder, $"{library.Name}{round}.parquet");

            // The check, which also warms both libraries up (ParquetSharp loads its native library here).
            foreach (var writer in Libraries) writer.Write(FileOf(writer, -1), patterns, dimension);
            string layout = CheckSchemas(FileOf(Libraries[0], -1), FileOf(Libraries[1], -1));
            foreach (var writer in Libraries)
                foreach (var reader in Libraries)
                {
                    int next = 0;
                    reader.Read(FileOf(writer, -1), group => Check(group, patterns, ref next, dimension, $"{reader.Name} reading {writer.Name}'s file"));
                    if (next != rows) throw new InvalidOperationException($"{reader.Name} read {next} rows from {writer.Name}'s file; {rows} were written");
                }
            Console.WriteLine("check: both libraries read both files back bit for bit; both files have this layout (ParquetSharp's view):");
            Console.WriteLine("  " + layout.Replace("\n", "\n  ", StringComparison.Ordinal));

            var writes = Libraries.ToDictionary(l => l.Name, _ => new List<double>());
            var reads = Libraries.SelectMany(r => Libraries.Select(w => (r.Name, w.Name))).ToDictionary(k => k, _ => new List<double>());
            var writePeak = Libraries.ToDictionary(l => l.Name, _ => 0L);
            var readPeak = Libraries.ToDictionary(l => l.Name, _ => 0L);
            for (int round = 0; round < rounds; round++)
            {
                foreach (var writer in Libraries)
                {
                    var (seconds, peak) = TimeWithPeakMemory(() => writer.Write(FileOf(writer, round), patterns, dimension));
                    writes[writer.Name].Add(seconds);
                    writePeak[writer.Name] = Math.Max(writePeak[writer.Name], peak);
                }
                foreach (var reader in Libraries)
                    foreach (var writer in Libraries)
                    {
                        var (seconds, peak) = TimeWithPeakMemory(() => reader.Read(FileOf(writer, round), null));
                        reads[(reader.Name, writer.Name)].Add(seconds);
                        readPeak[reader.Name] = Math.Max(readPeak[reader.Name], peak);
                    }
            }

            const string Net = "Parquet.Net", Sharp = "ParquetSharp";
            long netBytes = new FileInfo(FileOf(Libraries[0], 0)).Length, sharpBytes = new FileInfo(FileOf(Libraries[1], 0)).Length;
            double Rate(List<double> seconds) => rows / Median(seconds);
            double netWrite = Rate(writes[Net]), sharpWrite = Rate(writes[Sharp]);
            double netRead = Rate(reads[(Net, Net)]), sharpRead = Rate(reads[(Sharp, Sharp)]);
            double netReadsSharp = Rate(reads[(Net, Sharp)]), sharpReadsNet = Rate(reads[(Sharp, Net)]);
            Console.WriteLine();
            Console.WriteLine($"{"measurement",-60} {"value",14}");
            Console.WriteLine(new string('-', 76));
            Console.WriteLine($"{"file written by Parquet.Net",-60} {netBytes / 1e6,11:F1} MB");
            Console.WriteLine($"{"file written by ParquetSharp",-60} {sharpBytes / 1e6,11:F1} MB");
            Console.WriteLine($"{"  ParquetSharp / Parquet.Net",-60} {(double)sharpBytes / netBytes,14:F3}");
            Console.WriteLine($"{"write, Parquet.Net (the engine's ParquetShardWriter; median)",-60} {netWrite,9:N0} rows/s");
            Console.WriteLine($"{"write, ParquetSharp (median)",-60} {sharpWrite,9:N0} rows/s");
            Console.WriteLine($"{"  ParquetSharp / Parquet.Net",-60} {sharpWrite / netWrite,14:F3}");
            Console.WriteLine($"{"read, Parquet.Net of its own file (median)",-60} {netRead,9:N0} rows/s");
            Console.WriteLine($"{"read, ParquetSharp of its own file (median)",-60} {sharpRead,9:N0} rows/s");
            Console.WriteLine($"{"  ParquetSharp / Parquet.Net",-60} {sharpRead / netRead,14:F3}");
            Console.WriteLine($"{"read, Parquet.Net of ParquetSharp's file (median)",-60} {netReadsSharp,9:N0} rows/s");
            Console.WriteLine($"{"read, ParquetSharp of Parquet.Net's file (median)",-60} {sharpReadsNet,9:N0} rows/s");
            Console.WriteLine($"{"peak memory above baseline, write, Parquet.Net",-60} {writePeak[Net] / 1e6,11:F1} MB");
            Console.WriteLine($"{"peak memory above baseline, write, ParquetSharp",-60} {writePeak[Sharp] / 1e6,11:F1} MB");
            Console.WriteLine($"{"peak memory above baseline, read (either file), Parquet.Net",-60} {readPeak[Net] / 1e6,11:F1} MB");
            Console.WriteLine($"{"peak memory above baseline, read (either file), ParquetSharp",-60} {readPeak[Sharp] / 1e6,11:F1} MB");
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                benchmark = "parquet", rows, dimension, compression = "snappy", parquetNetBytes = netBytes, parquetSharpBytes = sharpBytes,
                parquetNetWriteRowsPerSecond = Math.Round(netWrite), parquetSharpWriteRowsPerSecond = Math.Round(sharpWrite), writeSharpToNet = Math.Round(sharpWrite / netWrite, 3),
                parquetNetReadRowsPerSecond = Math.Round(netRead), parquetSharpReadRowsPerSecond = Math.Round(sharpRead), readSharpToNet = Math.Round(sharpRead / netRead, 3),
                parquetNetReadsSharpFileRowsPerSecond = Math.Round(netReadsSharp), parquetSharpReadsNetFileRowsPerSecond = Math.Round(sharpReadsNet),
                parquetNetWritePeakBytes = writePeak[Net], parquetSharpWritePeakBytes = writePeak[Sharp],
                parquetNetReadPeakBytes = readPeak[Net], parquetSharpReadPeakBytes = readPeak[Sharp],
            }));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Version(Type type) =>
        type.Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "?";

    /// <summary>Rows as exports hold them, with a null type, metrics or context now and then.</summary>
    private static Pattern[] Patterns(int rows, int dimension)
    {
        var random = new Random(11);
        return Enumerable.Range(0, rows).Select(i =>
        {
            var vector = new float[dimension];
            for (int d = 0; d < dimension; d++) vector[d] = (float)(random.NextDouble() * 2 - 1);
            string metrics = string.Create(CultureInfo.InvariantCulture,
                $$"""{"quantum_coherence":{{random.NextDouble():F4}},"quantum_stability":{{random.NextDouble():F4}}}""");
            string context = string.Create(CultureInfo.InvariantCulture, $$"""{"window":{"start":{{2000 + i % 20}},"end":{{2001 + i % 20}}},"phase":"warm"}""");
            return new Pattern($"p{i:D7}", vector, i % 7 == 0 ? null : i % 3 == 0 ? "temporal_drift" : "quantum_correlation",
                i % 11 == 0 ? null : metrics, i % 13 == 0 ? null : context);
        }).ToArray();
    }

    /// <summary>Checks a row group read back against the rows it should hold, from row <paramref name="next"/> on.</summary>
    private static void Check(ReadGroup group, Pattern[] patterns, ref int next, int dimension, string what)
    {
        var rows = patterns.AsSpan(next, group.Ids.Length);
        var written = new float[rows.Length * dimension];
        for (int i = 0; i < rows.Length; i++)
        {
            int row = next + i;
            if (group.Ids[i] != rows[i].PatternId || group.Types[i] != rows[i].PatternType
                || group.Metrics[i] != rows[i].CoherenceMetricsJson || group.Contexts[i] != rows[i].TemporalContextJson)
                throw new InvalidOperationException($"{what}: row {row} has other text than was written");
            rows[i].Vector.AsSpan().CopyTo(written.AsSpan(i * dimension));
        }
        if (!MemoryMarshal.AsBytes(group.Values.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(written.AsSpan())))
            throw new InvalidOperationException($"{what}: the vectors of rows {next}..{next + rows.Length - 1} are not the floats written, bit for bit");
        for (int i = 0; i < group.Repetitions.Length; i++)
            if (group.Repetitions[i] != (i % dimension == 0 ? 0 : 1) || group.Definitions[i] != group.MaxDefinition)
                throw new InvalidOperationException($"{what}: the vector levels at element {i} of rows {next}.. are not one whole {dimension}-d list a row");
        next += rows.Length;
    }

    /// <summary>Both files as each library sees them: Parquet.Net must find the engine's schema in each (as an import
    /// checks), and ParquetSharp the same columns, types and levels in both.</summary>
    private static string CheckSchemas(string netFile, string sharpFile)
    {
        foreach (string file in new[] { netFile, sharpFile })
        {
            using var stream = File.OpenRead(file);
            var schema = NetReader.ReadSchemaAsync(stream).GetAwaiter().GetResult();
            if (!schema.Equals(ParquetShardWriter.Schema))
                throw new InvalidOperationException($"Parquet.Net does not find the export schema in {Path.GetFileName(file)}: " +
                    schema.GetNotEqualsMessage(ParquetShardWriter.Schema, "file", "export"));
        }
        string netLayout = SharpLayout(netFile), sharpLayout = SharpLayout(sharpFile);
        if (netLayout != sharpLayout)
            throw new InvalidOperationException($"ParquetSharp sees other layouts:\nParquet.Net's file:\n{netLayout}\nParquetSharp's file:\n{sharpLayout}");
        return netLayout;
    }

    private static string SharpLayout(string file)
    {
        using var reader = new ParquetFileReader(file);
        var schema = reader.FileMetaData.Schema;
        return string.Join("\n", Enumerable.Range(0, schema.NumColumns).Select(i =>
        {
            var column = schema.Column(i);
            using var path = column.Path;
            using var logical = column.LogicalType;
            return $"{path.ToDotString()} {column.PhysicalType} {logical} def {column.MaxDefinitionLevel} rep {column.MaxRepetitionLevel}";
        }).Concat(reader.FileMetaData.KeyValueMetadata.Where(kv => kv.Key.StartsWith("milvusops.", StringComparison.Ordinal))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
    }

    // Parquet.Net: the engine's writer, and a read of every column of every row group as ExportSetSource reads them.

    private static void NetWrite(string path, Pattern[] patterns, int dimension)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        using var writer = new ParquetShardWriter(file, new PatternCollection
        {
            Name = "p", Dimension = dimension, Metric = null, IndexType = IndexRules.NoIndex, Fields = [],
        });
        foreach (var group in patterns.Chunk(RowGroupRows)) writer.Write(group);
        writer.Complete();
    }

    private static void NetRead(string path, Action<ReadGroup>? check)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var reader = NetReader.CreateAsync(file).GetAwaiter().GetResult();
        try
        {
            for (int g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                string?[] Strings(Parquet.Schema.DataField<string> field)
                {
                    var values = new string?[group.RowCount];
                    group.ReadAsync(field, values.AsMemory()!, null, default).AsTask().GetAwaiter().GetResult();
                    return values;
                }
                var (ids, types, metrics, contexts) = (Strings(Columns.Id), Strings(Columns.Type), Strings(Columns.Metrics), Strings(Columns.Context));
                int levels = checked((int)group.GetMetadata(Columns.Element)!.MetaData!.NumValues);
                var (values, definitions, repetitions) = (new float[levels], new int[levels], new int[levels]);
                group.ReadRawAsync<float>(Columns.Element, values, definitions, repetitions, default).AsTask().GetAwaiter().GetResult();
                check?.Invoke(new ReadGroup(ids, types, values, definitions, repetitions, Columns.Element.MaxDefinitionLevel, metrics, contexts));
            }
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();   // Parquet.Net 6's reader is IAsyncDisposable only
        }
    }

    // ParquetSharp: the same schema, built node by node, the vector column through its low-level (levels) API as the
    // engine writes it through Parquet.Net's, and the text through its logical API.

    private static GroupNode SharpSchema()
    {
        static Node Text(string name, Repetition repetition) => new PrimitiveNode(name, repetition, LogicalType.String(), PhysicalType.ByteArray);
        var element = new PrimitiveNode(Columns.Element.Name, Repetition.Required, LogicalType.None(), PhysicalType.Float);
        var vector = new GroupNode(Columns.Vector.Name, Repetition.Optional, [new GroupNode("list", Repetition.Repeated, [element])], LogicalType.List());
        return new GroupNode("schema", Repetition.Required,
            [Text(Columns.Id.Name, Repetition.Required), Text(Columns.Type.Name, Repetition.Optional), vector,
             Text(Columns.Metrics.Name, Repetition.Optional), Text(Columns.Context.Name, Repetition.Optional)]);
    }

    private static void SharpWrite(string path, Pattern[] patterns, int dimension)
    {
        using var schema = SharpSchema();
        // Dictionaries for the text, as Parquet.Net uses; none for the floats, which Parquet.Net writes plain too.
        using var properties = new WriterPropertiesBuilder().Compression(Compression.Snappy).DisableDictionary("vector.list.element").Build();
        using var writer = new ParquetFileWriter(path, schema, properties, new Dictionary<string, string>
        {
            ["milvusops.collection"] = "p", ["milvusops.dimension"] = dimension.ToString(CultureInfo.InvariantCulture),
        });
        short defined = (short)writer.Schema.Column(2).MaxDefinitionLevel;
        foreach (var group in patterns.Chunk(RowGroupRows))
        {
            using var rowGroup = writer.AppendRowGroup();
            void Strings(Func<Pattern, string?> field)
            {
                using var column = rowGroup.NextColumn().LogicalWriter<string?>();
                column.WriteBatch(group.Select(field).ToArray());
            }
            Strings(p => p.PatternId);
            Strings(p => p.PatternType);
            var values = new float[group.Length * dimension];
            var repetitions = new short[values.Length];
            var definitions = new short[values.Length];
            definitions.AsSpan().Fill(defined);
            for (int row = 0; row < group.Length; row++)
            {
                group[row].Vector.AsSpan().CopyTo(values.AsSpan(row * dimension));
                repetitions.AsSpan(row * dimension + 1, dimension - 1).Fill(1);
            }
            using (var column = (ColumnWriter<float>)rowGroup.NextColumn())
                column.WriteBatch(values.Length, definitions, repetitions, values);
            Strings(p => p.CoherenceMetricsJson);
            Strings(p => p.TemporalContextJson);
        }
        writer.Close();
    }

    private static void SharpRead(string path, Action<ReadGroup>? check)
    {
        using var reader = new ParquetFileReader(path);
        for (int g = 0; g < reader.FileMetaData.NumRowGroups; g++)
        {
            using var group = reader.RowGroup(g);
            int rows = checked((int)group.MetaData.NumRows);
            string?[] Strings(int column)
            {
                using var text = group.Column(column).LogicalReader<string?>();
                return text.ReadAll(rows);
            }
            var (ids, types, metrics, contexts) = (Strings(0), Strings(1), Strings(3), Strings(4));
            int levels;
            using (var chunk = group.MetaData.GetColumnChunkMetaData(2)) levels = checked((int)chunk.NumValues);
            var (values, definitions, repetitions) = (new float[levels], new short[levels], new short[levels]);
            int levelsRead = 0, valuesRead = 0;
            using (var column = (ColumnReader<float>)group.Column(2))
                while (column.HasNext)
                {
                    levelsRead += (int)column.ReadBatch(levels - levelsRead, definitions.AsSpan(levelsRead), repetitions.AsSpan(levelsRead),
                        values.AsSpan(valuesRead), out long read);
                    valuesRead += (int)read;
                }
            if (check is null) continue;
            if (levelsRead != levels || valuesRead != levels)
                throw new InvalidOperationException($"ParquetSharp read {levelsRead} levels and {valuesRead} values of {levels} in row group {g} of {path}");
            check(new ReadGroup(ids, types, values, Array.ConvertAll(definitions, d => (int)d), Array.ConvertAll(repetitions, r => (int)r),
                group.MetaData.Schema.Column(2).MaxDefinitionLevel, metrics, contexts));
        }
    }
}
