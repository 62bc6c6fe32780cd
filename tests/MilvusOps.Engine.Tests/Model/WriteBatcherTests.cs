namespace MilvusOps.Engine.Tests.Model;

/// <summary>Where <see cref="WriteBatcher{T}"/> cuts: by rows and by bytes for writers, under a hard byte limit for requests.</summary>
public sealed class WriteBatcherTests
{
    /// <summary>Patterns of one size each (same-length ids, 4-d vectors); a large one has a 64-d vector.</summary>
    private static Pattern Small(int i) => new($"p{i:D3}", new float[4], null, null, null);
    private static Pattern Large(int i) => new($"p{i:D3}", new float[64], null, null, null);
    private static readonly long SmallBytes = WriteBatch.SizeOf(Small(0));

    private static List<int> Sizes<T>(IEnumerable<List<T>> batches) => batches.Select(b => b.Count).ToList();

    private static List<List<string>> Ids(IEnumerable<List<Pattern>> batches) =>
        batches.Select(b => b.Select(p => p.PatternId).ToList()).ToList();

    private static IEnumerable<List<Pattern>> CutWrites(IEnumerable<Pattern> patterns, int maxRows, long maxBytes) =>
        WriteBatcher<Pattern>.ForWriters(maxRows, maxBytes).Cut(patterns, p => p);

    private static IEnumerable<List<Pattern>> CutRequests(IEnumerable<Pattern> patterns, long maxBytes) =>
        WriteBatcher<Pattern>.ForRequests(maxBytes).Cut(patterns, p => p);

    [Fact]
    public void Writers_CloseAtTheRowCount_AndKeepEveryItemInOrder()
    {
        var patterns = Enumerable.Range(0, 7).Select(Small).ToList();
        var batches = CutWrites(patterns, maxRows: 3, maxBytes: long.MaxValue).ToList();

        Assert.Equal([3, 3, 1], Sizes(batches));
        Assert.Equal(patterns.Select(p => p.PatternId), batches.SelectMany(b => b).Select(p => p.PatternId));
    }

    [Theory]
    [InlineData(2.0, 2)]   // reaching the cap exactly closes the batch
    [InlineData(2.5, 3)]   // the pattern that passes the cap is the batch's last
    [InlineData(3.0, 3)]
    public void Writers_CloseOnceTheirBytesReachTheCap(double capInPatterns, int rowsPerBatch)
    {
        long cap = (long)(capInPatterns * SmallBytes);
        var batches = CutWrites(Enumerable.Range(0, 7).Select(Small), maxRows: 1000, maxBytes: cap).ToList();

        Assert.All(batches.SkipLast(1), b => Assert.Equal(rowsPerBatch, b.Count));
        Assert.Equal(7, batches.Sum(b => b.Count));
    }

    [Fact]
    public void Writers_APatternLargerThanTheCap_ClosesItsBatch_AndGoesAloneWhenItStartsOne()
    {
        long cap = 2 * SmallBytes;
        Assert.True(WriteBatch.SizeOf(Large(0)) > cap);

        Assert.Equal([["p000"], ["p001", "p002"]], Ids(CutWrites([Large(0), Small(1), Small(2)], 1000, cap)));
        Assert.Equal([["p000", "p001"], ["p002"]], Ids(CutWrites([Small(0), Large(1), Small(2)], 1000, cap)));
    }

    [Fact]
    public void Writers_ARejectTakesARowButNoBytes()
    {
        // The importer batches rows; a reject (no pattern) counts against -BatchSize but is not written.
        (string Id, Pattern? Pattern)[] rows = [("r1", null), ("r2", null), ("p1", Small(1)), ("r3", null), ("r4", null), ("r5", null), ("r6", null), ("r7", null)];
        var batcher = WriteBatcher<(string Id, Pattern? Pattern)>.ForWriters(maxRows: 4, maxBytes: SmallBytes);

        var batches = batcher.Cut(rows, row => row.Pattern).Select(b => b.Select(r => r.Id).ToList()).ToList();

        Assert.Equal([["r1", "r2", "p1"], ["r3", "r4", "r5", "r6"], ["r7"]], batches);
    }

    [Theory]
    [InlineData(2.0, 2)]
    [InlineData(2.5, 2)]   // a pattern that would pass the limit starts the next request
    [InlineData(3.0, 3)]
    public void Requests_NeverPassTheirLimit(double capInPatterns, int rowsPerRequest)
    {
        long cap = (long)(capInPatterns * SmallBytes);
        var requests = CutRequests(Enumerable.Range(0, 7).Select(Small), cap).ToList();

        Assert.All(requests.SkipLast(1), r => Assert.Equal(rowsPerRequest, r.Count));
        Assert.All(requests, r => Assert.True(r.Sum(WriteBatch.SizeOf) <= cap));
        Assert.Equal(7, requests.Sum(r => r.Count));
    }

    [Fact]
    public void Requests_APatternLargerThanTheLimit_GoesAlone()
    {
        long cap = 2 * SmallBytes;
        Assert.Equal([["p000"], ["p001"], ["p002", "p003"]], Ids(CutRequests([Small(0), Large(1), Small(2), Small(3)], cap)));
        Assert.Equal([["p000"], ["p001"]], Ids(CutRequests([Large(0), Large(1)], cap)));
    }

    [Fact]
    public void Requests_HaveNoRowLimit() =>
        Assert.Equal([10_000], Sizes(CutRequests(Enumerable.Range(0, 10_000).Select(Small), long.MaxValue)));

    [Fact]
    public void AWritersBatch_IsOneRequestUnderTwiceItsCap()
    {
        // The Milvus store's limit is twice the writers' cap, so the store never splits a writer's batch.
        long cap = 10 * SmallBytes;
        foreach (var batch in CutWrites(Enumerable.Range(0, 95).Select(i => i % 7 == 0 ? Large(i) : Small(i)), 1000, cap))
            Assert.Single(CutRequests(batch, 2 * cap));
    }

    [Fact]
    public void EmptyInput_GivesNoBatches()
    {
        Assert.Empty(CutWrites([], 10, WriteBatch.MaxBytes));
        Assert.Empty(CutRequests([], WriteBatch.MaxBytes));
        Assert.Null(WriteBatcher<Pattern>.ForWriters(10).TakeRest());
    }

    [Fact]
    public void TakeRest_HandsOverTheUnfinishedBatch_AndTheNextStartsEmpty()
    {
        var batcher = WriteBatcher<Pattern>.ForWriters(maxRows: 3);
        Assert.Null(batcher.Add(Small(0), Small(0)));
        Assert.Null(batcher.Add(Small(1), Small(1)));

        Assert.Equal(2, batcher.TakeRest()!.Count);   // Add-Pattern's flush before a bad object
        Assert.Null(batcher.TakeRest());
        Assert.Null(batcher.Add(Small(2), Small(2)));
        Assert.Null(batcher.Add(Small(3), Small(3)));
        Assert.Equal(3, batcher.Add(Small(4), Small(4))!.Count);
    }

    [Fact]
    public void NonPositiveLimits_AreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WriteBatcher<Pattern>.ForWriters(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WriteBatcher<Pattern>.ForRequests(0));
    }
}
