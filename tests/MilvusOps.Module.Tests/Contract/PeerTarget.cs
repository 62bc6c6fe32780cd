using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace MilvusOps.Module.Tests.Contract;

/// <summary>
/// The stateful conformance peer: <c>node tests/conformance/peer.js --stateful</c>, a Milvus stand-in built on the
/// official Milvus definitions, which keeps collections and rows in memory. It prints <c>LISTENING &lt;port&gt;</c>
/// and exits when its stdin closes. Skipped where node or tests/conformance/node_modules is missing.
/// </summary>
public sealed class PeerTarget : ContractTarget
{
    private static readonly TimeSpan ListenTimeout = TimeSpan.FromSeconds(20);
    private readonly StringBuilder _stderr = new();
    private Process? _process;

    public PeerTarget() => Open(Start);

    public override string Name => "Peer";

    protected override string ExpectedBackend => "Milvus";

    private (string?, string?) Start()
    {
        string? node = FindOnPath("node");
        if (node is null)
            return (null, "node is not on PATH: the Peer contract run needs Node.js to start tests/conformance/peer.js --stateful.");
        string conformance = Path.Combine(ModuleSession.RepoRoot, "tests", "conformance");
        string modules = Path.Combine(conformance, "node_modules");
        if (!Directory.Exists(Path.Combine(modules, "@zilliz", "milvus2-sdk-node")) || !Directory.Exists(Path.Combine(modules, "@grpc", "grpc-js")))
            return (null, "tests/conformance/node_modules is missing: run `npm ci --prefix tests/conformance` for the Peer contract run.");

        var start = new ProcessStartInfo(node)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false, WorkingDirectory = conformance,
        };
        start.ArgumentList.Add(Path.Combine(conformance, "peer.js"));
        start.ArgumentList.Add("--stateful");
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) listening.TrySetException(new InvalidOperationException("peer.js closed its output before it printed LISTENING."));
            else if (e.Data.StartsWith("LISTENING ", StringComparison.Ordinal))
                listening.TrySetResult(int.Parse(e.Data["LISTENING ".Length..], CultureInfo.InvariantCulture));
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) lock (_stderr) _stderr.AppendLine(e.Data);
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            if (!listening.Task.Wait(ListenTimeout))
                throw new TimeoutException($"peer.js --stateful did not print LISTENING within {ListenTimeout.TotalSeconds:F0} s.");
        }
        catch (Exception ex) when (ex is TimeoutException or AggregateException)
        {
            string stderr;
            lock (_stderr) stderr = _stderr.ToString();
            throw new InvalidOperationException($"{(ex as AggregateException)?.InnerException?.Message ?? ex.Message} stderr:\n{stderr}", ex);
        }
        return (Quote($"http://127.0.0.1:{listening.Task.Result}"), null);
    }

    public override void Dispose()
    {
        base.Dispose();
        if (_process is null) return;
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
