using System.Diagnostics;
using MilvusOps.Tests.Shared;
using Xunit.Abstractions;

namespace MilvusOps.Engine.Tests.Milvus;

/// <summary>
/// The stateful peer's filter evaluator (tests/conformance/peer/filter.js) against Milvus's own filter cases
/// (Filtering/Corpus): tests/conformance/filter-corpus.js runs every 2.5 parse, template and evaluation case through
/// the peer and exits non-zero on any disagreement, which it lists. The same corpus the embedded store follows
/// (FilterCorpusTests), so that both readings of the filter language are Milvus's. Skips where node or the npm
/// packages are missing (CI installs them with <c>npm ci --prefix tests/conformance</c>).
/// </summary>
public sealed class PeerFilterCorpusTests(ITestOutputHelper output)
{
    [SkippableFact]
    public void ThePeersFilterLanguage_AgreesWithTheCorpus()
    {
        var skip = ConformancePeer.SkipReason;
        Skip.If(skip is not null, skip);
        var start = new ProcessStartInfo(ConformancePeer.FindOnPath("node")!)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = ConformancePeer.Directory,
        };
        start.ArgumentList.Add("filter-corpus.js");
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("filter-corpus.js did not finish within 120 s");
        }
        var report = stdout.Result + stderr.Result;
        output.WriteLine(report);
        Assert.True(process.ExitCode == 0, $"filter-corpus.js exited {process.ExitCode}:\n{report}");
        Assert.Contains("FILTER CORPUS OK", stdout.Result, StringComparison.Ordinal);
    }
}
