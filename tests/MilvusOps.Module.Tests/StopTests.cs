using System.Diagnostics;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Module.Tests;

/// <summary>
/// Ctrl+C (PowerShell.Stop) ends a command that is waiting, not only one that is writing output: a wait for another
/// process's lock, retries with backoff to a server that does not answer, and a connect that keeps failing. Each case
/// would go on for many seconds if the wait ignored the stop; the bounds are loose so a loaded machine does not fail them.
/// </summary>
public sealed class StopTests : IDisposable
{
    private readonly ModuleSession _session = new();
    private readonly List<ConformancePeer> _peers = [];

    public void Dispose()
    {
        _session.Dispose();
        foreach (var peer in _peers) peer.Dispose();
    }

    /// <summary>Starts <paramref name="script"/>, stops it once <paramref name="waiting"/> says it is waiting, and returns how
    /// long the stop took.</summary>
    private TimeSpan StopWhen(Func<bool> waiting, string script, params object?[] arguments)
    {
        var (shell, running) = _session.Start(script, arguments);
        using (shell)
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!waiting() && !running.IsCompleted && DateTime.UtcNow < deadline) Thread.Sleep(10);
            Assert.False(running.IsCompleted, "the command ended before it could be stopped");
            var clock = Stopwatch.StartNew();
            shell.Stop();   // what Ctrl+C does
            Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));
            return clock.Elapsed;
        }
    }

    [Fact]
    public void A_write_waiting_for_another_writers_lock_stops_at_once()
    {
        _session.Run("Connect-Milvus ./patterns.db -Create | Out-Null; New-PatternCollection p -Dimension 2 | Out-Null");
        // Another writer holds the lock: without the stop, the wait would last the default 30 s.
        using (_session.HoldWriteLock(_session.StorePath))
        {
            var started = DateTime.UtcNow;
            var stopped = StopWhen(() => DateTime.UtcNow > started.AddSeconds(1), "[pscustomobject]@{ PatternId = 'a'; Vector = 1, 2 } | Add-Pattern p");
            Assert.True(stopped < TimeSpan.FromSeconds(5), $"the stop took {stopped.TotalSeconds:F1} s");
        }
        Assert.Equal(0L, _session.Run("(Get-PatternCollection p).EntityCount")[0].BaseObject);
    }

    [SkippableFact]
    public void Retries_with_backoff_to_a_server_that_keeps_failing_stop_at_once()
    {
        Skip.If(ConformancePeer.SkipReason is not null, ConformancePeer.SkipReason);
        var peer = ConformancePeer.Start("--stateful", "--unavailable-first", "1000");
        _peers.Add(peer);
        _session.Run("Connect-Milvus $args[0] | Out-Null; New-PatternCollection r -Dimension 4 -IndexType FLAT | Out-Null", peer.Address);

        // Five attempts with backoff between them take over 1.5 s; a stop in the first backoff leaves the rest unsent.
        int Searches() => peer.Calls.Count(c => c.StartsWith("CALL Search", StringComparison.Ordinal));
        var stopped = StopWhen(() => Searches() > 0, "Find-SimilarPattern r -Vector 1, 0, 0, 0");
        Assert.True(stopped < TimeSpan.FromSeconds(5), $"the stop took {stopped.TotalSeconds:F1} s");
        Thread.Sleep(TimeSpan.FromSeconds(4));   // long enough for every remaining attempt, were it still retrying
        Assert.InRange(Searches(), 1, 3);
    }

    [Fact]
    public void Connect_to_a_server_that_does_not_answer_stops_at_once()
    {
        // A listener that never accepts: the TCP handshake completes in the backlog, and the HTTP/2 call then waits for an
        // answer until its 30 s deadline.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var started = DateTime.UtcNow;
        var stopped = StopWhen(() => DateTime.UtcNow > started.AddMilliseconds(500), $"Connect-Milvus http://127.0.0.1:{port} -TimeoutSec 30");
        Assert.True(stopped < TimeSpan.FromSeconds(5), $"the stop took {stopped.TotalSeconds:F1} s");
        Assert.StartsWith("NotConnected,", _session.Fail("Get-PatternCollection").FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("Test-MilvusHealth -EtcdUri $args[0] -ProbeTimeoutSec 300")]
    [InlineData("Get-MilvusMetric -ManagementUri $args[0] -TimeoutSec 300")]
    [InlineData("Get-MilvusGpu -DcgmUri $args[0] -TimeoutSec 300")]
    public void A_scrape_or_probe_of_an_endpoint_that_never_answers_stops_at_once(string script)
    {
        _session.Run("Connect-Milvus ./patterns.db -Create | Out-Null");
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // takes the connection, never answers: without the stop, the call would wait 300 s
        var started = DateTime.UtcNow;
        var stopped = StopWhen(() => DateTime.UtcNow > started.AddSeconds(1), script, $"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}");
        Assert.True(stopped < TimeSpan.FromSeconds(5), $"the stop took {stopped.TotalSeconds:F1} s");
    }
}
