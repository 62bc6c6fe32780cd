using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Backends.Milvus;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Pipelines.Transfer;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources.ExportSets;
using MilvusOps.Engine.Stack;
using static MilvusOps.Bench.Measure;

namespace MilvusOps.Bench;

/// <summary>
/// The bulk path end to end against the conformance peer (<c>peer.js --stateful --bulk</c>: s3rver and the import REST
/// API, rows read back with hyparquet): Start-MilvusImportJob's upload, job and Wait, and the Fidelity check, against the
/// row-by-row path (Import-PatternCollection's upserts over gRPC) into the same peer and a bare upload of the same bytes.
/// The peer is a JavaScript stand-in, not Milvus: the figures say what our side costs, not how fast Milvus imports.
/// </summary>
internal static class BulkBenchmark
{
    public static int Run(string[] args)
    {
        var options = IntOptions.Parse(args, ("rows", 50_000), ("dim", 512), ("rounds", 3));
        if (options is null) return 2;
        int rows = options["rows"], dimension = options["dim"], rounds = options["rounds"];
        string folder = Directory.CreateTempSubdirectory("milvusops-bulk-bench-").FullName;
        using var peer = Peer.Start();
        try
        {
            Console.WriteLine($"bulk benchmark: {rows:N0} x {dimension} float32 rows, {rounds} rounds, {Environment.ProcessorCount} cores, .NET {Environment.Version}, against peer.js --stateful --bulk");
            string set = Path.Combine(folder, "set");
            using (var source = StoreFactory.Connect(Path.Combine(folder, "source.db"), TimeSpan.FromSeconds(30), create: true))
            {
                var session = new PatternSession(source, CancellationToken.None);
                session.Create(new CollectionSpec { Name = "p", Dimension = dimension }, false);
                var random = new Random(7);
                for (int start = 0; start < rows; start += 2000)
                    session.Upsert("p", Enumerable.Range(start, Math.Min(2000, rows - start)).Select(i => new Pattern($"p{i:D7}",
                        Enumerable.Range(0, dimension).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray(), "quantum_correlation",
                        string.Create(CultureInfo.InvariantCulture, $$"""{"quantum_coherence":{{0.9 + random.NextDouble() / 10:F4}}}"""), """{"phase":"warm"}""")).ToArray());
                CollectionExporter.Run(session, new ExportOptions("p", set, ExportFormat.Parquet));
            }
            var shards = ExportSetSource.Open(set).Set;
            using var connection = StoreFactory.Connect(peer.Address, TimeSpan.FromSeconds(60));
            var milvus = new PatternSession(connection, CancellationToken.None);
            var storage = new ObjectStorageTarget(new Uri(peer.S3), ObjectStorageTarget.DefaultBucket, "S3RVER", "S3RVER");

            var bareUploads = new List<double>();
            var bulks = new List<double>();
            var starts = new List<double>();
            var checks = new List<double>();
            var upserts = new List<double>();
            long bulkPeak = 0;
            for (int round = 0; round < rounds; round++)
            {
                // After a full collection, as the bulk start's timing is: neither pays for the other's garbage.
                bareUploads.Add(TimeWithPeakMemory(() =>
                {
                    using var bare = new ObjectStorage(storage);
                    foreach (var shard in shards.Shards) bare.Upload($"bare/{round}/{shard.File}", Path.Combine(set, shard.File), shard.Sha256, null, CancellationToken.None);
                }).Seconds);
                string bulkCollection = $"bulk{round}";
                // Both paths write into collections made beforehand: the timing is of the rows, not of a create and a load.
                milvus.Create(shards.ToSpec(bulkCollection), false);
                milvus.Create(shards.ToSpec($"upsert{round}"), false);
                var (seconds, peak) = TimeWithPeakMemory(() =>
                {
                    var clock = Stopwatch.StartNew();
                    var job = BulkImporter.Start(milvus, new BulkImportOptions(set, storage) { Collection = bulkCollection, Prefix = $"bench{round}", RestUri = new Uri(peer.Rest) });
                    starts.Add(clock.Elapsed.TotalSeconds);
                    var done = BulkImporter.Wait(milvus, job.JobId, new Uri(peer.Rest), TimeSpan.FromMinutes(30));
                    if (!done.IsCompleted) throw new InvalidOperationException($"job {done.JobId} {done.State}: {done.Reason}");
                });
                bulks.Add(seconds);
                bulkPeak = Math.Max(bulkPeak, peak);
                checks.Add(Time(() =>
                {
                    var check = BulkImporter.Verify(milvus, bulkCollection, set);
                    if (!check.Passed) throw new InvalidOperationException(check.Message);
                }));
                upserts.Add(Time(() =>
                {
                    using var source = ExportSetSource.Open(set);
                    var report = PatternImporter.Run(milvus, source, new ImportOptions($"upsert{round}", Path.Combine(folder, $"upsert{round}.rejects.jsonl")));
                    if (!report.Completed || report.RowsRejected != 0) throw new InvalidOperationException(report.ToString());
                }));
                milvus.Drop(bulkCollection);
                milvus.Drop($"upsert{round}");
            }

            double bytes = shards.Bytes;
            double startRate = rows / Median(starts);
            double uploadRate = rows / Median(bareUploads), bulkRate = rows / Median(bulks), upsertRate = rows / Median(upserts), checkRate = rows / Median(checks);
            Console.WriteLine();
            Console.WriteLine($"{"measurement",-60} {"value",14}");
            Console.WriteLine(new string('-', 76));
            Console.WriteLine($"{"Parquet shards of the set",-60} {bytes / 1e6,11:F1} MB");
            Console.WriteLine($"{"bare upload of the shards to s3rver (median)",-60} {uploadRate,9:N0} rows/s");
            Console.WriteLine($"{"Start-MilvusImportJob: checksums, upload, job (peer reads it)",-60} {startRate,9:N0} rows/s");
            Console.WriteLine($"{"  start / bare upload",-60} {startRate / uploadRate,14:F3}");
            Console.WriteLine($"{"Start-MilvusImportJob -Wait: and the peer's job to its end",-60} {bulkRate,9:N0} rows/s");
            Console.WriteLine($"{"Import-PatternCollection, upserts over gRPC",-60} {upsertRate,9:N0} rows/s");
            Console.WriteLine($"{"  bulk / upserts",-60} {bulkRate / upsertRate,14:F3}");
            Console.WriteLine($"{"Fidelity check of the loaded collection against the set",-60} {checkRate,9:N0} rows/s");
            Console.WriteLine($"{"  bulk and check, end to end",-60} {rows / (Median(bulks) + Median(checks)),9:N0} rows/s");
            Console.WriteLine($"{"peak memory above baseline, bulk (this process)",-60} {bulkPeak / 1e6,11:F1} MB");
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                benchmark = "bulk", rows, dimension, parquetBytes = bytes,
                bareUploadRowsPerSecond = Math.Round(uploadRate), startRowsPerSecond = Math.Round(startRate), startToBareUpload = Math.Round(startRate / uploadRate, 3), bulkRowsPerSecond = Math.Round(bulkRate),
                upsertRowsPerSecond = Math.Round(upsertRate), bulkToUpserts = Math.Round(bulkRate / upsertRate, 3),
                checkRowsPerSecond = Math.Round(checkRate), endToEndRowsPerSecond = Math.Round(rows / (Median(bulks) + Median(checks))), bulkPeakBytes = bulkPeak,
            }));
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>node tests/conformance/peer.js --stateful --bulk, found from the repository root; stopped by closing its stdin.</summary>
    private sealed class Peer : IDisposable
    {
        private readonly Process _process;
        private readonly Dictionary<string, int> _ports;

        private Peer(Process process, Dictionary<string, int> ports) => (_process, _ports) = (process, ports);

        public string Address => $"http://127.0.0.1:{_ports["LISTENING"]}";
        public string S3 => $"http://127.0.0.1:{_ports["S3"]}";
        public string Rest => $"http://127.0.0.1:{_ports["REST"]}";

        public static Peer Start()
        {
            string root = AppContext.BaseDirectory;
            while (!File.Exists(Path.Combine(root, "MilvusOps.sln"))) root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("MilvusOps.sln not found above the benchmark.");
            string conformance = Path.Combine(root, "tests", "conformance");
            var start = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = conformance };
            foreach (string argument in new[] { Path.Combine(conformance, "peer.js"), "--stateful", "--bulk" }) start.ArgumentList.Add(argument);
            var process = Process.Start(start) ?? throw new InvalidOperationException("node did not start; run npm ci --prefix tests/conformance first.");
            var ports = new Dictionary<string, int>();
            while (ports.Count < 3 && process.StandardOutput.ReadLine() is { } line)
                if (line.Split(' ') is [var name and ("LISTENING" or "S3" or "REST"), var port]) ports[name] = int.Parse(port, CultureInfo.InvariantCulture);
            if (ports.Count < 3) throw new InvalidOperationException("peer.js --stateful --bulk did not print its ports.");
            // Its later lines (one per call) must be read, or the pipe fills and the peer blocks.
            _ = Task.Run(() => { while (process.StandardOutput.ReadLine() is not null) { } });
            return new Peer(process, ports);
        }

        public void Dispose()
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(5000)) _process.Kill();
            _process.Dispose();
        }
    }
}
