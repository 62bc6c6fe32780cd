using MilvusOps.Engine.Filtering;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Backends.Milvus;

// Reads by time (PatternTime): a filter on the key's value in temporal_context, which Milvus compares as text, byte by byte.
// From 2.6 a JSON path index on the key serves that filter; the first read by a key makes it, as the embedded store does.
public sealed partial class MilvusStore
{
    /// <summary>The JSON path index a read by time makes: INVERTED, with the value cast to text (the times are ISO-8601 text).</summary>
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
        IndexTime(info, timeKey, path, explain, cancellation);
        explain?.Invoke($"Filtered '{info.Name}' by {range}.");
        return Iterate(info.Name, info.Mapping, parsed, null, 0, info.Mapping.ReadFields, Math.Min(PageRows(info.Dimension), MaxPageRows), cancellation, range);
    }

    /// <summary>The key's JSON path, as filters and JSON path indexes write it.</summary>
    private static string TimePath(string timeKey) =>
        $"{PatternSchema.TemporalContext}[{FilterExpression.FormatString(PatternTime.CheckKey(timeKey))}]";

    /// <summary>
    /// Makes a JSON path index on the key where none serves it: on Milvus 2.6 and later, in a collection with the pattern
    /// schema (another tool's collection is not changed). Milvus builds it in the background and filters through it once
    /// built; until then, and where it cannot be made, the filter reads every row, with the same answer.
    /// </summary>
    private void IndexTime(CollectionInfo info, string timeKey, string path, Action<string>? explain, CancellationToken cancellation)
    {
        var version = MilvusVersion.Parse(ServerVersion);
        if (version is null || version.IsBefore(2, 6, 0))
        {
            explain?.Invoke(version is null
                ? $"MilvusOps cannot read the version Milvus reports ('{ServerVersion}'), so it makes no JSON path index: the filter on {path} reads every row of '{info.Name}'."
                : $"Milvus {ServerVersion} has no JSON path index: the filter on {path} reads every row of '{info.Name}'.");
            return;
        }
        if (!info.Mapping.MetadataFields.Contains(PatternSchema.TemporalContext)) return;   // nothing to index: the filter says so
        var existing = IndexDescriptions(info.Name, PatternSchema.TemporalContext, cancellation)
            .Select(index => (index.IndexName, Path: IndexParameter(index, "json_path"), Cast: IndexParameter(index, "json_cast_type")))
            .FirstOrDefault(index => index.Path is not null && SameJsonPath(index.Path, path));
        if (existing.IndexName is not null)
        {
            explain?.Invoke(string.Equals(existing.Cast, TimeIndexCast, StringComparison.OrdinalIgnoreCase)
                ? $"The JSON path index '{existing.IndexName}' serves the filter on {path}."
                : $"The JSON path index '{existing.IndexName}' on {path} casts to {existing.Cast}, not text, so it cannot serve a range of times; Milvus allows one index a path, so MilvusOps makes none.");
            return;
        }
        if (!info.Mapping.IsPatternSchema)
        {
            explain?.Invoke($"'{info.Name}' does not have the pattern schema, so MilvusOps does not index it: the filter on {path} reads every row.");
            return;
        }
        string name = "time_" + timeKey;   // a plain name (PatternTime.CheckKey), so a valid index name
        var request = new Rpc.CreateIndexRequest { DbName = Db, CollectionName = info.Name, FieldName = PatternSchema.TemporalContext, IndexName = name };
        request.ExtraParams.Add(Kv("index_type", TimeIndexType));
        request.ExtraParams.Add(Kv("params", Metadata.Serialize(new Dictionary<string, object?> { ["json_path"] = path, ["json_cast_type"] = TimeIndexCast })));
        try
        {
            Guard(info.Name, () => _rpc.Call("CreateIndex", info.Name, cancellation, (c, o) => c.CreateIndex(request, o)));
        }
        catch (MilvusOpsException ex) when (ex.ErrorId != "CollectionNotFound")
        {
            // Read-only credentials, a server that refuses it now: the read goes on, unindexed, as the embedded store's does.
            explain?.Invoke($"{path} of '{info.Name}' could not be indexed now ({ex.Message}): the filter reads every row.");
            return;
        }
        explain?.Invoke($"Indexed {path} of '{info.Name}' (JSON path index '{name}'); Milvus builds it in the background and filters through it once built.");
    }

    /// <summary>An index parameter, sent flat or inside the <c>params</c> JSON (Milvus returns them as they were sent).</summary>
    private static string? IndexParameter(Rpc.IndexDescription index, string key)
    {
        foreach (var kv in index.Params)
        {
            if (kv.Key == key) return kv.Value;
            if (kv.Key == "params" && ParamsJson(kv.Value) is { } nested && nested.TryGetValue(key, out var value)) return value?.ToString();
        }
        return null;

        static MetadataDictionary? ParamsJson(string json)
        {
            try { return Metadata.Parse(json); }
            catch (System.Text.Json.JsonException) { return null; }   // another tool's index: not ours to judge
        }
    }

    /// <summary>JSON paths compare without their spacing and quote style: <c>tc['k']</c> is <c>tc["k"]</c>.</summary>
    private static bool SameJsonPath(string a, string b)
    {
        static string Plain(string path) => new(path.Where(ch => !char.IsWhiteSpace(ch)).Select(ch => ch == '\'' ? '"' : ch).ToArray());
        return Plain(a) == Plain(b);
    }
}
