using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MilvusOps.Module.Tests;

/// <summary>
/// The structure of docker-compose.yml (Milvus 2.5 GPU standalone, etcd, MinIO, Attu, and the DCGM exporter in the
/// "gpu" profile) and of its CPU override docker-compose.cpu.yml. There is no Docker engine here, so nothing is
/// started: the files are parsed and their values checked, the override is merged onto the base the way Compose
/// merges the keys it uses, and profiles pick the services that a command line would start.
/// </summary>
public sealed partial class ComposeFileTests
{
    private const string Milvus = "milvus-standalone";

    private const string Exporter = "dcgm-exporter";

    /// <summary>The services without a profile: what a plain <c>docker compose up</c> starts, GPU or CPU.</summary>
    private static readonly string[] CoreServices = ["etcd", "minio", Milvus, "attu"];

    private static readonly string[] Services = [.. CoreServices, Exporter];

    private static string BasePath => Path.Combine(ModuleSession.RepoRoot, "docker-compose.yml");

    private static string CpuPath => Path.Combine(ModuleSession.RepoRoot, "docker-compose.cpu.yml");

    private static string DocPath => Path.Combine(ModuleSession.RepoRoot, "docs", "gpu-stack.md");

    [Fact]
    public void The_stack_has_milvus_etcd_minio_and_attu_on_one_named_network()
    {
        var root = Load(BasePath);
        Assert.Equal("milvusops", Str(root, "name"));
        Assert.Equal(Services.Order(), Map(root, "services").Children.Keys.Select(Text).Order());

        var networks = Map(root, "networks");
        var network = Assert.Single(networks.Children);
        Assert.Equal("milvus", Text(network.Key));
        Assert.Equal("milvusops", Str((YamlMappingNode)network.Value, "name"));
        foreach (var service in Services)
        {
            Assert.Equal(["milvus"], Seq(Service(root, service), "networks").Select(Text));
            Assert.Equal("unless-stopped", Str(Service(root, service), "restart"));
        }
    }

    [Fact]
    public void Only_the_exporter_has_a_profile_and_it_is_gpu()
    {
        var root = Load(BasePath);
        foreach (var service in CoreServices)
        {
            Assert.False(Service(root, service).Children.ContainsKey(new YamlScalarNode("profiles")), $"{service} has profiles");
        }
        Assert.Equal(["gpu"], Seq(Service(root, Exporter), "profiles").Select(Text));

        // A plain `up` starts the core services; `--profile gpu up` adds the exporter.
        Assert.Equal(CoreServices.Order(), ServiceNames(Enabled(root)).Order());
        Assert.Equal(Services.Order(), ServiceNames(Enabled(root, "gpu")).Order());
    }

    [Fact]
    public void Images_are_pinned_milvus_to_a_2_5_gpu_tag_attu_to_2_5_and_the_exporter_to_4_8()
    {
        var root = Load(BasePath);
        Assert.Matches(@"^milvusdb/milvus:v2\.5\.\d+-gpu$", Image(root, Milvus));
        Assert.Matches(@"^zilliz/attu:v2\.5\.\d+$", Image(root, "attu"));
        Assert.Matches(@"^quay\.io/coreos/etcd:v3\.5\.\d+$", Image(root, "etcd"));
        // minio/minio left Docker Hub in September 2026 (milvus-io/milvus#53430); quay.io serves the same tags.
        Assert.Matches(@"^quay\.io/minio/minio:RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z$", Image(root, "minio"));
        // <DCGM version>-<exporter version>-<variant>, never latest. Exporter 4.9 renames the DCGM_FI_DEV_* metrics
        // and changes their units: moving past 4.8 means rewriting the doc's metric table too.
        Assert.Matches(@"^nvcr\.io/nvidia/k8s/dcgm-exporter:\d+\.\d+\.\d+-4\.8\.\d+-distroless$", Image(root, Exporter));
    }

    [Fact]
    public void No_minio_image_is_pulled_from_docker_hub()
    {
        foreach (var path in new[] { BasePath, CpuPath })
        {
            var text = File.ReadAllText(path);
            foreach (Match match in Regex.Matches(text, "minio/minio", RegexOptions.IgnoreCase))
            {
                Assert.True(
                    text[..match.Index].EndsWith("quay.io/", StringComparison.OrdinalIgnoreCase),
                    $"{Path.GetFileName(path)} names minio/minio without quay.io/ at offset {match.Index}");
            }
        }
        Assert.All(
            new[] { Load(BasePath), Merge(Load(BasePath), Load(CpuPath)) }.SelectMany(root => Map(root, "services").Children.Values),
            service => Assert.False(Str((YamlMappingNode)service, "image").StartsWith("minio/", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_header_says_what_milvusops_uses_and_no_longer_that_the_backend_is_missing()
    {
        var header = Header(BasePath);
        Assert.DoesNotContain("BackendNotAvailable", header, StringComparison.Ordinal);
        Assert.DoesNotContain("still to come", header, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("does not talk to this stack", header, StringComparison.OrdinalIgnoreCase);
        foreach (var text in new[]
                 {
                     "Connect-Milvus http://localhost:19530",
                     "Test-MilvusHealth -ManagementUri http://localhost:9091 -EtcdUri http://localhost:2379 -MinioUri http://localhost:9000",
                     "docker compose --profile gpu up -d",
                     "docker compose -f docker-compose.yml -f docker-compose.cpu.yml up -d",
                     "CVE-2026-26190",
                 })
        {
            Assert.Contains(text, header, StringComparison.Ordinal);
        }

        // The parameters the header names are the cmdlet's own.
        var cmdlet = File.ReadAllText(Path.Combine(ModuleSession.RepoRoot, "src", "MilvusOps", "Cmdlets", "TestMilvusHealthCommand.cs"));
        foreach (var parameter in new[] { "ManagementUri", "EtcdUri", "MinioUri" })
        {
            Assert.Contains($"public Uri? {parameter} {{ get; set; }}", cmdlet, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Milvus_runs_standalone_against_the_etcd_and_minio_services_with_minios_credentials()
    {
        var root = Load(BasePath);
        var milvus = Service(root, Milvus);
        Assert.Equal(["milvus", "run", "standalone"], Seq(milvus, "command").Select(Text));

        var env = Environment(milvus);
        Assert.Equal("etcd:2379", env["ETCD_ENDPOINTS"]);
        Assert.Equal("minio:9000", env["MINIO_ADDRESS"]);

        // Milvus must log in to MinIO with what MinIO was started with: the same variables, the same defaults.
        var minio = Environment(Service(root, "minio"));
        Assert.Equal(minio["MINIO_ROOT_USER"], env["MINIO_ACCESS_KEY_ID"]);
        Assert.Equal(minio["MINIO_ROOT_PASSWORD"], env["MINIO_SECRET_ACCESS_KEY"]);
        Assert.Equal("${MINIO_ROOT_USER:-minioadmin}", minio["MINIO_ROOT_USER"]);

        Assert.Equal("milvus-standalone:19530", Environment(Service(root, "attu"))["MILVUS_URL"]);
        Assert.Contains("-listen-client-urls http://0.0.0.0:2379", Str(Service(root, "etcd"), "command"), StringComparison.Ordinal);
        Assert.Contains("server /minio_data", Str(Service(root, "minio"), "command"), StringComparison.Ordinal);
    }

    [Fact]
    public void Milvus_etcd_and_minio_have_the_documented_healthchecks()
    {
        var root = Load(BasePath);
        Assert.Equal(["CMD", "curl", "-f", "http://localhost:9091/healthz"], HealthTest(root, Milvus));
        Assert.Equal(["CMD", "etcdctl", "endpoint", "health"], HealthTest(root, "etcd"));
        Assert.Equal(["CMD", "curl", "-f", "http://localhost:9000/minio/health/live"], HealthTest(root, "minio"));

        // Milvus takes 60-90 s to start: its start period must cover that, and the total must not be absurd.
        var health = Map(Service(root, Milvus), "healthcheck");
        var start = Duration(Str(health, "start_period"));
        Assert.InRange(start, TimeSpan.FromSeconds(90), TimeSpan.FromMinutes(5));
        Assert.True(int.Parse(Str(health, "retries"), CultureInfo.InvariantCulture) >= 1);
        Assert.True(Duration(Str(health, "interval")) > TimeSpan.Zero);
        Assert.True(Duration(Str(health, "timeout")) > TimeSpan.Zero);
    }

    [Fact]
    public void Milvus_reserves_an_nvidia_gpu_and_deploy_holds_nothing_else() => AssertGpuReservation(Service(Load(BasePath), Milvus));

    [Fact]
    public void The_exporter_reserves_the_same_gpu_as_milvus_with_sys_admin_and_is_not_privileged()
    {
        var root = Load(BasePath);
        var exporter = Service(root, Exporter);
        AssertGpuReservation(exporter);
        Assert.Equal(Serialize(Map(Service(root, Milvus), "deploy")), Serialize(Map(exporter, "deploy")));

        // Profiling metrics (DCGM_FI_PROF_*) need CAP_SYS_ADMIN, as NVIDIA's docker run line grants; nothing more.
        Assert.Equal(["SYS_ADMIN"], Seq(exporter, "cap_add").Select(Text));
        Assert.False(exporter.Children.ContainsKey(new YamlScalarNode("privileged")));
        Assert.False(exporter.Children.ContainsKey(new YamlScalarNode("depends_on")));
        Assert.False(exporter.Children.ContainsKey(new YamlScalarNode("volumes")));
    }

    private static void AssertGpuReservation(YamlMappingNode service)
    {
        var deploy = Map(service, "deploy");
        Assert.Equal(["resources"], deploy.Children.Keys.Select(Text));
        var resources = Map(deploy, "resources");
        Assert.Equal(["reservations"], resources.Children.Keys.Select(Text));
        var reservations = Map(resources, "reservations");
        Assert.Equal(["devices"], reservations.Children.Keys.Select(Text));

        var device = Assert.IsType<YamlMappingNode>(Assert.Single(Seq(reservations, "devices")));
        Assert.Equal("nvidia", Str(device, "driver"));
        Assert.Contains("gpu", Seq(device, "capabilities").Select(Text));
        // Exactly one way to say which GPUs: Compose rejects count together with device_ids.
        var hasCount = device.Children.ContainsKey(new YamlScalarNode("count"));
        var hasIds = device.Children.ContainsKey(new YamlScalarNode("device_ids"));
        Assert.True(hasCount ^ hasIds, "the device names count or device_ids, not both and not neither");
        if (hasCount)
        {
            var count = Str(device, "count");
            Assert.True(count == "all" || int.Parse(count, CultureInfo.InvariantCulture) >= 1, $"count {count}");
        }
        else
        {
            Assert.NotEmpty(Seq(device, "device_ids"));
        }
    }

    [Fact]
    public void Milvus_waits_for_healthy_etcd_and_minio_and_attu_for_healthy_milvus()
    {
        var root = Load(BasePath);
        Assert.Equal(
            new Dictionary<string, string> { ["etcd"] = "service_healthy", ["minio"] = "service_healthy" },
            DependsOn(Service(root, Milvus)));
        Assert.Equal(
            new Dictionary<string, string> { [Milvus] = "service_healthy" },
            DependsOn(Service(root, "attu")));
        Assert.False(Service(root, "etcd").Children.ContainsKey(new YamlScalarNode("depends_on")));
        Assert.False(Service(root, "minio").Children.ContainsKey(new YamlScalarNode("depends_on")));
    }

    [Fact]
    public void Ports_are_published_on_loopback_as_documented()
    {
        var root = Load(BasePath);
        Assert.Equal(
            [new Port("127.0.0.1", 19530, 19530), new Port("127.0.0.1", 9091, 9091)],
            Ports(Service(root, Milvus)));
        Assert.Equal([new Port("127.0.0.1", 8000, 3000)], Ports(Service(root, "attu")));
        Assert.Equal(
            [new Port("127.0.0.1", 9000, 9000), new Port("127.0.0.1", 9001, 9001)],
            Ports(Service(root, "minio")));
        // etcd's client port, for Test-MilvusHealth -EtcdUri; etcd has no authentication here.
        Assert.Equal([new Port("127.0.0.1", 2379, 2379)], Ports(Service(root, "etcd")));
        Assert.Equal([new Port("127.0.0.1", 9400, 9400)], Ports(Service(root, Exporter)));
    }

    [Fact]
    public void Every_published_port_of_every_variant_is_on_loopback()
    {
        var gpu = Load(BasePath);
        var cpu = Merge(gpu, Load(CpuPath));
        foreach (var (variant, root) in new[] { ("GPU", gpu), ("CPU", cpu) })
        {
            foreach (var (name, service) in Map(root, "services").Children)
            {
                foreach (var port in Ports((YamlMappingNode)service))
                {
                    Assert.True(port.HostIp == "127.0.0.1", $"{variant}: {Text(name)} publishes {port.Published} on '{port.HostIp}'");
                }
            }
        }
    }

    [Fact]
    public void Data_lives_in_named_volumes_declared_at_top_level()
    {
        var root = Load(BasePath);
        var expected = new Dictionary<string, (string Volume, string Target)>
        {
            ["etcd"] = ("etcd-data", "/etcd"),
            ["minio"] = ("minio-data", "/minio_data"),
            [Milvus] = ("milvus-data", "/var/lib/milvus"),
        };
        foreach (var (service, (volume, target)) in expected)
        {
            var mount = Assert.Single(Seq(Service(root, service), "volumes"));
            Assert.Equal($"{volume}:{target}", Text(mount));
            Assert.Matches("^[a-z][a-z0-9_-]*$", volume); // a name, not a path: no bind mount
        }
        Assert.Equal(
            expected.Values.Select(v => v.Volume).Order(),
            Map(root, "volumes").Children.Keys.Select(Text).Order());
        Assert.False(Service(root, "attu").Children.ContainsKey(new YamlScalarNode("volumes")));
    }

    [Fact]
    public void The_cpu_override_only_swaps_the_image_and_resets_deploy()
    {
        var over = Load(CpuPath);
        Assert.Equal(["services"], over.Children.Keys.Select(Text));
        var service = Assert.Single(Map(over, "services").Children);
        Assert.Equal(Milvus, Text(service.Key));
        var milvus = (YamlMappingNode)service.Value;
        Assert.Equal(["image", "deploy"], milvus.Children.Keys.Select(Text));
        Assert.Equal("!reset", TagOf(milvus.Children[new YamlScalarNode("deploy")]));
    }

    [Fact]
    public void The_cpu_variant_resolves_to_the_same_milvus_version_without_gpu_or_reservation()
    {
        var gpu = Load(BasePath);
        var merged = Merge(gpu, Load(CpuPath));
        // The override leaves the exporter alone; the CPU command line passes no profile, so it does not start.
        Assert.Equal(Serialize(Service(gpu, Exporter)), Serialize(Service(merged, Exporter)));
        var cpu = Enabled(merged);
        Assert.Equal(CoreServices.Order(), ServiceNames(cpu).Order());

        var gpuImage = Image(gpu, Milvus);
        var cpuImage = Image(cpu, Milvus);
        Assert.Matches(@"^milvusdb/milvus:v2\.5\.\d+$", cpuImage);
        Assert.Equal(gpuImage[..^"-gpu".Length], cpuImage);
        Assert.False(Service(cpu, Milvus).Children.ContainsKey(new YamlScalarNode("deploy")));
        Assert.DoesNotContain("nvidia", Serialize(cpu), StringComparison.Ordinal);

        // Everything else is the GPU stack's, unchanged.
        var keptKeys = Service(gpu, Milvus).Children.Keys.Select(Text).Where(k => k is not "image" and not "deploy");
        Assert.Equal(keptKeys, Service(cpu, Milvus).Children.Keys.Select(Text).Where(k => k != "image"));
        Assert.Equal(HealthTest(gpu, Milvus), HealthTest(cpu, Milvus));
        foreach (var other in CoreServices.Where(s => s != Milvus))
        {
            Assert.Equal(Serialize(Service(gpu, other)), Serialize(Service(cpu, other)));
        }
        Assert.Equal(Serialize(Map(gpu, "volumes")), Serialize(Map(cpu, "volumes")));
    }

    [Fact]
    public void The_merge_used_here_follows_composes_rules_for_mappings_scalars_and_reset()
    {
        var merged = Merge(
            Parse("a: {b: 1, c: {d: 2, e: 3}, f: 4}\ng: 5\n"),
            Parse("a: {b: 10, c: {e: !reset null, x: 7}, f: !override {y: 8}}\n"));
        Assert.Equal("a:\n  b: 10\n  c:\n    d: 2\n    x: 7\n  f:\n    y: 8\ng: 5\n", Serialize(merged).ReplaceLineEndings("\n"));
        // Sequences merge by per-key rules this test does not model: it refuses rather than guesses.
        Assert.Throws<NotSupportedException>(() => Merge(Parse("a: [1]\n"), Parse("a: [2]\n")));
    }

    [Fact]
    public void The_profile_filter_used_here_follows_composes_rules()
    {
        var root = Parse("name: p\nservices: {a: {image: x}, b: {image: y, profiles: [gpu]}, c: {image: z, profiles: [debug, gpu]}}\n");
        Assert.Equal(["a"], ServiceNames(Enabled(root)));
        Assert.Equal(["a", "b", "c"], ServiceNames(Enabled(root, "gpu")));
        Assert.Equal(["a", "c"], ServiceNames(Enabled(root, "debug")));
        Assert.Equal("p", Str(Enabled(root), "name")); // everything but the service list is kept
    }

    [Fact]
    public void The_doc_names_the_images_ports_and_how_to_connect()
    {
        var root = Load(BasePath);
        var doc = File.ReadAllText(DocPath);
        foreach (var service in Services)
        {
            Assert.Contains(Image(root, service), doc, StringComparison.Ordinal);
        }
        Assert.Contains(Image(Merge(root, Load(CpuPath)), Milvus), doc, StringComparison.Ordinal);
        foreach (var text in new[]
                 {
                     "docker compose --profile gpu up -d", "docker compose --profile gpu down -v",
                     "docker compose -f docker-compose.yml -f docker-compose.cpu.yml up -d",
                     "curl -f http://localhost:9091/healthz", "http://localhost:8000", "localhost:19530",
                     "Connect-Milvus http://localhost:19530", "GPU_CAGRA", "HNSW", "!reset",
                     "Test-MilvusHealth -ManagementUri http://localhost:9091 -EtcdUri http://localhost:2379 -MinioUri http://localhost:9000",
                     "`127.0.0.1:2379`", "`127.0.0.1:9400`", "CVE-2026-26190", "http://localhost:9400/metrics",
                     "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "nvidia-smi --query-gpu=",
                     "milvus-io/milvus#53430",
                 })
        {
            Assert.Contains(text, doc, StringComparison.Ordinal);
        }
    }

    // ---- YAML helpers ----

    private static YamlMappingNode Load(string path) => Parse(File.ReadAllText(path));

    private static YamlMappingNode Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return Assert.IsType<YamlMappingNode>(Assert.Single(stream.Documents).RootNode);
    }

    private static string Serialize(YamlNode node)
    {
        var stream = new YamlStream(new YamlDocument(node));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString().ReplaceLineEndings("\n");
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    private static string TagOf(YamlNode node) => node.Tag.IsEmpty ? "" : node.Tag.Value;

    private static string Text(YamlNode node) => Assert.IsType<YamlScalarNode>(node).Value ?? "";

    private static YamlNode Get(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var value)
            ? value
            : throw new Xunit.Sdk.XunitException($"missing key '{key}'");

    private static YamlMappingNode Map(YamlMappingNode map, string key) => Assert.IsType<YamlMappingNode>(Get(map, key));

    private static IReadOnlyList<YamlNode> Seq(YamlMappingNode map, string key) =>
        Assert.IsType<YamlSequenceNode>(Get(map, key)).Children.ToList();

    private static string Str(YamlMappingNode map, string key) => Text(Get(map, key));

    private static YamlMappingNode Service(YamlMappingNode root, string name) => Map(Map(root, "services"), name);

    private static List<string> ServiceNames(YamlMappingNode root) => Map(root, "services").Children.Keys.Select(Text).ToList();

    /// <summary>The comment block at the top of a compose file, without the leading '#'.</summary>
    private static string Header(string path) => string.Join("\n", File.ReadLines(path)
        .TakeWhile(line => line.StartsWith('#') || line.Length == 0)
        .Select(line => line.TrimStart('#').Trim()));

    private static string Image(YamlMappingNode root, string service) => Str(Service(root, service), "image");

    private static IReadOnlyList<string> HealthTest(YamlMappingNode root, string service) =>
        Seq(Map(Service(root, service), "healthcheck"), "test").Select(Text).ToList();

    private static Dictionary<string, string> Environment(YamlMappingNode service) => Get(service, "environment") switch
    {
        YamlMappingNode map => map.Children.ToDictionary(e => Text(e.Key), e => Text(e.Value)),
        YamlSequenceNode list => list.Children.Select(Text).Select(s => s.Split('=', 2)).ToDictionary(p => p[0], p => p[1]),
        var other => throw new Xunit.Sdk.XunitException($"environment is a {other.NodeType}"),
    };

    private static Dictionary<string, string> DependsOn(YamlMappingNode service) =>
        Map(service, "depends_on").Children.ToDictionary(
            e => Text(e.Key), e => Str(Assert.IsType<YamlMappingNode>(e.Value), "condition"));

    private sealed record Port(string HostIp, int Published, int Target);

    /// <summary>Short-syntax ports, "[ip:]published:target[/protocol]"; each must name its published port.</summary>
    private static List<Port> Ports(YamlMappingNode service)
    {
        if (!service.Children.TryGetValue(new YamlScalarNode("ports"), out var ports)) return [];
        return Assert.IsType<YamlSequenceNode>(ports).Children.Select(Text).Select(spec =>
        {
            var parts = spec.Split('/')[0].Split(':');
            Assert.True(parts.Length is 2 or 3, $"port '{spec}' does not name its published port");
            var ip = parts.Length == 3 ? parts[0] : "";
            return new Port(ip, int.Parse(parts[^2], CultureInfo.InvariantCulture), int.Parse(parts[^1], CultureInfo.InvariantCulture));
        }).ToList();
    }

    /// <summary>Compose durations: "90s", "1m30s", "500ms".</summary>
    private static TimeSpan Duration(string text)
    {
        var parts = DurationPart().Matches(text);
        Assert.True(parts.Count > 0 && string.Concat(parts.Select(m => m.Value)) == text, $"'{text}' is not a duration");
        return parts.Aggregate(TimeSpan.Zero, (sum, m) =>
        {
            var n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return sum + m.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(n),
                "m" => TimeSpan.FromMinutes(n),
                "s" => TimeSpan.FromSeconds(n),
                "ms" => TimeSpan.FromMilliseconds(n),
                _ => TimeSpan.FromMicroseconds(n),
            };
        });
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|m|s|us)")]
    private static partial Regex DurationPart();

    /// <summary>
    /// Merges an override onto a base as Compose does for what the CPU file uses: mappings merge key by key,
    /// a scalar replaces, <c>!reset</c> removes the key, <c>!override</c> replaces the whole value. Sequences
    /// follow per-key rules in Compose (append, replace, unique by target), which this does not model.
    /// </summary>
    private static YamlMappingNode Merge(YamlMappingNode baseMap, YamlMappingNode overMap)
    {
        var result = new YamlMappingNode();
        foreach (var (key, value) in baseMap.Children) result.Children.Add(key, value);
        foreach (var (key, value) in overMap.Children)
        {
            var tag = TagOf(value);
            if (tag == "!reset")
            {
                result.Children.Remove(key);
            }
            else if (tag == "!override" || !result.Children.TryGetValue(key, out var existing))
            {
                result.Children[key] = tag == "!override" ? Untagged(value) : value;
            }
            else if (existing is YamlMappingNode baseChild && value is YamlMappingNode overChild)
            {
                result.Children[key] = Merge(baseChild, overChild);
            }
            else if (existing is YamlSequenceNode || value is YamlSequenceNode)
            {
                throw new NotSupportedException($"merging the sequence '{Text(key)}' is not modelled");
            }
            else
            {
                result.Children[key] = value;
            }
        }
        return result;
    }

    /// <summary>
    /// The project as a command line with these <c>--profile</c>s sees it: a service without <c>profiles</c> is always
    /// enabled, one with <c>profiles</c> only when one of them is active. (Compose also enables a service named on the
    /// command line, <c>docker compose up dcgm-exporter</c>, which this does not model.)
    /// </summary>
    private static YamlMappingNode Enabled(YamlMappingNode root, params string[] profiles)
    {
        var services = new YamlMappingNode();
        foreach (var (name, value) in Map(root, "services").Children)
        {
            var service = Assert.IsType<YamlMappingNode>(value);
            var enabled = !service.Children.TryGetValue(new YamlScalarNode("profiles"), out var own)
                || Assert.IsType<YamlSequenceNode>(own).Children.Select(Text).Intersect(profiles).Any();
            if (enabled) services.Children.Add(name, value);
        }
        var result = new YamlMappingNode();
        foreach (var (key, value) in root.Children) result.Children.Add(key, Text(key) == "services" ? services : value);
        return result;
    }

    private static YamlNode Untagged(YamlNode node) => node switch
    {
        YamlScalarNode s => new YamlScalarNode(s.Value) { Style = s.Style },
        YamlMappingNode m => new YamlMappingNode(m.Children),
        YamlSequenceNode q => new YamlSequenceNode(q.Children),
        _ => node,
    };
}
