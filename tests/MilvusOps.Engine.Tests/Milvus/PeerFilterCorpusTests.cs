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
        var (exitCode, stdout, stderr) = ConformancePeer.RunScript("filter-corpus.js", TimeSpan.FromSeconds(120));
        output.WriteLine(stdout + stderr);
        Assert.True(exitCode == 0, $"filter-corpus.js exited {exitCode}:\n{stdout}{stderr}");
        Assert.Contains("FILTER CORPUS OK", stdout, StringComparison.Ordinal);
    }
}
