using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources;

namespace MilvusOps.Engine.Pipelines.Verification;

/// <summary>
/// Proves a migration or a restore preserved its source (a legacy file, an export set): the collection holds exactly
/// the patterns the import would write (same count, same ids), every vector bit-identical, metadata equal as JSON
/// values. Source rows the import rejects are left out, and counted in the message. It reads the source in batches and
/// looks each batch up by id, so memory stays flat. The caller opens the source first, so a missing or unreadable
/// source fails before the other checks scan the collection; the check owns it from then on.
/// </summary>
public sealed class FidelityCheck : IDisposable
{
    private const int LookupBatch = 1000;
    private readonly PatternSession _session;
    private readonly string _collection;
    private readonly PatternCollection _target;
    private readonly IPatternSource _source;
    private readonly bool _everyRow;
    private readonly bool _wholeCollection;

    private FidelityCheck(PatternSession session, string collection, PatternCollection target, IPatternSource source, bool everyRow, bool wholeCollection)
    {
        _wholeCollection = wholeCollection;
        _session = session;
        _collection = collection;
        _target = target;
        _source = source;
        _everyRow = everyRow;
    }

    /// <summary>A check of <paramref name="collection"/> against a source that <paramref name="openSource"/> opens with the
    /// collection's dimension (for a source that cannot infer one). With <paramref name="everyRow"/> (a copy, a restore, a
    /// bulk import: sources of patterns already checked once), a source row the collection could not take is a
    /// difference, not a row left out. Without <paramref name="wholeCollection"/> (a set appended to a collection that held
    /// other patterns), the collection's count is not compared.</summary>
    /// <exception cref="MilvusOpsException">CollectionNotFound, and the errors of opening the source.</exception>
    public static FidelityCheck Open(PatternSession session, string collection, Func<int, IPatternSource> openSource, bool everyRow = false, bool wholeCollection = true)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(openSource);
        var target = session.Describe(collection);
        return new FidelityCheck(session, collection, target, openSource(target.Dimension), everyRow, wholeCollection);
    }

    public void Dispose() => _source.Dispose();

    public CoherenceCheckResult Run(int maxViolations = 100)
    {
        var duplicates = new Migration.DuplicateTracker(_source, resumeAfterRow: 0);
        var log = new ViolationLog(maxViolations);
        long expected = 0, excluded = 0, matched = 0;
        var refused = new System.Collections.Concurrent.ConcurrentQueue<(string Id, string Detail)>();   // read on the worker, logged here
        // A worker reads and decodes the source while this thread looks up and compares the previous batch.
        var importable = _source.Read().Where(record =>
        {
            if (WouldBeWritten(record, _target, duplicates, out string? why)) return true;
            if (_everyRow) refused.Enqueue((record.PatternId ?? $"row {record.SourceRow}", $"source row {record.SourceRow} cannot be in {_collection}: {why}"));
            else Interlocked.Increment(ref excluded);
            return false;
        }).Select(record => record.Pattern!);
        foreach (var batch in Migration.BackgroundBatches.Read(importable.Chunk(LookupBatch)))
        {
            _session.Cancellation.ThrowIfCancellationRequested();
            expected += batch.Length;
            matched += Compare(_session, _collection, batch, log);
        }
        foreach (var (id, detail) in refused) log.Add(id, "row", null, detail);
        long actualCount = _session.Count(_collection);
        if (_wholeCollection && actualCount != expected)
            log.Add("*", "count", actualCount,
                $"collection holds {actualCount} patterns; the source has {expected} importable rows");
        return CoherenceVerifier.Result("Fidelity", _collection, expected, log,
            $"{expected} patterns from {_source.Path}, bit-identical",
            $"{actualCount} patterns, {matched} identical",
            log.Count == 0
                ? $"All {expected} {(_everyRow ? "" : "importable ")}source rows are in {_collection}, bit-identical{LeftOut(excluded)}."
                : $"{log.Count} differences between {_collection} and {_source.Path}{LeftOut(excluded)}.");
    }

    private string LeftOut(long excluded) => _everyRow ? "" : $" ({excluded} source rows are not importable and were left out)";

    /// <summary>The rows an import writes: readable, first of their id, and within the target's limits.</summary>
    private static bool WouldBeWritten(SourceRecord record, PatternCollection target, Migration.DuplicateTracker duplicates, out string? why)
    {
        why = null;
        if (record.Pattern is not { } pattern)
        {
            why = "it cannot be read";
            return false;
        }
        if (duplicates.FirstRow(pattern.PatternId, record.SourceRow) is { } first)
        {
            why = $"its id first appears at source row {first}";
            return false;
        }
        try
        {
            PatternValidator.CheckLimits(pattern, target);   // the reader already checked the vector and the JSON
            return true;
        }
        catch (MilvusOpsException ex)
        {
            why = ex.Message;
            return false;
        }
    }

    private static long Compare(PatternSession session, string collection, IReadOnlyList<Pattern> expected, ViolationLog log)
    {
        if (expected.Count == 0) return 0;
        var stored = session.Get(collection, expected.Select(p => p.PatternId).ToList()).ToDictionary(p => p.PatternId, StringComparer.Ordinal);
        long identical = 0;
        foreach (var source in expected)
        {
            if (!stored.TryGetValue(source.PatternId, out var actual))
            {
                log.Add(source.PatternId, "pattern_id", null, $"{source.PatternId} (source row {source.SourceRow}) is missing from the collection");
                continue;
            }
            long before = log.Count;
            if (FirstBitDifference(source.Vector.Values, actual.Vector.Values) is int i)
                log.Add(source.PatternId, $"vector[{i}]", actual.Vector.Values.Length > i ? actual.Vector.Values[i] : null,
                    $"vector differs at [{i}]: source {Describe(source.Vector.Values, i)}, collection {Describe(actual.Vector.Values, i)}");
            if (!string.Equals(source.PatternType, actual.PatternType, StringComparison.Ordinal))
                log.Add(source.PatternId, PatternSchema.PatternType, actual.PatternType, $"pattern_type is '{actual.PatternType}', source has '{source.PatternType}'");
            CompareJson(source.PatternId, PatternSchema.CoherenceMetrics, source.CoherenceMetricsJson, actual.CoherenceMetricsJson, log);
            CompareJson(source.PatternId, PatternSchema.TemporalContext, source.TemporalContextJson, actual.TemporalContextJson, log);
            if (log.Count == before) identical++;
        }
        return identical;
    }

    /// <summary>Equal as JSON values; identical text (the usual case after a migration) needs no parsing.</summary>
    private static void CompareJson(string id, string field, string? source, string? actual, ViolationLog log)
    {
        if (string.Equals(source, actual, StringComparison.Ordinal)) return;
        string expected = Metadata.Canonical(Metadata.Parse(source)), found = Metadata.Canonical(Metadata.Parse(actual));
        if (expected != found) log.Add(id, field, found, $"{field} is {Shown(found)}, source has {Shown(expected)}");
    }

    private static string Shown(string canonical) => canonical.Length == 0 ? "empty" : canonical.Length > 200 ? canonical[..200] + "…" : canonical;

    private static int? FirstBitDifference(float[] source, float[] actual)
    {
        int length = Math.Min(source.Length, actual.Length);
        for (int i = 0; i < length; i++)
        {
            if (BitConverter.SingleToInt32Bits(source[i]) != BitConverter.SingleToInt32Bits(actual[i])) return i;
        }
        return source.Length == actual.Length ? null : length;
    }

    private static string Describe(float[] vector, int i) =>
        i < vector.Length ? $"{vector[i]:R} (0x{BitConverter.SingleToInt32Bits(vector[i]):X8})" : $"no element (length {vector.Length})";
}
