namespace MilvusOps.Model;

/// <summary>
/// Every wait for work a store does in the background (load, flush, index build, compaction) goes through here:
/// backoff from 100 ms to 2 s, a limit, and Ctrl+C within a moment.
/// </summary>
public static class Poll
{
    public static void Until(Func<bool> done, TimeSpan limit, Func<MilvusOpsException> timedOut, CancellationToken cancellation)
    {
        var deadline = DateTime.UtcNow + limit;
        var pause = TimeSpan.FromMilliseconds(100);
        while (!done())
        {
            if (DateTime.UtcNow + pause > deadline)
                throw timedOut();
            cancellation.WaitHandle.WaitOne(pause);
            cancellation.ThrowIfCancellationRequested();
            pause = TimeSpan.FromMilliseconds(Math.Min(2000, pause.TotalMilliseconds * 2));
        }
    }
}
