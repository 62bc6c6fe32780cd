using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Backends.Embedded;

// Reads by time (PatternTime): an index on the key's value in temporal_context, made at the first read by that key, serves
// the text range a read narrows to. SQLite compares text byte by byte, as Milvus compares strings.
public sealed partial class EmbeddedStore
{
    public IEnumerable<Pattern> QueryTimeText(string collection, string timeKey, string? from, string? to, PatternFilter? filter,
        Action<string>? explain = null, CancellationToken cancellation = default)
    {
        var where = Translate(filter);
        // The key is inlined, not bound, so that the expression is the index's: CheckKey allows only a plain name.
        string value = $"json_extract(temporal_context, '$.{PatternTime.CheckKey(timeKey)}')";
        var entry = Run(connection => RequireCollection(connection, collection, null), cancellation);
        IndexTime(entry, timeKey, value, explain, cancellation);
        var parameters = new List<KeyValuePair<string, object?>>(where?.Parameters ?? []);
        var conditions = new List<string> { $"{value} IS NOT NULL" };
        if (from is not null) { conditions.Add($"{value} >= @time_from"); parameters.Add(new("@time_from", from)); }
        if (to is not null) { conditions.Add($"{value} < @time_to"); parameters.Add(new("@time_to", to)); }
        if (where is not null) conditions.Add($"({where.Sql})");
        return QueryRows(entry.Spec.Name, new SqlFilter(string.Join(" AND ", conditions), parameters), null, 0, PatternColumns, cancellation);
    }

    /// <summary>Indexes the key's value, once; a store this process cannot write to now (read-only, or another writer holds
    /// it past the lock timeout) is read without the index.</summary>
    private void IndexTime(CatalogEntry entry, string timeKey, string value, Action<string>? explain, CancellationToken cancellation)
    {
        // SQLite names ignore case and JSON keys do not: the name carries a hash of the key.
        string name = $"c_{entry.Id}_time_{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(timeKey)))[..16].ToLowerInvariant()}";
        bool made;
        try
        {
            made = Run(connection =>
            {
                if (connection.ExecuteScalarLong($"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = '{name}'", null) > 0) return false;
                using var tx = connection.BeginTransaction();
                connection.Execute($"CREATE INDEX IF NOT EXISTS \"{name}\" ON {TableName(entry.Id)}({value})", tx);
                tx.Commit();
                return true;
            }, cancellation);
        }
        catch (MilvusOpsException ex) when (ex.ErrorId is "StoreReadOnly" or "StoreLocked")
        {
            explain?.Invoke($"temporal_context.{timeKey} of '{entry.Spec.Name}' could not be indexed now ({ex.ErrorId}): read by a scan.");
            return;
        }
        if (made) explain?.Invoke($"Indexed temporal_context.{timeKey} of '{entry.Spec.Name}' for reads by time.");
    }
}
