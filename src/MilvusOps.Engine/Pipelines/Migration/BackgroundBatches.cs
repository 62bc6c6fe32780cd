using System.Collections.Concurrent;

namespace MilvusOps.Engine.Pipelines.Migration;

/// <summary>
/// Runs an enumeration of batches (reading, checking and cutting source rows) on a worker thread and
/// hands the batches to the caller, so the caller writes or compares one batch while the next is being
/// read. At most two batches wait; an exception on the worker surfaces in the caller; stopping early
/// (break, or an exception in the caller) stops the worker.
/// </summary>
internal static class BackgroundBatches
{
    public static IEnumerable<TBatch> Read<TBatch>(IEnumerable<TBatch> batches)
    {
        using var queue = new BlockingCollection<TBatch>(boundedCapacity: 2);
        using var stop = new CancellationTokenSource();
        var worker = Task.Run(() =>
        {
            try
            {
                foreach (var batch in batches) queue.Add(batch, stop.Token);
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
