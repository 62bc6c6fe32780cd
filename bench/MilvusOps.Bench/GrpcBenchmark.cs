using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using WireFormat = MilvusOps.Engine.Milvus.WireFormat;
using Rpc = MilvusOps.Engine.Milvus.Grpc;

namespace MilvusOps.Bench;

/// <summary>
/// An import of patterns encoded by <see cref="WireFormat.UpsertRequest"/> and sent with the generated client to an
/// in-process gRPC sink (<see cref="GrpcSink"/>), measured against baselines in the same run: the same vectors
/// serialized as bare FloatArray messages into a reusable buffer (the encoding ceiling: no ids, no JSON, no
/// network), and those FloatArray bytes, serialized beforehand, sent through the same channel and sink (the
/// transport ceiling). Two proposed encoders (<see cref="PrototypeUpsertEncoder"/>, <see cref="ReusingUpsertEncoder"/>)
/// run beside ours. Each round times the sides in turns, batch by batch, then runs each encoder's import alone for
/// its memory footprint; the first round warms up and is dropped, and each figure is the median of the rest.
/// </summary>
internal static class GrpcBenchmark
{
    private const string Collection = "correlation_patterns";

    public static int Run(string[] args)
    {
        int rows = 100_000, dim = 512, batchMb = 8, rounds = 5, seed = 42;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            int Next() => i + 1 < args.Length ? int.Parse(args[++i], CultureInfo.InvariantCulture) : throw new ArgumentException($"{a} needs a value");
            switch (a)
            {
                case "--rows": rows = Next(); break;
                case "--dim": dim = Next(); break;
                case "--batch-mb": batchMb = Next(); break;
                case "--rounds": rounds = Next(); break;
                case "--seed": seed = Next(); break;
                default:
                    Console.Error.WriteLine($"Unknown option '{a}'.");
                    return 2;
            }
        }
        if (rows < 1 || dim < 1 || batchMb < 1 || rounds < 1)
        {
            Console.Error.WriteLine("--rows, --dim, --batch-mb and --rounds must be at least 1.");
            return 2;
        }

        Console.WriteLine($"grpc benchmark: {rows:N0} x {dim} patterns, ~{batchMb} MiB requests, {rounds} rounds + 1 warm-up, " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var patterns = BuildPatterns(rows, dim, seed);

        // Rows per batch from the encoded size of a sample, as a writer capping requests at --batch-mb would.
        int sampleRows = Math.Min(rows, 1000);
        long sampleBytes = WireFormat.UpsertRequest(Collection, new ArraySegment<Pattern>(patterns, 0, sampleRows)).CalculateSize();
        int batchRows = (int)Math.Clamp(((long)batchMb << 20) * sampleRows / sampleBytes, 1, rows);
        var batches = new List<ArraySegment<Pattern>>();
        for (int start = 0; start < rows; start += batchRows)
            batches.Add(new ArraySegment<Pattern>(patterns, start, Math.Min(batchRows, rows - start)));

        // Every batch encoded once, untimed: the wire sizes, and proof that the prototypes write the same bytes.
        long wireBytes = 0;
        int largest = 0;
        bool prototypeSame = true;
        var reusing = new ReusingUpsertEncoder();
        foreach (var batch in batches)
        {
            byte[] ours = WireFormat.UpsertRequest(Collection, batch).ToByteArray();
            prototypeSame &= ours.AsSpan().SequenceEqual(PrototypeUpsertEncoder.UpsertRequest(Collection, batch).ToByteArray())
                && ours.AsSpan().SequenceEqual(reusing.UpsertRequest(Collection, batch).ToByteArray());
            wireBytes += ours.Length;
            largest = Math.Max(largest, ours.Length);
        }
        // And a few rows with a null type or null documents, so the nullable columns are compared too.
        var withNulls = patterns.Take(8).Select((p, i) => new Pattern(p.PatternId, p.Vector, i % 2 == 0 ? null : p.PatternType,
            i % 3 == 0 ? null : p.CoherenceMetricsJson, i % 4 == 0 ? null : p.TemporalContextJson)).ToArray();
        byte[] expected = WireFormat.UpsertRequest(Collection, withNulls).ToByteArray();
        prototypeSame &= expected.AsSpan().SequenceEqual(PrototypeUpsertEncoder.UpsertRequest(Collection, withNulls).ToByteArray())
            && expected.AsSpan().SequenceEqual(reusing.UpsertRequest(Collection, withNulls).ToByteArray());
        Console.WriteLine($"{batches.Count} requests of up to {batchRows:N0} rows ({largest / 1e6:F2} MB); " +
            $"{wireBytes / 1e6:F1} MB on the wire, {(double)wireBytes / rows:F0} bytes a row, of which {dim * sizeof(float)} are the vector");
        if (!prototypeSame)
            Console.WriteLine("NOTE: the prototype encoders no longer write WireFormat's bytes (WireFormat changed); their rows are not comparable.");

        var (faultMicroseconds, faultsPer64MiB) = PageFaultCost();
        var sink = GrpcSink.StartAsync().GetAwaiter().GetResult();
        try
        {
            // The largest request of the run, so no send is refused for its size.
            using var channel = GrpcChannel.ForAddress(sink.Address, new GrpcChannelOptions { MaxSendMessageSize = largest });
            var client = new Rpc.MilvusService.MilvusServiceClient(channel);
            var invoker = channel.CreateCallInvoker();
            var buffer = new byte[largest];
            WarmUp(client, invoker, patterns, buffer);
            var results = new List<Round>();
            for (int round = 0; round <= rounds; round++)
            {
                var (send, encode) = TimedPasses(sink, client, invoker, batches, buffer);
                // Alone, from a collected heap: the encoder's own footprint, with nothing else live but the input.
                var oursAlone = Measure(sampler => Import(client, WireFormat.UpsertRequest, batches, sampler));
                var oneCopyAlone = Measure(sampler => Import(client, PrototypeUpsertEncoder.UpsertRequest, batches, sampler));
                var reusedAlone = Measure(sampler => Import(client, new ReusingUpsertEncoder().UpsertRequest, batches, sampler));
                if (round > 0) results.Add(new Round(send, encode, [oursAlone, oneCopyAlone, reusedAlone]));
            }
            Report(rows, dim, batchRows, batches.Count, wireBytes, prototypeSame, results, faultMicroseconds, faultsPer64MiB);
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

    private static Rpc.FloatArray FloatArrayOf(ArraySegment<Pattern> batch)
    {
        var array = new Rpc.FloatArray();
        array.Data.Capacity = batch.Count * batch[0].Vector.Length;
        foreach (var pattern in batch) array.Data.AddRange(pattern.Vector);
        return array;
    }


    // ---------------------------------------------------------------- the timed passes

    /// <summary>
    /// An import is only 27 requests, so a method called once a request would still be in its first, unoptimized
    /// JIT tier during the first rounds. Many small requests of every kind get each past the tiering threshold;
    /// the pause lets the background compiler finish.
    /// </summary>
    private static void WarmUp(Rpc.MilvusService.MilvusServiceClient client, CallInvoker invoker, Pattern[] patterns, byte[] buffer)
    {
        var small = new ArraySegment<Pattern>(patterns, 0, Math.Min(patterns.Length, 16));
        var reusing = new ReusingUpsertEncoder();
        byte[] message = FloatArrayOf(small).ToByteArray();
        for (int i = 0; i < 200; i++)
        {
            Upsert(client, WireFormat.UpsertRequest, small);
            Upsert(client, PrototypeUpsertEncoder.UpsertRequest, small);
            Upsert(client, reusing.UpsertRequest, small);
            SendFrame(invoker, message);
            Encode(WireFormat.UpsertRequest, small, buffer);
            Encode(PrototypeUpsertEncoder.UpsertRequest, small, buffer);
            Encode(reusing.UpsertRequest, small, buffer);
            Serialize(FloatArrayOf(small), buffer);
        }
        Thread.Sleep(500);
    }

    /// <summary>
    /// One round's throughput: the sides of each comparison take turns batch by batch (the first side rotates), so
    /// load from elsewhere on the machine falls on every side alike. The baselines' inputs are built here, untimed,
    /// and are garbage once this returns, before the memory passes run.
    /// </summary>
    private static (Timed[] Send, Timed[] Encode) TimedPasses(GrpcSink sink, Rpc.MilvusService.MilvusServiceClient client, CallInvoker invoker,
        List<ArraySegment<Pattern>> batches, byte[] buffer)
    {
        var arrays = batches.Select(FloatArrayOf).ToArray();
        var frames = arrays.Select(array => array.ToByteArray()).ToArray();
        long before = sink.BytesReceived;
        var reusingSend = new ReusingUpsertEncoder();
        var send = Interleave(batches.Count,
            i => Upsert(client, WireFormat.UpsertRequest, batches[i]),
            i => Upsert(client, PrototypeUpsertEncoder.UpsertRequest, batches[i]),
            i => Upsert(client, reusingSend.UpsertRequest, batches[i]),
            i => SendFrame(invoker, frames[i]));
        // Every message and its 5-byte gRPC header reached the sink.
        long sent = send.Sum(side => side.Bytes) + 5L * send.Length * batches.Count, received = sink.BytesReceived - before;
        if (received != sent) throw new InvalidOperationException($"The sink received {received} bytes; {sent} were sent.");
        var reusingEncode = new ReusingUpsertEncoder();
        var encode = Interleave(batches.Count,
            i => Encode(WireFormat.UpsertRequest, batches[i], buffer),
            i => Encode(PrototypeUpsertEncoder.UpsertRequest, batches[i], buffer),
            i => Encode(reusingEncode.UpsertRequest, batches[i], buffer),
            i => Serialize(arrays[i], buffer));
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

    /// <summary>Ours: encode the batch and send it with the generated client. Returns the request's encoded size.</summary>
    private static long Upsert(Rpc.MilvusService.MilvusServiceClient client, Func<string, IReadOnlyList<Pattern>, Rpc.UpsertRequest> encode, ArraySegment<Pattern> batch)
    {
        var request = encode(Collection, batch);
        long size = request.CalculateSize();
        client.Upsert(request);
        return size;
    }

    private static long Encode(Func<string, IReadOnlyList<Pattern>, Rpc.UpsertRequest> encode, ArraySegment<Pattern> batch, byte[] buffer)
    {
        var request = encode(Collection, batch);
        int size = request.CalculateSize();
        request.WriteTo(buffer.AsSpan(0, size));
        return size;
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

    private static long Import(Rpc.MilvusService.MilvusServiceClient client, Func<string, IReadOnlyList<Pattern>, Rpc.UpsertRequest> encode,
        List<ArraySegment<Pattern>> batches, MemorySampler sampler)
    {
        long bytes = 0;
        foreach (var batch in batches)
        {
            bytes += Upsert(client, encode, batch);
            sampler.Sample();
        }
        return bytes;
    }

    private sealed record Footprint(double Seconds, long Bytes, long PeakHeapBytes, long AllocatedBytes, long PageFaults, int Gen0, int Gen1, int Gen2);

    /// <summary>Runs a whole import from a collected heap, sampling the managed heap every 2 ms and after each request.</summary>
    private static Footprint Measure(Func<MemorySampler, long> body)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: true), faults = MinorPageFaults();
        using var sampler = new MemorySampler();
        var clock = Stopwatch.StartNew();
        long bytes = body(sampler);
        double seconds = clock.Elapsed.TotalSeconds;
        sampler.Stop();
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        faults = MinorPageFaults() - faults;
        return new Footprint(seconds, bytes, sampler.PeakHeapBytes, allocated, faults,
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

    // The sides of each timed pass, and the encoders of the memory passes (the first three).
    private const int Ours = 0, OneCopy = 1, Reused = 2, Raw = 3;

    private sealed record Round(Timed[] Send, Timed[] Encode, Footprint[] Alone);

    private static void Report(int rows, int dim, int batchRows, int requests, long wireBytes, bool prototypeSame, List<Round> rounds,
        double faultMicroseconds, long faultsPer64MiB)
    {
        double M(Func<Round, double> value) => Median(rounds.Select(value));
        string Each(Func<Round, double> value) => string.Join(" ", rounds.Select(r => value(r).ToString("F2", CultureInfo.InvariantCulture)));
        void Line(string label, string value) => Console.WriteLine($"{label,-62} {value,17}");
        string F(double value, string format, string unit = "") => value.ToString(format, CultureInfo.InvariantCulture) + unit;

        double raw = M(r => r.Encode[Raw].MBps), transport = M(r => r.Send[Raw].MBps), ours = M(r => r.Send[Ours].MBps);
        double oursToRaw = M(r => r.Send[Ours].MBps / r.Encode[Raw].MBps), oursToTransport = M(r => r.Send[Ours].MBps / r.Send[Raw].MBps);
        double oursRows = M(r => rows / r.Send[Ours].Seconds), encodeShare = M(r => r.Encode[Ours].Seconds / r.Send[Ours].Seconds);

        Console.WriteLine();
        Line($"measurement (median of {rounds.Count} rounds; MB = 10^6 bytes)", "value");
        Console.WriteLine(new string('-', 80));
        Line("raw FloatArray serialization into a reusable buffer", F(raw, "N0", " MB/s") + "  baseline");
        Line("raw transport: pre-serialized FloatArray bytes to the sink", F(transport, "N0", " MB/s") + "  baseline");
        Line("ours: WireFormat.UpsertRequest + client.Upsert to the sink", F(ours, "N0", " MB/s"));
        Line("", F(oursRows, "N0", " rows/s"));
        Line("  ours / raw FloatArray serialization", F(oursToRaw, "F3"));
        Line("  ours / raw transport", F(oursToTransport, "F3"));
        Line("  per round (ours / raw transport)", Each(r => r.Send[Ours].MBps / r.Send[Raw].MBps));
        Line("ours, encode only: UpsertRequest + WriteTo a reusable buffer", F(M(r => r.Encode[Ours].MBps), "N0", " MB/s"));
        Line("  encode only / raw FloatArray serialization", F(M(r => r.Encode[Ours].MBps / r.Encode[Raw].MBps), "F3"));
        Line("  encode time / encode + send time", F(encodeShare, "F3"));
        Line("ours alone (the memory pass, not in turns)", F(M(r => r.Alone[Ours].Bytes / r.Alone[Ours].Seconds / 1e6), "N0", " MB/s"));
        Footprints("ours alone", Ours);
        Line("this machine: one page fault on fresh memory (" + F(faultsPer64MiB, "N0") + " per 64 MiB)", F(faultMicroseconds, "F2", " us"));
        string mark = prototypeSame ? "" : " (NOT COMPARABLE)";
        foreach (var (side, name) in new[] { (OneCopy, "proposal A, vectors copied once" + mark), (Reused, "proposal B, request reused" + mark) })
        {
            Line(name + ": encode only / ours", F(M(r => r.Encode[side].MBps / r.Encode[Ours].MBps), "F3"));
            Line("  encode + send / ours", F(M(r => r.Send[side].MBps / r.Send[Ours].MBps), "F3"));
            Line("  per round (encode + send / ours)", Each(r => r.Send[side].MBps / r.Send[Ours].MBps));
            Line("  encode + send / raw transport", F(M(r => r.Send[side].MBps / r.Send[Raw].MBps), "F3"));
            Footprints("  alone", side);
        }

        void Footprints(string who, int encoder)
        {
            Line(who + ": peak managed heap above the input", F(M(r => r.Alone[encoder].PeakHeapBytes / 1e6), "F1", " MB"));
            Line(who + ": allocated per row (payload " + F((double)wireBytes / rows, "F0") + " B)", F(M(r => (double)r.Alone[encoder].AllocatedBytes / rows), "N0", " B"));
            Line(who + ": minor page faults per request", F(M(r => (double)r.Alone[encoder].PageFaults / requests), "N0"));
            Line(who + ": collections gen0/1/2", string.Join("/", new Func<Footprint, int>[] { f => f.Gen0, f => f.Gen1, f => f.Gen2 }
                .Select(gen => F(M(r => gen(r.Alone[encoder])), "F0"))));
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            benchmark = "grpc", rows, dimension = dim, batchRows, requests, wireBytes,
            rawSerializeMBps = Math.Round(raw), rawTransportMBps = Math.Round(transport),
            oursMBps = Math.Round(ours), oursRowsPerSecond = Math.Round(oursRows),
            oursToRawSerialize = Math.Round(oursToRaw, 3), oursToRawTransport = Math.Round(oursToTransport, 3),
            oursEncodeMBps = Math.Round(M(r => r.Encode[Ours].MBps)), encodeShare = Math.Round(encodeShare, 3),
            oursPeakHeapBytes = Math.Round(M(r => r.Alone[Ours].PeakHeapBytes)), oursAllocatedPerRow = Math.Round(M(r => (double)r.Alone[Ours].AllocatedBytes / rows)),
            pageFaultMicroseconds = Math.Round(faultMicroseconds, 2), prototypeSame,
            oneCopyToOursSend = Math.Round(M(r => r.Send[OneCopy].MBps / r.Send[Ours].MBps), 3),
            reusedToOursSend = Math.Round(M(r => r.Send[Reused].MBps / r.Send[Ours].MBps), 3),
        }));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
