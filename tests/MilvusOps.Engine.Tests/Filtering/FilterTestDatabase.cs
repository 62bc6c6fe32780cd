using MilvusOps.Engine.Filtering;
using Microsoft.Data.Sqlite;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>An in-memory SQLite table shaped like the embedded store's, with varied metadata.</summary>
public sealed class FilterTestDatabase : IDisposable
{
    public static readonly IReadOnlyList<FilterField> Fields =
    [
        new("pattern_id", "pattern_id", FilterFieldKind.VarChar),
        new("pattern_type", "pattern_type", FilterFieldKind.VarChar),
        new("coherence_metrics", "coherence_metrics", FilterFieldKind.Json),
        new("temporal_context", "temporal_context", FilterFieldKind.Json),
        new("vector", "vector", FilterFieldKind.FloatVector),
    ];

    // pattern_id, pattern_type, coherence_metrics, temporal_context (null = SQL NULL)
    private static readonly (string Id, string? Type, string? Metrics, string? Context)[] Rows =
    [
        ("p01", "alpha", """{"q":0.95,"flag":true,"tags":["a","b"],"n":3,"name":"Alpha"}""", """{"a":{"b":1},"arr":[1,2,3]}"""),
        ("p02", "alpha", """{"q":0.5,"flag":false,"tags":["b"],"n":10,"name":"alpha"}""", """{"a":{"b":2},"arr":[]}"""),
        ("p03", "beta", """{"q":1,"n":"3","name":"be*ta"}""", """{"a":{"b":"x"}}"""),
        ("p04", "Beta", """{"q":null,"flag":null}""", """{"arr":[1.5,"1",true]}"""),
        ("p05", "gamma", "{}", null),
        ("p06", "gamma", null, """{"a":null}"""),
        ("p07", "x' OR 1=1 --", """{"q":0.9,"name":"[abc]"}""", "{}"),
        ("p08", "delta", """{"q":"0.99","name":"100%"}""", """{"arr":{"k":1}}"""),
        ("p09", "de_lta", """{"q":0.92,"tags":["a","c"],"name":"50_50"}""", """{"arr":[2,3]}"""),
        ("p10", "with \"quote\"", """{"q":2.5,"name":"it's"}""", """{"a":{"b":3}}"""),
        ("p11", "epsilon", """{"q":0.1,"flag":true,"n":7}""", """{"arr":[[1,2],3]}"""),
        ("p12", "zeta", """{"q":-1,"n":0,"name":"a?b"}""", """{"key\"q":5,"back\\slash":6}"""),
        ("p13", null, """{"q":0.97}""", """{"a":{"b":4}}"""),
        ("p14", "ALPHA", """{"q":0.93,"tags":"a"}""", """{"arr":[1,2,3,4]}"""),
        ("p15", "eta", """{"q":1.0,"nested":{"deep":{"v":7}},"flag":"true"}""", """{"a":{"b":5}}"""),
    ];

    public static IReadOnlyList<string> AllIds { get; } = Rows.Select(r => r.Id).ToArray();

    public FilterTestDatabase()
    {
        Connection = new SqliteConnection("Data Source=:memory:");
        Connection.Open();
        using (SqliteCommand create = Connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE patterns (
                    pattern_id TEXT PRIMARY KEY NOT NULL,
                    pattern_type TEXT,
                    coherence_metrics TEXT,
                    temporal_context TEXT,
                    vector BLOB)
                """;
            create.ExecuteNonQuery();
        }

        foreach (var row in Rows)
        {
            using SqliteCommand insert = Connection.CreateCommand();
            insert.CommandText = "INSERT INTO patterns VALUES ($id, $type, $metrics, $context, zeroblob(8))";
            insert.Parameters.AddWithValue("$id", row.Id);
            insert.Parameters.AddWithValue("$type", (object?)row.Type ?? DBNull.Value);
            insert.Parameters.AddWithValue("$metrics", (object?)row.Metrics ?? DBNull.Value);
            insert.Parameters.AddWithValue("$context", (object?)row.Context ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }
    }

    public SqliteConnection Connection { get; }

    /// <summary>
    /// Runs the filter and returns the matching ids, sorted. The predicate is three-valued, as Milvus's logic is:
    /// 1 (a match), 0, or NULL (unknown, on a row whose field is null), which a WHERE clause treats as 0.
    /// </summary>
    public IReadOnlyList<string> Match(string expression) => Match(FilterExpression.ToSqlite(expression, Fields));

    /// <summary>Runs a parsed filter (with its template values) and returns the matching ids, sorted.</summary>
    public IReadOnlyList<string> Match(ParsedFilter parsed) => Match(parsed.ToSqlite());

    private IReadOnlyList<string> Match(SqlFilter? filter)
    {
        Assert.NotNull(filter);
        using SqliteCommand command = Connection.CreateCommand();
        command.CommandText = $"SELECT pattern_id, ({filter.Sql}) FROM patterns ORDER BY pattern_id";
        foreach (KeyValuePair<string, object?> parameter in filter.Parameters)
        {
            command.Parameters.AddWithValue(parameter.Key, parameter.Value ?? DBNull.Value);
        }

        var matches = new List<string>();
        using SqliteDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            string id = reader.GetString(0);
            if (reader.IsDBNull(1))
            {
                continue;
            }

            long value = reader.GetInt64(1);
            Assert.True(value is 0 or 1, $"The predicate is {value} for {id}: {filter.Sql}");
            if (value == 1)
            {
                matches.Add(id);
            }
        }

        return matches;
    }

    public void Dispose() => Connection.Dispose();
}
