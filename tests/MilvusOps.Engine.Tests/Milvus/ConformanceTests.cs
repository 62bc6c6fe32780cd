using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Xunit.Abstractions;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;
using WireFormat = MilvusOps.Engine.Backends.Milvus.WireFormat;

namespace MilvusOps.Engine.Tests.Milvus;

/// <summary>
/// Checks our .proto subset and our bytes against the OFFICIAL Milvus definitions (the protobufjs JSON that
/// @zilliz/milvus2-sdk-node ships), through tests/conformance/check.js. Skips where node or the npm packages
/// are missing (CI installs them with <c>npm ci --prefix tests/conformance</c>).
/// </summary>
public sealed class ConformanceTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-conformance-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MilvusOps.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"No MilvusOps.sln above {AppContext.BaseDirectory}.");
    }

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var candidate in new[] { name, name + ".exe" })
            {
                var full = Path.Combine(dir, candidate);
                if (File.Exists(full))
                    return full;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ our descriptors

    internal static readonly FileDescriptor[] Files =
        [Rpc.CommonReflection.Descriptor, Rpc.SchemaReflection.Descriptor, Rpc.MilvusReflection.Descriptor];

    private static string TypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message => field.MessageType.FullName,
        FieldType.Enum => field.EnumType.FullName,
        var scalar => scalar.ToString().ToLowerInvariant(),
    };

    internal static Dictionary<string, object> DumpDescriptors()
    {
        var messages = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var enums = new SortedDictionary<string, object>(StringComparer.Ordinal);
        var services = new SortedDictionary<string, object>(StringComparer.Ordinal);

        void AddEnum(EnumDescriptor e) =>
            enums[e.FullName] = new { values = e.Values.ToDictionary(v => v.Name, v => v.Number) };

        void AddMessage(MessageDescriptor m)
        {
            if (m.GetOptions()?.MapEntry == true)
                return;
            messages[m.FullName] = new
            {
                fields = m.Fields.InDeclarationOrder().Select(f => new
                {
                    name = f.Name,
                    number = f.FieldNumber,
                    type = f.IsMap ? TypeName(f.MessageType.FindFieldByNumber(2)) : TypeName(f),
                    repeated = f.IsRepeated && !f.IsMap,
                    map = f.IsMap,
                    keyType = f.IsMap ? TypeName(f.MessageType.FindFieldByNumber(1)) : null,
                    oneof = f.RealContainingOneof?.Name,
                }).ToArray(),
            };
            foreach (var nested in m.NestedTypes)
                AddMessage(nested);
            foreach (var nested in m.EnumTypes)
                AddEnum(nested);
        }

        foreach (var file in Files)
        {
            foreach (var m in file.MessageTypes)
                AddMessage(m);
            foreach (var e in file.EnumTypes)
                AddEnum(e);
            foreach (var s in file.Services)
                services[s.FullName] = new
                {
                    methods = s.Methods.ToDictionary(m => m.Name, m => new
                    {
                        request = m.InputType.FullName,
                        response = m.OutputType.FullName,
                        clientStreaming = m.IsClientStreaming,
                        serverStreaming = m.IsServerStreaming,
                    }),
                };
        }
        return new() { ["messages"] = messages, ["enums"] = enums, ["services"] = services };
    }

    [Fact]
    public void OurDescriptorsUseTheOfficialPackagesAndNamespace()
    {
        Assert.Equal(["milvus.proto.common", "milvus.proto.schema", "milvus.proto.milvus"], Files.Select(f => f.Package));
        Assert.Equal("MilvusOps.Engine.Backends.Milvus.Grpc", typeof(Rpc.SearchRequest).Namespace);
        var service = Assert.Single(Rpc.MilvusReflection.Descriptor.Services);
        Assert.Equal("MilvusService", service.Name);
        Assert.Equal(39, service.Methods.Count);
    }

    // ------------------------------------------------------------------ our payloads

    private static readonly float[][] Queries =
    [
        [1f, -0f, float.Epsilon, float.MaxValue, 1f / 3f],
        [WireFormatTests.LargestSubnormal, -1.5f, 0f, float.MinValue, 1e-30f],
    ];

    private static readonly CollectionSpec Spec = new()
    {
        Name = "patterns_conformance", Dimension = 4, Description = "conformance", MaxIdLength = 64, MaxPatternTypeLength = 32,
        Partitioning = CollectionPartitioning.Hilbert,   // the cell field, the partition key
    };

    private static uint[] UBits(IEnumerable<float> values) => values.Select(BitConverter.SingleToUInt32Bits).ToArray();

    private void WriteOurPayloads()
    {
        var ours = Directory.CreateDirectory(Path.Combine(_folder, "ours")).FullName;
        void Write(string file, IMessage message) => File.WriteAllBytes(Path.Combine(ours, file), message.ToByteArray());

        var search = new Rpc.SearchRequest
        {
            CollectionName = "patterns",
            Dsl = "pattern_type == \"alpha\"",
            DslType = Rpc.DslType.BoolExprV1,
            PlaceholderGroup = ByteString.CopyFrom(WireFormat.PlaceholderGroupBytes(Queries)),
            Nq = Queries.Length,
            UseDefaultConsistency = true,
        };
        var searchParams = new Dictionary<string, string>
        {
            ["anns_field"] = "vector", ["topk"] = "10", ["metric_type"] = "L2", ["params"] = """{"ef":64}""", ["round_decimal"] = "-1",
        };
        foreach (var (key, value) in searchParams)
            search.SearchParams.Add(new Rpc.KeyValuePair { Key = key, Value = value });
        search.OutputFields.Add(["pattern_id", "pattern_type"]);
        Write("search_request.bin", search);

        var patterns = WireFormatTests.SamplePatterns();
        Write("upsert_request.bin", WireFormat.UpsertRequest("patterns", patterns));
        Write("insert_request.bin", WireFormat.InsertRequest("patterns", patterns));
        Write("collection_schema.bin", WireFormat.Schema(Spec));
        Write("create_collection_request.bin", new Rpc.CreateCollectionRequest
        {
            CollectionName = Spec.Name,
            Schema = ByteString.CopyFrom(WireFormat.SchemaBytes(Spec)),
            ConsistencyLevel = Rpc.ConsistencyLevel.Bounded,
            ShardsNum = 1,
            NumPartitions = 64,
        });
        Write("get_load_state_request.bin", new Rpc.GetLoadStateRequest { CollectionName = "patterns", DbName = "default" });

        var expected = new
        {
            collection_name = "patterns",
            search = new
            {
                collection_name = search.CollectionName,
                dsl = search.Dsl,
                search_params = searchParams,
                queries_bits = Queries.Select(UBits).ToArray(),
            },
            rows = patterns.Select(p => new Dictionary<string, object?>
            {
                ["pattern_id"] = p.PatternId,
                ["vector_bits"] = UBits(p.Vector),
                ["pattern_type"] = p.PatternType,
                ["coherence_metrics"] = p.CoherenceMetricsJson,
                ["temporal_context"] = p.TemporalContextJson,
            }).ToArray(),
            schema = new
            {
                name = Spec.Name,
                description = Spec.Description,
                fields = PatternSchema.Fields(Spec).Select(f => new
                {
                    name = f.Name,
                    data_type = f.DataType,
                    is_primary_key = f.IsPrimaryKey,
                    nullable = f.Nullable,
                    is_partition_key = f.IsPartitionKey,
                    type_params = f.Dimension is int dim ? new Dictionary<string, string> { ["dim"] = dim.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                        : f.MaxLength is int max ? new Dictionary<string, string> { ["max_length"] = max.ToString(System.Globalization.CultureInfo.InvariantCulture) }
                        : [],
                }).ToArray(),
            },
        };
        File.WriteAllText(Path.Combine(ours, "expected.json"), JsonSerializer.Serialize(expected));
        File.WriteAllText(Path.Combine(_folder, "descriptors.json"), JsonSerializer.Serialize(DumpDescriptors()));
    }

    private static (int ExitCode, string Output) RunNode(string node, string script, string folder)
    {
        var start = new ProcessStartInfo(node)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(script)!,
        };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(folder);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            return (-1, stdout + "\n(node timed out after 120 s)");
        }
        return (process.ExitCode, stdout + stderr.Result);
    }

    [SkippableFact]
    public void OurDefinitionsAndBytesMatchTheOfficialMilvusDefinitions()
    {
        var root = RepoRoot();
        var node = FindOnPath("node");
        Skip.If(node is null, "node is not on PATH: the conformance check against the official Milvus definitions needs Node.js.");
        var modules = Path.Combine(root, "tests", "conformance", "node_modules", "@zilliz", "milvus2-sdk-node");
        Skip.If(!Directory.Exists(modules),
            "tests/conformance/node_modules is missing: run `npm ci --prefix tests/conformance` to install the official definitions.");

        WriteOurPayloads();
        var (exitCode, report) = RunNode(node!, Path.Combine(root, "tests", "conformance", "check.js"), _folder);
        output.WriteLine(report);
        Assert.True(exitCode == 0, $"check.js exited {exitCode}:\n{report}");

        CheckOfficialResponses(Path.Combine(_folder, "official"));
    }

    // ------------------------------------------------------------------ official responses, our decoders

    private static void CheckOfficialResponses(string official)
    {
        T Read<T>(MessageParser<T> parser, string file) where T : IMessage<T> =>
            parser.ParseFrom(File.ReadAllBytes(Path.Combine(official, file)));

        var str = Read(Rpc.SearchResults.Parser, "search_results_str.bin");
        Assert.True(WireFormat.Check(str.Status).Ok);
        Assert.Equal("patterns", str.CollectionName);
        var hits = WireFormat.DecodeSearch(str.Results);
        Assert.Equal([3, 1], hits.Select(q => q.Count));
        Assert.Equal(["a", "b", "c"], hits[0].Select(h => (string)h.Id));
        Assert.Equal([0.5f, 0.25f, 0.125f], hits[0].Select(h => h.Score));
        Assert.Equal("d", hits[1][0].Id);
        Assert.Equal(2.5f, hits[1][0].Score);
        Assert.Equal(["t1", "t2", ""], hits[0].Select(h => (string)h.Fields["pattern_type"]!));
        Assert.Equal("t4", hits[1][0].Fields["pattern_type"]);
        Assert.Equal("""{"ü":"✓"}""", hits[1][0].Fields["coherence_metrics"]);
        Assert.Equal("{}", hits[0][1].Fields["coherence_metrics"]);

        var ints = WireFormat.DecodeSearch(Read(Rpc.SearchResults.Parser, "search_results_int.bin").Results);
        Assert.Equal([0, 2, 1], ints.Select(q => q.Count));
        Assert.Equal([9007199254740993L, -5L], ints[1].Select(h => (long)h.Id));
        Assert.Equal(42L, ints[2][0].Id);
        Assert.Equal([1.5f, -0.75f, 3f], ints.SelectMany(q => q).Select(h => h.Score));

        var query = Read(Rpc.QueryResults.Parser, "query_results.bin");
        Assert.True(WireFormat.Check(query.Status).Ok);
        var patterns = WireFormat.DecodePatterns(query, "patterns");
        Assert.Equal(["p-1", "p-2"], patterns.Select(p => p.PatternId));
        Assert.Equal(new uint[] { 0x3f800000, 0x80000000, 0x00000001, 0x7f7fffff }, UBits(patterns[0].Vector));
        Assert.Equal(new uint[] { 0xbeaaaaab, 0x007fffff, 0x00000000, 0xc2c80000 }, UBits(patterns[1].Vector));
        Assert.Equal("alpha", patterns[0].PatternType);
        Assert.Null(patterns[1].PatternType);
        Assert.Equal("""{"quantum_coherence":0.9}""", patterns[0].CoherenceMetricsJson);
        Assert.Equal(0.9, Convert.ToDouble(patterns[0].CoherenceMetrics!["quantum_coherence"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("""{"t":[1,2]}""", patterns[0].TemporalContextJson);
        Assert.Null(patterns[1].CoherenceMetricsJson);
        Assert.Equal("{}", patterns[1].TemporalContextJson);

        Assert.Equal((true, 0, "", false), WireFormat.Check(Read(Rpc.Status.Parser, "status_ok.bin")));
        Assert.Equal((false, 100, "collection not found[collection=missing]", false),
            WireFormat.Check(Read(Rpc.Status.Parser, "status_code100.bin")));
        Assert.Equal((false, 8, "rate limit exceeded", true), WireFormat.Check(Read(Rpc.Status.Parser, "status_retriable.bin")));
        var legacy = Read(Rpc.Status.Parser, "status_error_code_only.bin");
        Assert.Equal(0, legacy.Code);
        Assert.Equal(Rpc.ErrorCode.CollectionNotExists, legacy.ErrorCode);
        Assert.Equal((false, 4, "can't find collection: missing", false), WireFormat.Check(legacy));
        Assert.Equal((false, 1100, "invalid parameter", false), WireFormat.Check(Read(Rpc.Status.Parser, "status_both.bin")));

        var mutation = Read(Rpc.MutationResult.Parser, "mutation_result.bin");
        Assert.True(WireFormat.Check(mutation.Status).Ok);
        Assert.Equal(["p-1", "p-2"], mutation.IDs.StrId.Data);
        Assert.Equal(2, mutation.UpsertCnt);
        Assert.Equal(449713572544069633UL, mutation.Timestamp);
    }
}
