using System.Collections.Concurrent;

namespace MilvusOps.Engine.Migration;

/// <summary>
/// Runs an enumeration (reading and checking source rows) on a worker thread and hands it to the
/// caller in batches, so the caller writes or compares one batch while the next is being read. At most
/// two batches wait; an exception on the worker surfaces in the caller; stopping early (break, or an
/// exception in the caller) stops the worker.
/// </summary>
internal static class BackgroundBatches
{
    /// <param name="isFull">Whether a batch is complete once it holds its latest item.</param>
    public static IEnumerable<List<T>> Read<T>(IEnumerable<T> items, Func<List<T>, bool> isFull)
    {
        using var queue = new BlockingCollection<List<T>>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        var worker = Task.Run(() =>
        {
            try
            {
                var batch = new List<T>();
                foreach (var item in items)
                {
                    batch.Add(item);
                    if (!isFull(batch)) continue;
                    queue.Add(batch, stop.Token);
                    batch = [];
                }
                if (batch.Count > 0) queue.Add(batch, stop.Token);
            }
            finally
            {
                queue.CompleteAdding();
            }
        });
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable()) yield return batch;
        }
        finally
        {
            stop.Cancel();
            try
            {
                worker.Wait();
            }
            catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OperationCanceledException))
            {
            }
            catch (AggregateException ex) when (ex.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(ex.InnerException);
            }
        }
    }
}
