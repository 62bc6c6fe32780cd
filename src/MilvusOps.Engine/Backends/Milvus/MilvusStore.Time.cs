using MilvusOps.Engine.Filtering;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

// Reads by time (PatternTime): a filter on the key's value in temporal_context, which Milvus compares as text, byte by byte.
// A JSON path index on the key serves that filter. Reads never make one: building it takes the cluster's resources, so an
// operator makes it (New-MilvusIndex -TimeKey), on Milvus 2.6 and later.
public sealed partial class MilvusStore
{
    /// <summary>The JSON path index New-MilvusIndex -TimeKey builds: INVERTED, the value cast to text (times are ISO-8601 text).</summary>
    internal const string TimeIndexType = "INVERTED", TimeIndexCast = "VARCHAR";

    public IEnumerable<Pattern> QueryTimeText(string collection, string timeKey, string? from, string? to, PatternFilter? filter,
        Action<string>? explain = null, CancellationToken cancellation = default)
    {
        var parsed = ParseFilter(filter);
        var info = Info(collection, cancellation);
        info.Mapping.RequireReadable(info.Name);
        string path = TimePath(timeKey);
        string range = string.Join(" and ", new[]
        {
            from is null ? null : $"{path} >= {FilterExpression.FormatString(from)}",
            to is null ? null : $"{path} < {FilterExpression.FormatString(to)}",
        }.OfType<string>().DefaultIfEmpty($"exists {path}"));
        if (explain is not null) explain($"Filtered '{info.Name}' by {range}. {TimeIndexNote(info, timeKey, path, cancellation)}");
        return Iterate(info.Name, info.Mapping, parsed, null, 0, info.Mapping.ReadFields, Math.Min(PageRows(info.Dimension), MaxPageRows), cancellation, range);
    }

    public void CreateTimeIndex(string collection, string timeKey, string indexName, CancellationToken cancellation)
    {
        var info = Info(collection, cancellation);
        if (!info.Mapping.MetadataFields.Contains(PatternSchema.TemporalContext))
            throw new MilvusOpsException("CollectionSchemaNotSupported", ErrorKind.InvalidOperation,
                $"Collection '{info.Name}' has no JSON field '{PatternSchema.TemporalContext}' to index.", info.Name);
        if (!TakesJsonPathIndexes)
            throw new MilvusOpsException("NotSupportedByServerVersion", ErrorKind.NotImplemented,
                $"MilvusOps builds JSON path indexes on Milvus 2.6 and later; this server is {ServerVersion}. Reads by time filter every row until then.", info.Name);
        string path = TimePath(timeKey);
        if (TimeIndexOn(info.Name, path, cancellation) is { } existing)
        {
            if (existing.IndexName == indexName && existing.ServesTime) return;   // as Milvus takes the same index again
            throw new MilvusOpsException("JsonPathIndexExists", ErrorKind.ResourceExists,
                $"Index '{existing.IndexName}' of '{info.Name}' is on {path} already (cast to {existing.Cast ?? "no type"}), and Milvus takes one index a path. " +
                $"{(existing.ServesTime ? "It serves reads by time as it is." : "Drop it first with Remove-MilvusIndex to index the path as text.")}", indexName);
        }
        var request = new Rpc.CreateIndexRequest { DbName = Db, CollectionName = info.Name, FieldName = PatternSchema.TemporalContext, IndexName = indexName };
        request.ExtraParams.Add(Kv("index_type", TimeIndexType));
        request.ExtraParams.Add(Kv("params", Metadata.Serialize(new Dictionary<string, object?> { ["json_path"] = path, ["json_cast_type"] = TimeIndexCast })));
        Guard(info.Name, () => _rpc.Call("CreateIndex", info.Name, cancellation, (c, o) => c.CreateIndex(request, o)));
    }

    /// <summary>The key's JSON path, as filters and JSON path indexes write it.</summary>
    private static string TimePath(string timeKey) =>
        $"{PatternSchema.TemporalContext}[{FilterExpression.FormatString(PatternTime.CheckKey(timeKey))}]";

    /// <summary>Milvus 2.6 is the first line whose JSON path index MilvusOps builds (2.5's took its cast type in another form).</summary>
    private bool TakesJsonPathIndexes => MilvusVersion.Parse(ServerVersion) is { } version && !version.IsBefore(2, 6, 0);

    /// <summary>What a read by time says of the index on its key, for -Verbose.</summary>
    private string TimeIndexNote(CollectionInfo info, string timeKey, string path, CancellationToken cancellation)
    {
        if (!info.Mapping.MetadataFields.Contains(PatternSchema.TemporalContext)) return "";
        TimeIndex? found;
        try
        {
            found = TimeIndexOn(info.Name, path, cancellation);
        }
        catch (MilvusOpsException ex)   // a note must not fail the read (Ctrl+C is no MilvusOpsException, and still stops it)
        {
            return $"Whether an index serves it is unknown: its indexes could not be read ({ex.ErrorId}).";
        }
        return found switch
        {
            { ServesTime: true, State: "Finished" } index => $"The JSON path index '{index.IndexName}' serves it.",
            { ServesTime: true, State: "Failed" } index => $"The JSON path index '{index.IndexName}' failed to build, so the filter reads every row: drop it with Remove-MilvusIndex and build it again.",
            { ServesTime: true } index => $"The JSON path index '{index.IndexName}' will serve it once built ({index.State}); until then the filter reads every row.",
            { } index => $"The JSON path index '{index.IndexName}' on {path} casts to {index.Cast ?? "no type"}, not text, so the filter reads every row.",
            null when TakesJsonPathIndexes => $"No JSON path index serves it, so the filter reads every row: New-MilvusIndex {info.Name} -TimeKey {timeKey} builds one.",
            null => $"No JSON path index serves it, so the filter reads every row (MilvusOps builds them on Milvus 2.6 and later; this server is {ServerVersion}).",
        };
    }

    private sealed record TimeIndex(string IndexName, string? Cast, string State)
    {
        public bool ServesTime => string.Equals(Cast, TimeIndexCast, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The JSON path index on the path, if any (Milvus takes one a path).</summary>
    private TimeIndex? TimeIndexOn(string collection, string path, CancellationToken cancellation) =>
        IndexDescriptions(collection, PatternSchema.TemporalContext, cancellation)
            .Select(index => (Index: index, Parameters: ReadIndexParams(index).Parameters))
            .Where(x => x.Parameters?.GetValueOrDefault("json_path") is string indexed && SameJsonPath(indexed, path))
            .Select(x => new TimeIndex(x.Index.IndexName, x.Parameters!.GetValueOrDefault("json_cast_type")?.ToString(), x.Index.State.ToString()))
            .FirstOrDefault();

    /// <summary>JSON paths compare without their spacing and quote style: <c>tc['k']</c> is <c>tc["k"]</c>.</summary>
    private static bool SameJsonPath(string a, string b)
    {
        static string Plain(string path) => new(path.Where(ch => !char.IsWhiteSpace(ch)).Select(ch => ch == '\'' ? '"' : ch).ToArray());
        return Plain(a) == Plain(b);
    }
}
