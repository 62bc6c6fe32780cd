using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using MilvusOps.Engine.Backends.Milvus;
using WireFormat = MilvusOps.Engine.Backends.Milvus.WireFormat;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Bench;

/// <summary>
/// An import written through the production path, <see cref="MilvusStore.Upsert"/> (split at
/// <see cref="MilvusStore.MaxUpsertBytes"/>, encoded by the store's pooled <see cref="PatternColumnWriter"/>, sent
/// by MilvusRpc with its headers, deadline and retry rules), to an in-process gRPC sink (<see cref="GrpcSink"/>)
/// that answers the store's Describe calls and drains every upsert. The rows go in the batches
/// Import-SqlitePattern hands to the store. Baselines in the same run: the same vectors serialized as bare
/// FloatArray messages into a reusable buffer (the encoding ceiling: no ids, no JSON, no network), and those
/// FloatArray bytes, serialized beforehand, sent request for request through a channel set up like the store's to
/// the same sink (the transport ceiling). Each round times the sides in turns, batch by batch, then runs a whole
/// import alone for its memory footprint; the first round warms up and is dropped, and each figure is the median
/// of the rest.
/// </summary>
internal static class GrpcBenchmark
{
    private const string Collection = "correlation_patterns";

    public static int Run(string[] args)
    {
        // --batch and --batch-mb: Import-SqlitePattern's -BatchSize default and ImportOptions.MaxBatchBytes.
        var options = IntOptions.Parse(args, ("rows", 100_000), ("dim", 512), ("batch", 5000), ("batch-mb", 8), ("rounds", 5), ("seed", 42));
        if (options is null) return 2;
        int rows = options["rows"], dim = options["dim"], batchRows = options["batch"], batchMb = options["batch-mb"], rounds = options["rounds"], seed = options["seed"];
        if (rows < 1 || dim < 1 || batchRows < 1 || batchMb < 1 || rounds < 1)
        {
            Console.Error.WriteLine("--rows, --dim, --batch, --batch-mb and --rounds must be at least 1.");
            return 2;
        }

        Console.WriteLine($"grpc benchmark: {rows:N0} x {dim} patterns, import batches of up to {batchRows:N0} rows / {batchMb} MiB, " +
            $"{rounds} rounds + 1 warm-up, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var patterns = BuildPatterns(rows, dim, seed);
        var batches = ImportBatches(patterns, batchRows, (long)batchMb << 20);
        var write = new Write(batches);

        var sizes = write.Requests.SelectMany(r => r).Select(r => r.Count).ToList();
        Console.WriteLine($"{batches.Count} import batches of up to {batches.Max(b => b.Count):N0} rows; the store sends them as {write.RequestCount} requests " +
            $"({string.Join(", ", sizes.CountBy(n => n).OrderByDescending(g => g.Key).Select(g => $"{g.Value} x {g.Key:N0} rows"))}), " +
            $"the largest {write.LargestRequest / 1e6:F2} MB");
        Console.WriteLine($"{write.WireBytes / 1e6:F1} MB on the wire, {(double)write.WireBytes / rows:F0} bytes a row, of which {dim * sizeof(float)} are the vector");
        // The store splits at twice the importer's byte limit, so each batch should go as one request; a larger
        // --batch-mb is the only way to get more.
        if (write.RequestCount != batches.Count)
            Console.WriteLine($"NOTE: {write.RequestCount} requests for {batches.Count} import batches: the store splits some batches.");

        var (faultMicroseconds, faultsPer64MiB) = PageFaultCost();
        var sink = GrpcSink.StartAsync(Answers(dim)).GetAwaiter().GetResult();
        try
        {
            var endpoint = MilvusEndpoint.Parse(sink.Address.ToString());
            using var store = MilvusStore.Connect(endpoint);
            using var raw = RawChannel(sink.Address);
            var invoker = raw.CreateCallInvoker();
            var buffer = new byte[write.LargestRequest];
            // The split + encode measure keeps one writer for the whole run, as the store's pool keeps its own.
            var writer = new PatternColumnWriter();
            WarmUp(store, invoker, writer, patterns, buffer);
            var results = new List<Round>();
            for (int round = 0; round <= rounds; round++)
            {
                var (send, encode) = TimedPasses(sink, store, invoker, writer, write, buffer);
                // Alone, from a collected heap: the import's own footprint, with nothing else live but the input
                // (and the writers, whose columns were sized by the timed passes).
                var alone = Measure(sink, () => ImportThroughStore(store, batches));
                if (round > 0) results.Add(new Round(send, encode, alone));
            }
            Report(rows, dim, write, results, faultMicroseconds, faultsPer64MiB);
            return 0;
        }
        finally
        {
            sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    // ---------------------------------------------------------------- input

    /// <summary>Deterministic patterns shaped like the seed data: ids "pattern_000001", one of four types,
    /// three or four coherence metrics, and a temporal context with an ISO-8601 timestamp.</summary>
    private static Pattern[] BuildPatterns(int rows, int dim, int seed)
    {
        var random = new Random(seed);
        string[] types = ["quantum_correlation", "temporal_drift", "coherence_cluster", "entanglement_bridge"];
        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var patterns = new Pattern[rows];
        for (int i = 0; i < rows; i++)
        {
            var vector = new float[dim];
            for (int d = 0; d < dim; d++) vector[d] = (float)(random.NextDouble() * 2 - 1);
            double qc = 0.9 + random.NextDouble() * 0.1, qs = 0.9 + random.NextDouble() * 0.1, pc = 0.9 + random.NextDouble() * 0.1;
            string metrics = i % 2 == 0
                ? string.Create(CultureInfo.InvariantCulture, $$"""{"quantum_coherence":{{qc:F4}},"quantum_stability":{{qs:F4}},"pattern_coherence":{{pc:F4}}}""")
                : string.Create(CultureInfo.InvariantCulture, $$"""{"quantum_coherence":{{qc:F4}},"quantum_stability":{{qs:F4}},"pattern_coherence":{{pc:F4}},"entanglement_entropy":{{random.NextDouble():F4}}}""");
            string context = string.Create(CultureInfo.InvariantCulture,
                $$"""{"timestamp":"{{epoch.AddSeconds(i * 37L):yyyy-MM-ddTHH:mm:ssZ}}","window":"5m","sequence":{{i}}}""");
            patterns[i] = new Pattern($"pattern_{i + 1:D6}", vector, types[random.Next(types.Length)], metrics, context);
        }
        return patterns;
    }

    /// <summary>
    /// The batches Import-SqlitePattern hands to the store: its cut (<see cref="WriteBatcher{T}.ForWriters"/>) at
    /// <paramref name="maxRows"/> rows or <paramref name="maxBytes"/>. Lists, as the importer passes.
    /// </summary>
    private static List<List<Pattern>> ImportBatches(Pattern[] patterns, int maxRows, long maxBytes) =>
        [.. WriteBatcher<Pattern>.ForWriters(maxRows, maxBytes).Cut(patterns, pattern => pattern)];

    /// <summary>An import's batches and, for each, the requests the store splits it into, with their sizes.</summary>
    private sealed class Write
    {
        public Write(List<List<Pattern>> batches)
        {
            Batches = batches;
            Requests = [.. batches.Select(b => MilvusStore.Batches(b).ToList())];
            // Each request as the store sends it, database name included.
            var sizes = Requests.Select(requests => requests.Select(r => (long)StoreRequest(r).CalculateSize()).ToList()).ToList();
            BatchBytes = [.. sizes.Select(s => s.Sum())];
            WireBytes = BatchBytes.Sum();
            LargestRequest = (int)sizes.SelectMany(s => s).Max();
            RequestCount = Requests.Sum(r => r.Count);
        }

        public List<List<Pattern>> Batches { get; }
        public List<List<IReadOnlyList<Pattern>>> Requests { get; }

        /// <summary>The upsert messages' bytes for each import batch, without the 5-byte gRPC frame headers.</summary>
        public long[] BatchBytes { get; }
        public long WireBytes { get; }
        public int LargestRequest { get; }
        public int RequestCount { get; }
    }

    private static Rpc.UpsertRequest StoreRequest(IReadOnlyList<Pattern> rows)
    {
        var request = WireFormat.UpsertRequest(Collection, rows);
        request.DbName = MilvusEndpoint.DefaultDatabase;
        return request;
    }

    private static Rpc.FloatArray FloatArrayOf(IReadOnlyList<Pattern> rows)
    {
        var array = new Rpc.FloatArray();
        array.Data.Capacity = rows.Count * rows[0].Vector.Length;
        foreach (var pattern in rows) array.Data.AddRange(pattern.Vector);
        return array;
    }

    /// <summary>
    /// The sink's answers to what the store asks before its first write: the collection's schema from
    /// WireFormat.Schema, and a FLAT / L2 index on the vector field. Upserts get the empty answer, which reads as
    /// a MutationResult with a success status.
    /// </summary>
    private static Dictionary<string, byte[]> Answers(int dim)
    {
        var spec = new CollectionSpec { Name = Collection, Dimension = dim, Metric = MetricType.L2, IndexType = "FLAT" };
        var collection = new Rpc.DescribeCollectionResponse
        {
            Status = new Rpc.Status(), Schema = WireFormat.Schema(spec), CollectionName = Collection, DbName = MilvusEndpoint.DefaultDatabase, ShardsNum = 1,
        };
        var index = new Rpc.IndexDescription { FieldName = PatternSchema.Vector, IndexName = PatternSchema.Vector };
        index.Params.Add(new Rpc.KeyValuePair { Key = "index_type", Value = "FLAT" });
        index.Params.Add(new Rpc.KeyValuePair { Key = "metric_type", Value = "L2" });
        index.Params.Add(new Rpc.KeyValuePair { Key = "params", Value = "{}" });
        var indexes = new Rpc.DescribeIndexResponse { Status = new Rpc.Status() };
        indexes.IndexDescriptions.Add(index);
        string service = "/" + Rpc.MilvusService.Descriptor.FullName + "/";
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [service + "DescribeCollection"] = GrpcSink.Frame(collection.ToByteArray()),
            [service + "DescribeIndex"] = GrpcSink.Frame(indexes.ToByteArray()),
        };
    }

    /// <summary>The raw transport's channel: a handler set up as MilvusRpc sets up the store's (keepalive pings,
    /// no idle timeout, more HTTP/2 connections when streams run out), so the two differ in what they send.</summary>
    private static GrpcChannel RawChannel(Uri address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            EnableMultipleHttp2Connections = true,
        },
        DisposeHttpClient = true,
        MaxSendMessageSize = MilvusRpc.MaxSendBytes,
    });

    // ---------------------------------------------------------------- the timed passes

    /// <summary>
    /// An import is only a few dozen requests, so a method called once a request would still be in its first,
    /// unoptimized JIT tier during the first rounds. Many small requests of every kind get each past the tiering
    /// threshold; the pause lets the background compiler finish. The store's first write also asks the sink for
    /// the collection's schema and index, which it then keeps.
    /// </summary>
    private static void WarmUp(MilvusStore store, CallInvoker invoker, PatternColumnWriter writer, Pattern[] patterns, byte[] buffer)
    {
        var small = patterns.Take(16).ToList();
        byte[] message = FloatArrayOf(small).ToByteArray();
        for (int i = 0; i < 200; i++)
        {
            store.Upsert(Collection, small);
            SendFrame(invoker, message);
            EncodeSplit(writer, small, buffer);
            Serialize(FloatArrayOf(small), buffer);
        }
        Thread.Sleep(500);
    }

    /// <summary>
    /// One round's throughput: the sides of each comparison take turns import batch by import batch (the first
    /// side rotates), so load from elsewhere on the machine falls on every side alike. The baselines' inputs are
    /// built here, untimed, one FloatArray per request the store sends, and are garbage once this returns, before
    /// the memory pass runs.
    /// </summary>
    private static (Timed[] Send, Timed[] Encode) TimedPasses(GrpcSink sink, MilvusStore store, CallInvoker invoker, PatternColumnWriter writer, Write write, byte[] buffer)
    {
        var arrays = write.Requests.Select(requests => requests.Select(FloatArrayOf).ToList()).ToList();
        var frames = arrays.Select(batch => batch.Select(array => array.ToByteArray()).ToList()).ToList();
        long before = sink.BytesReceived, requestsBefore = sink.RequestsReceived;
        var send = Interleave(write.Batches.Count,
            i => { store.Upsert(Collection, write.Batches[i]); return write.BatchBytes[i]; },
            i => frames[i].Sum(frame => SendFrame(invoker, frame)));
        // Each side sent every request of the import, and each message with its 5-byte gRPC header reached the sink.
        long requests = sink.RequestsReceived - requestsBefore, received = sink.BytesReceived - before;
        long sent = send.Sum(side => side.Bytes) + 5L * requests;
        if (requests != send.Length * write.RequestCount || received != sent)
            throw new InvalidOperationException($"The sink received {requests} requests and {received} bytes; {send.Length * write.RequestCount} and {sent} were sent.");
        var encode = Interleave(write.Batches.Count,
            i => EncodeSplit(writer, write.Batches[i], buffer),
            i => arrays[i].Sum(array => Serialize(array, buffer)));
        return (send, encode);
    }

    private sealed record Timed(double Seconds, long Bytes)
    {
        public double MBps => Bytes / Seconds / 1e6;
    }

    /// <summary>Runs step s of every batch, for each side s, and sums each side's time and payload bytes.</summary>
    private static Timed[] Interleave(int batches, params Func<int, long>[] sides)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var ticks = new long[sides.Length];
        var bytes = new long[sides.Length];
        for (int i = 0; i < batches; i++)
        {
            for (int k = 0; k < sides.Length; k++)
            {
                int s = (i + k) % sides.Length;
                long start = Stopwatch.GetTimestamp();
                bytes[s] += sides[s](i);
                ticks[s] += Stopwatch.GetTimestamp() - start;
            }
        }
        return [.. ticks.Select((t, s) => new Timed((double)t / Stopwatch.Frequency, bytes[s]))];
    }

    /// <summary>
    /// Encode only, as the store encodes: its split, then each request's columns refilled by one writer, wrapped in
    /// an UpsertRequest with the database name, and written to a reusable buffer.
    /// </summary>
    private static long EncodeSplit(PatternColumnWriter writer, IReadOnlyList<Pattern> patterns, byte[] buffer)
    {
        long bytes = 0;
        foreach (var batch in MilvusStore.Batches(patterns))
        {
            var columns = writer.Write(batch);
            var request = new Rpc.UpsertRequest { DbName = MilvusEndpoint.DefaultDatabase, CollectionName = Collection, NumRows = columns.NumRows };
            request.FieldsData.Add(columns.Fields);
            int size = request.CalculateSize();
            request.WriteTo(buffer.AsSpan(0, size));
            bytes += size;
        }
        return bytes;
    }

    private static long Serialize(Rpc.FloatArray array, byte[] buffer)
    {
        int size = array.CalculateSize();
        array.WriteTo(buffer.AsSpan(0, size));
        return size;
    }

    private static long SendFrame(CallInvoker invoker, byte[] message)
    {
        invoker.BlockingUnaryCall(RawUpsert, null, default, message);
        return message.Length;
    }

    private sealed class Ack
    {
        public static readonly Ack Instance = new();
    }

    /// <summary>
    /// The Upsert method with a pass-through request marshaller: already-serialized message bytes, written the way
    /// the generated marshaller writes a message (length first, then into gRPC's buffer writer), so the two differ
    /// only in the encoding.
    /// </summary>
    private static readonly Method<byte[], Ack> RawUpsert = new(MethodType.Unary, Rpc.MilvusService.Descriptor.FullName, "Upsert",
        new Marshaller<byte[]>(
            (message, context) =>
            {
                context.SetPayloadLength(message.Length);
                context.GetBufferWriter().Write(message);
                context.Complete();
            },
            _ => throw new NotSupportedException()),
        new Marshaller<Ack>((_, _) => throw new NotSupportedException(), _ => Ack.Instance));

    // ---------------------------------------------------------------- memory passes

    /// <summary>Ours as Import-SqlitePattern writes: one Upsert per import batch, so the store's writer goes back to
    /// its pool between batches and is taken again for the next.</summary>
    private static void ImportThroughStore(MilvusStore store, List<List<Pattern>> batches)
    {
        foreach (var batch in batches) store.Upsert(Collection, batch);
    }

    /// <summary>A whole import alone: its time, the requests and bytes the sink saw, and its memory.</summary>
    private sealed record Footprint(double Seconds, long Requests, long Bytes, long PeakHeapBytes, long AllocatedBytes, long PageFaults, int Gen0, int Gen1, int Gen2);

    /// <summary>Runs a whole import from a collected heap, sampling the managed heap every 2 ms and as each request
    /// reaches the sink (the sender still holds it then).</summary>
    private static Footprint Measure(GrpcSink sink, Action body)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: true), faults = MinorPageFaults();
        long requests = sink.RequestsReceived, bytes = sink.BytesReceived;
        using var sampler = new MemorySampler();
        sink.OnRequest = sampler.Sample;
        var clock = Stopwatch.StartNew();
        body();
        double seconds = clock.Elapsed.TotalSeconds;
        sink.OnRequest = null;
        sampler.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        faults = MinorPageFaults() - faults;
        requests = sink.RequestsReceived - requests;
        // The messages' bytes, without their frame headers, as the timed passes count them.
        bytes = sink.BytesReceived - bytes - 5 * requests;
        return new Footprint(seconds, requests, bytes, sampler.PeakHeapBytes, allocated, faults,
            GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
    }

    /// <summary>
    /// What a first touch of memory fresh from the OS costs on this machine, per page fault: the price, beyond
    /// the copying, of each page of a new large array that the GC has to commit. Median of 5 tries over 64 MiB
    /// (NativeMemory above malloc's mmap threshold, so every try maps new pages and frees them back).
    /// </summary>
    private static unsafe (double Microseconds, long Faults) PageFaultCost()
    {
        if (!OperatingSystem.IsLinux()) return (0, 0);
        const int bytes = 64 << 20;
        var tries = new List<(double, long)>();
        for (int attempt = 0; attempt < 5; attempt++)
        {
            byte* memory = (byte*)System.Runtime.InteropServices.NativeMemory.Alloc(bytes);
            try
            {
                long faults = MinorPageFaults(), start = Stopwatch.GetTimestamp();
                for (int offset = 0; offset < bytes; offset += 4096) memory[offset] = 1;
                double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
                faults = Math.Max(1, MinorPageFaults() - faults);
                tries.Add((seconds * 1e6 / faults, faults));
            }
            finally
            {
                System.Runtime.InteropServices.NativeMemory.Free(memory);
            }
        }
        return tries.OrderBy(t => t.Item1).ElementAt(tries.Count / 2);
    }

    /// <summary>
    /// The process's minor page faults so far (Linux; 0 elsewhere): first touches of memory the GC took from the
    /// OS, which is what a fresh large array costs beyond its bytes.
    /// </summary>
    private static long MinorPageFaults()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        // /proc/self/stat: the fields after "(comm) " start at field 3, state; minflt is field 10.
        string stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[7], CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The peak of GC.GetTotalMemory(false) above its level at the start: live objects plus garbage not yet
    /// collected, i.e. what the managed heap holds. (GCMemoryInfo.HeapSizeBytes only changes at a collection, and
    /// there are one or two in a whole import, so it says little here.)
    /// </summary>
    private sealed class MemorySampler : IDisposable
    {
        private readonly long _heapBase = GC.GetTotalMemory(false);
        private readonly ManualResetEventSlim _stop = new();
        private readonly Thread _thread;
        private long _peakHeap;

        public MemorySampler()
        {
            _peakHeap = _heapBase;
            _thread = new Thread(() =>
            {
                while (!_stop.Wait(2)) Sample();
            }) { IsBackground = true, Name = "memory sampler" };
            _thread.Start();
        }

        public long PeakHeapBytes => Interlocked.Read(ref _peakHeap) - _heapBase;

        public void Sample()
        {
            long heap = GC.GetTotalMemory(false), seen = Interlocked.Read(ref _peakHeap);
            while (heap > seen)
            {
                long was = Interlocked.CompareExchange(ref _peakHeap, heap, seen);
                if (was == seen) return;
                seen = was;
            }
        }

        public void Stop()
        {
            _stop.Set();
            _thread.Join();
            Sample();
        }

        public void Dispose()
        {
            if (!_stop.IsSet) Stop();
            _stop.Dispose();
        }
    }

    // ---------------------------------------------------------------- report

    // The sides of each timed pass.
    private const int Ours = 0, Raw = 1;

    private sealed record Round(Timed[] Send, Timed[] Encode, Footprint Alone);

    private static void Report(int rows, int dim, Write write, List<Round> rounds, double faultMicroseconds, long faultsPer64MiB)
    {
        double M(Func<Round, double> value) => Median(rounds.Select(value));
        string Each(Func<Round, double> value) => string.Join(" ", rounds.Select(r => value(r).ToString("F2", CultureInfo.InvariantCulture)));
        void Line(string label, string value) => Console.WriteLine($"{label,-64} {value,17}");
        string F(double value, string format, string unit = "") => value.ToString(format, CultureInfo.InvariantCulture) + unit;

        double raw = M(r => r.Encode[Raw].MBps), transport = M(r => r.Send[Raw].MBps), ours = M(r => r.Send[Ours].MBps);
        double oursToRaw = M(r => r.Send[Ours].MBps / r.Encode[Raw].MBps), oursToTransport = M(r => r.Send[Ours].MBps / r.Send[Raw].MBps);
        double oursRows = M(r => rows / r.Send[Ours].Seconds), encodeShare = M(r => r.Encode[Ours].Seconds / r.Send[Ours].Seconds);
        double requests = M(r => r.Alone.Requests);

        Console.WriteLine();
        Line($"measurement (median of {rounds.Count} rounds; MB = 10^6 bytes)", "value");
        Console.WriteLine(new string('-', 82));
        Line("raw FloatArray serialization into a reusable buffer", F(raw, "N0", " MB/s") + "  baseline");
        Line("raw transport: pre-serialized FloatArray bytes to the sink", F(transport, "N0", " MB/s") + "  baseline");
        Line("ours: MilvusStore.Upsert per import batch, to the sink", F(ours, "N0", " MB/s"));
        Line("", F(oursRows, "N0", " rows/s"));
        Line("  ours / raw FloatArray serialization", F(oursToRaw, "F3"));
        Line("  ours / raw transport", F(oursToTransport, "F3"));
        Line("  per round (ours / raw transport)", Each(r => r.Send[Ours].MBps / r.Send[Raw].MBps));
        Line("ours, split + encode only: Batches, column writer, WriteTo a buffer", F(M(r => r.Encode[Ours].MBps), "N0", " MB/s"));
        Line("  split + encode only / raw FloatArray serialization", F(M(r => r.Encode[Ours].MBps / r.Encode[Raw].MBps), "F3"));
        Line("  split + encode time / Upsert time", F(encodeShare, "F3"));
        Line("ours alone, per import batch (the memory pass, not in turns)", F(M(r => r.Alone.Bytes / r.Alone.Seconds / 1e6), "N0", " MB/s"));
        Line($"  requests per import ({write.Batches.Count} import batches)", F(requests, "F0"));
        Line("  peak managed heap above the input", F(M(r => r.Alone.PeakHeapBytes / 1e6), "F1", " MB"));
        Line("  per round", Each(r => r.Alone.PeakHeapBytes / 1e6));
        Line("  allocated per row (payload " + F((double)write.WireBytes / rows, "F0") + " B)", F(M(r => (double)r.Alone.AllocatedBytes / rows), "N0", " B"));
        Line("  minor page faults per request", F(M(r => (double)r.Alone.PageFaults / r.Alone.Requests), "N0"));
        Line("  collections gen0/1/2", string.Join("/", new Func<Footprint, int>[] { f => f.Gen0, f => f.Gen1, f => f.Gen2 }
            .Select(gen => F(M(r => gen(r.Alone)), "F0"))));
        Line("this machine: one page fault on fresh memory (" + F(faultsPer64MiB, "N0") + " per 64 MiB)", F(faultMicroseconds, "F2", " us"));

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            benchmark = "grpc", rows, dimension = dim, importBatches = write.Batches.Count, requests = write.RequestCount,
            requestsPerImport = requests, wireBytes = write.WireBytes,
            rawSerializeMBps = Math.Round(raw), rawTransportMBps = Math.Round(transport),
            oursMBps = Math.Round(ours), oursRowsPerSecond = Math.Round(oursRows),
            oursToRawSerialize = Math.Round(oursToRaw, 3), oursToRawTransport = Math.Round(oursToTransport, 3),
            oursEncodeMBps = Math.Round(M(r => r.Encode[Ours].MBps)), encodeShare = Math.Round(encodeShare, 3),
            oursPeakHeapBytes = Math.Round(M(r => r.Alone.PeakHeapBytes)),
            oursAllocatedPerRow = Math.Round(M(r => (double)r.Alone.AllocatedBytes / rows)),
            pageFaultMicroseconds = Math.Round(faultMicroseconds, 2),
        }));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
