using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MilvusOps.Tests.Shared;

/// <summary>
/// One run of tests/conformance/peer.js: a MilvusService built from the official Milvus definitions
/// (@zilliz/milvus2-sdk-node) and served by @grpc/grpc-js. It prints <c>LISTENING &lt;port&gt;</c>, then one
/// <c>CALL &lt;Method&gt; ...</c> line per call, and exits when its stdin closes. With <c>--http</c> it also serves the
/// management port (<c>/healthz</c>, <c>/metrics</c>) and prints <c>HTTP &lt;port&gt;</c> after LISTENING; with <c>--bulk</c>
/// it serves an S3 API and the bulk-import REST API and prints <c>S3 &lt;port&gt;</c> and <c>REST &lt;port&gt;</c>. Compiled into
/// both test projects.
/// </summary>
public sealed class ConformancePeer : IDisposable
{
    private static readonly TimeSpan ListenTimeout = TimeSpan.FromSeconds(20);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StringBuilder _stderr = new();

    /// <summary>tests/conformance, found by walking up from the test assembly to the folder holding MilvusOps.sln.</summary>
    public static string Directory { get; } = Path.Combine(RepoRoot(), "tests", "conformance");

    /// <summary>Why no peer can run here (node or the npm install missing), or null.</summary>
    public static string? SkipReason { get; } = FindSkipReason(out _);

    private ConformancePeer(Process process) => _process = process;

    public int Port { get; private set; }
    public string Address => $"http://127.0.0.1:{Port}";

    /// <summary>The management port (from the <c>HTTP &lt;port&gt;</c> line); null when the peer runs without <c>--http</c>.</summary>
    public int? HttpPort { get; private set; }

    /// <summary>http://127.0.0.1:&lt;HttpPort&gt;, or null without <c>--http</c>.</summary>
    public string? HttpAddress => HttpPort is { } port ? $"http://127.0.0.1:{port}" : null;

    /// <summary>The S3 API (s3rver, bucket a-bucket) the peer's import jobs read (from the <c>S3 &lt;port&gt;</c> line, with <c>--bulk</c>).</summary>
    public int? S3Port { get; private set; }

    /// <summary>The bulk-import REST API (from the <c>REST &lt;port&gt;</c> line, with <c>--bulk</c>).</summary>
    public int? RestPort { get; private set; }

    public string? S3Address => S3Port is { } port ? $"http://127.0.0.1:{port}" : null;
    public string? RestAddress => RestPort is { } port ? $"http://127.0.0.1:{port}" : null;

    /// <summary>The peer's call lines so far: "CALL &lt;Method&gt; OK|INVALID ...|STATUS ...|UNAVAILABLE|UNAUTHENTICATED".</summary>
    public IReadOnlyList<string> Calls => _lines.Where(l => l.StartsWith("CALL ", StringComparison.Ordinal)).ToArray();

    /// <summary>The call lines once <paramref name="line"/> is among them (or after 10 s): the peer prints each line before
    /// it answers, but the reply can arrive before this process has read the line from the peer's output.</summary>
    public IReadOnlyList<string> CallsThrough(string line)
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (!Calls.Contains(line) && DateTime.UtcNow < until) Thread.Sleep(10);
        return Calls;
    }

    /// <summary>The peer's HTTP request lines (with <c>--http</c>): "HTTP &lt;verb&gt; &lt;path&gt; &lt;status&gt;".</summary>
    public IReadOnlyList<string> HttpRequests =>
        _lines.Where(l => l.StartsWith("HTTP ", StringComparison.Ordinal) && l.Length > 5 && !char.IsAsciiDigit(l[5])).ToArray();

    public string Stderr
    {
        get { lock (_stderr) return _stderr.ToString(); }
    }

    /// <summary>Starts <c>node peer.js &lt;arguments&gt;</c> and waits for it to listen. Check <see cref="SkipReason"/> first.</summary>
    public static ConformancePeer Start(params string[] arguments)
    {
        if (FindSkipReason(out var node) is { } reason)
            throw new InvalidOperationException(reason);
        var start = new ProcessStartInfo(node!)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, WorkingDirectory = Directory,
        };
        start.ArgumentList.Add(Path.Combine(Directory, "peer.js"));
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        var peer = new ConformancePeer(new Process { StartInfo = start });
        // The lines that name the ports, in the order the peer prints them: LISTENING always, HTTP with --http, S3 and REST with --bulk.
        var expected = new List<string> { "LISTENING" };
        if (arguments.Contains("--http")) expected.Add("HTTP");
        if (arguments.Contains("--bulk")) expected.AddRange(["S3", "REST"]);
        var ports = new ConcurrentDictionary<string, int>();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        peer._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"peer.js closed its output before it printed {string.Join(", ", expected.Where(n => !ports.ContainsKey(n)))}."));
                return;
            }
            peer._lines.Enqueue(e.Data);
            int space = e.Data.IndexOf(' ');
            if (space > 0 && expected.Contains(e.Data[..space]) && !ports.ContainsKey(e.Data[..space])
                && int.TryParse(e.Data[(space + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                ports[e.Data[..space]] = port;
                if (expected.All(ports.ContainsKey)) ready.TrySetResult();
            }
        };
        peer._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (peer._stderr) peer._stderr.AppendLine(e.Data);
        };
        peer._process.Start();
        peer._process.BeginOutputReadLine();
        peer._process.BeginErrorReadLine();
        try
        {
            if (!ready.Task.Wait(ListenTimeout))
                throw new TimeoutException($"peer.js {string.Join(' ', arguments)} did not print {string.Join(", ", expected)} within {ListenTimeout.TotalSeconds:F0} s.");
            peer.Port = ports["LISTENING"];
            peer.HttpPort = ports.TryGetValue("HTTP", out var http) ? http : null;
            peer.S3Port = ports.TryGetValue("S3", out var s3) ? s3 : null;
            peer.RestPort = ports.TryGetValue("REST", out var rest) ? rest : null;
            return peer;
        }
        catch (Exception ex) when (ex is TimeoutException or AggregateException)
        {
            var message = $"{(ex as AggregateException)?.InnerException?.Message ?? ex.Message} stderr:\n{peer.Stderr}";
            peer.Dispose();
            throw new InvalidOperationException(message, ex);
        }
    }

    private static string? FindSkipReason(out string? node)
    {
        node = FindOnPath("node");
        if (node is null)
            return "node is not on PATH: the conformance peer (tests/conformance/peer.js) needs Node.js.";
        var modules = Path.Combine(Directory, "node_modules");
        if (!System.IO.Directory.Exists(Path.Combine(modules, "@zilliz", "milvus2-sdk-node")) || !System.IO.Directory.Exists(Path.Combine(modules, "@grpc", "grpc-js")))
            return "tests/conformance/node_modules is missing: run `npm ci --prefix tests/conformance` to install the official definitions and @grpc/grpc-js.";
        return null;
    }

    /// <summary>Runs a node script of tests/conformance with <paramref name="arguments"/> to its end (at most <paramref name="timeout"/>); call only when <see cref="SkipReason"/> is null.</summary>
    public static (int ExitCode, string Stdout, string Stderr) RunScript(string script, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo(FindOnPath("node")!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Directory,
        };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public static string? FindOnPath(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            foreach (var candidate in new[] { name, name + ".exe" })
                if (File.Exists(Path.Combine(dir, candidate)))
                    return Path.Combine(dir, candidate);
        return null;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MilvusOps.sln")))
                return dir.FullName;
        throw new InvalidOperationException("MilvusOps.sln not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();   // the peer exits when its stdin closes
                if (!_process.WaitForExit(3000)) _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
