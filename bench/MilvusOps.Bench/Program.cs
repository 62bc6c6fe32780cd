using MilvusOps.Bench;

// Usage: dotnet run -c Release --project bench/MilvusOps.Bench -- <benchmark> [options]
// The first argument selects the benchmark so more (e.g. "import") can be added later.
var benchmarks = new Dictionary<string, (string Description, Func<string[], int> Run)>(StringComparer.OrdinalIgnoreCase)
{
    ["search"] = ("exact vector search kernels: bandwidth, batching, parallel scaling, memory", SearchBenchmark.Run),
    ["import"] = ("legacy SQLite import into the embedded store vs bare inserts and a raw scan; fidelity pass; memory", ImportBenchmark.Run),
    ["transfer"] = ("export sets: Export-/Import-PatternCollection vs bare Parquet.Net write and read; JSON Lines; memory", TransferBenchmark.Run),
    ["parquet"] = ("Parquet libraries: Parquet.Net (the engine's) vs ParquetSharp, write, cross-read bit for bit, size; memory", ParquetLibraryBenchmark.Run),
    ["bulk"] = ("bulk import through s3rver and the peer's import jobs vs upserts over gRPC and a bare upload; end to end; memory", BulkBenchmark.Run),
    ["hnsw"] = ("HNSW on the embedded store at scale: import, build vs bare USearch, memory, recall and queries/s vs exact over ef, filters, reopen", GraphBenchmark.Run),
    ["scale"] = ("the scale harness: 1M-10M generated patterns into an HNSW collection, graph build, search quality over ef, coherence and bit-exact verify, reopen; time, rows/s, peak memory per stage", ScaleBenchmark.Run),
    ["hilbert"] = ("Hilbert-curve partitioning: locality of random projection and PCA cells, search limited to nearby cells vs plain HNSW and exact", HilbertBenchmark.Run),
    ["reach"] = ("HNSW reachability: rows a graph built on one thread and on all cores cannot find by searching for themselves, and what checking costs", ReachabilityBenchmark.Run),
    ["correlation"] = ("correlation and prediction against planted chains: precision and recall of groups and followers, time against reading the patterns by time; memory", CorrelationBenchmark.Run),
    ["grpc"] = ("MilvusStore.Upsert to an in-process gRPC sink vs raw FloatArray serialization and raw transport; memory", GrpcBenchmark.Run),
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var selected))
{
    Console.Error.WriteLine(args.Length == 0 ? "No benchmark selected." : $"Unknown benchmark '{args[0]}'.");
    Console.Error.WriteLine("Usage: dotnet run -c Release --project bench/MilvusOps.Bench -- <benchmark> [options]");
    Console.Error.WriteLine("Benchmarks:");
    foreach (var (name, (description, _)) in benchmarks)
    {
        Console.Error.WriteLine($"  {name,-10} {description}");
    }
    Console.Error.WriteLine("Options for 'search': --rows N (100000) --dim D (512) --topk K (10) --rounds R (15) --seed S (42)");
    Console.Error.WriteLine("Options for 'import': --rows N (100000) --dim D (512) --batch B (2000) --rounds R (5)");
    Console.Error.WriteLine("Options for 'transfer': --rows N (100000) --dim D (512) --rounds R (3)");
    Console.Error.WriteLine("Options for 'parquet': --rows N (100000) --dim D (512) --rounds R (3)");
    Console.Error.WriteLine("Options for 'bulk':   --rows N (50000) --dim D (512) --rounds R (3); needs node and npm ci --prefix tests/conformance");
    Console.Error.WriteLine("Options for 'hnsw':   --rows N (100000) --dim D (512) --queries Q (200) --m M (16) --efc E (128) --topk K (10) --seed S (42) --one-thread 0|1 (1 up to 200000 rows)");
    Console.Error.WriteLine("Options for 'scale':  --rows N (1000000) --dim D (512) --m M (16) --efc E (128) --queries Q (200) --topk K (10) --batch B (5000) --seed S (42) --cells 0|1 (1: FLAT in Hilbert cells, sweeping cells)");
    Console.Error.WriteLine("Options for 'hilbert': --rows N (1000000) --dim D (512) --queries Q (200) --axes A (4) --bits B (3) --sample S (20000) --m M (16) --efc E (128) --topk K (10) --seed S (42)");
    Console.Error.WriteLine("Options for 'reach':  --rows N (100000) --dim D (512) --m M (16) --efc E (128) --seed S (42)");
    Console.Error.WriteLine("Options for 'correlation': --events N (100000) --dim D (64) --chains C (20) --seed S (7)");
    Console.Error.WriteLine("Options for 'grpc':   --rows N (100000) --dim D (512) --batch B (5000) --batch-mb M (8) --rounds R (5) --seed S (42)");
    return 2;
}

return selected.Run(args[1..]);
