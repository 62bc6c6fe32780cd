using System.Reflection;
using System.Text.Json;
using MilvusOps.Engine.Filtering;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>
/// Milvus's own filter-expression cases (Filtering/Corpus, see its README): every parse and template verdict must agree
/// with Milvus for each line it is recorded for, in that line's <see cref="FilterDialect"/> (as a Milvus store checks a
/// filter for its server); every evaluation result for 2.5 must agree on the embedded store, which follows 2.5.
/// Evaluations recorded only for 2.6 or 3.0 are not run: a Milvus server evaluates its own filters.
/// </summary>
public sealed class FilterCorpusTests
{
    private const string EmbeddedLine = "2.5";

    private static readonly IReadOnlyList<FilterField> Fields = FilterExpression.PatternFields;

    private static string CorpusDirectory => Path.Combine(AppContext.BaseDirectory, "Filtering", "Corpus");

    private static readonly Lazy<IReadOnlyList<JsonElement>> ParseCases = new(() => ReadLines("parse.jsonl"));
    private static readonly Lazy<IReadOnlyList<JsonElement>> TemplateCases = new(() => ReadLines("template.jsonl"));
    private static readonly Lazy<IReadOnlyList<JsonElement>> EvalCases = new(() => ReadLines("eval.jsonl"));
    private static readonly Lazy<JsonElement> RowSets = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(CorpusDirectory, "rows.json"))).RootElement);

    private static IReadOnlyList<JsonElement> ReadLines(string file) =>
        File.ReadAllLines(Path.Combine(CorpusDirectory, file))
            .Select(line => string.IsNullOrWhiteSpace(line) ? default : JsonDocument.Parse(line).RootElement)
            .ToArray();

    private static IEnumerable<string> Versions(JsonElement c) => c.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!);

    /// <summary>
    /// Theory rows, one per case and server line it is recorded for (or only for <paramref name="onlyLine"/>); a row
    /// shows as the line, the expression and what Milvus does with it.
    /// </summary>
    private static TheoryData<CorpusCase> Rows(string file, IReadOnlyList<JsonElement> cases, Func<JsonElement, string> expected, string? onlyLine = null)
    {
        var data = new TheoryData<CorpusCase>();
        for (int i = 0; i < cases.Count; i++)
        {
            if (cases[i].ValueKind != JsonValueKind.Object) continue;
            foreach (string line in Versions(cases[i]).Where(v => onlyLine is null || v == onlyLine))
            {
                data.Add(new CorpusCase(file, i + 1, line, cases[i].GetProperty("expr").GetString()!, expected(cases[i])));
            }
        }

        return data;
    }

    /// <summary>The dialect a Milvus store speaks to a server of this line.</summary>
    private static FilterDialect DialectOf(CorpusCase corpusCase)
    {
        FilterDialect dialect = FilterDialect.Of(corpusCase.Version);
        Assert.Equal(corpusCase.Version, dialect.Line);
        return dialect;
    }

    private static string Verdict(JsonElement c) => c.GetProperty("valid").GetBoolean() ? "accepted" : "rejected";

    public static TheoryData<CorpusCase> ParseData => Rows("parse.jsonl", ParseCases.Value, Verdict);

    public static TheoryData<CorpusCase> TemplateData =>
        Rows("template.jsonl", TemplateCases.Value, c => $"{Verdict(c)} with {c.GetProperty("params").GetRawText()}");

    public static TheoryData<CorpusCase> EvalData =>
        Rows("eval.jsonl", EvalCases.Value, c => $"{c.GetProperty("rows").GetString()} -> [{string.Join(",", Expect(c))}]", EmbeddedLine);

    private static string[] Expect(JsonElement c) =>
        c.GetProperty("expect").EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray();

    private static string Describe(JsonElement c)
    {
        JsonElement source = c.GetProperty("source");
        string text = $"{source.GetProperty("path").GetString()} {source.GetProperty("test").GetString()} @ {source.GetProperty("commit").GetString()![..10]}";
        if (c.TryGetProperty("original", out JsonElement original))
        {
            text += $"; Milvus's text: {original.GetString()}";
        }

        if (c.TryGetProperty("note", out JsonElement note))
        {
            text += $"; {note.GetString()}";
        }

        return text;
    }

    /// <summary>
    /// Filters Milvus's parser accepts and MilvusOps refuses on purpose (the README's filter section lists them). An octal
    /// escape is one byte, and these bytes are no UTF-8: Milvus's parser takes them, but the plan it builds cannot be
    /// marshalled (proto3 strings must be UTF-8), so the query fails there; MilvusOps refuses them up front
    /// (FilterInvalidLiteral). Escapes that form UTF-8, such as "\303\267" (÷), work.
    /// </summary>
    private static readonly Dictionary<string, string> DeliberateDifferences = new(StringComparer.Ordinal)
    {
        ["coherence_metrics[\"A\"] == \"\\367\" || coherence_metrics[\"B\"] == '\\367'"] = "octal escape that is no UTF-8",
        ["coherence_metrics[\"A\"] == \"\\3678\" || coherence_metrics[\"B\"] == '\\3678'"] = "octal escape that is no UTF-8",
        ["coherence_metrics[\"str4\"] like \"abc\\367-%\""] = "octal escape that is no UTF-8",
    };

    [Theory]
    [MemberData(nameof(ParseData))]
    public void Parse(CorpusCase corpusCase)
    {
        JsonElement c = ParseCases.Value[corpusCase.Line - 1];
        string expression = corpusCase.Expression;
        FilterDialect dialect = DialectOf(corpusCase);
        Exception? error = Record.Exception(() => ParsedFilter.Parse(expression, Fields, null, dialect));
        if (DeliberateDifferences.TryGetValue(expression, out string? why))
        {
            // Listed in the README; the test fails once MilvusOps agrees, so the list cannot go stale.
            Assert.True(c.GetProperty("valid").GetBoolean() && error is MilvusOpsException, $"No longer a difference ({why}): drop it from the list.");
            return;
        }

        if (c.GetProperty("valid").GetBoolean())
        {
            Assert.True(error is null, $"Milvus accepts this filter ({Describe(c)}), but: {error?.GetType().Name}: {error?.Message}");
        }
        else
        {
            Assert.True(error is MilvusOpsException,
                error is null
                    ? $"Milvus rejects this filter ({Describe(c)}), but it was accepted."
                    : $"Milvus rejects this filter ({Describe(c)}); expected a MilvusOpsException, got {error.GetType().Name}: {error.Message}");
        }
    }

    [Theory]
    [MemberData(nameof(TemplateData))]
    public void Template(CorpusCase corpusCase)
    {
        JsonElement c = TemplateCases.Value[corpusCase.Line - 1];
        string expression = corpusCase.Expression;
        string parametersText = c.GetProperty("params").GetRawText();
        var parameters = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (JsonProperty p in c.GetProperty("params").EnumerateObject())
        {
            parameters[p.Name] = ToValue(p.Value);
        }

        Exception? error = Record.Exception(() => ParsedFilter.Parse(expression, Fields, parameters, DialectOf(corpusCase)));
        if (c.GetProperty("valid").GetBoolean())
        {
            Assert.True(error is null, $"Milvus accepts this template with {parametersText} ({Describe(c)}), but: {error?.GetType().Name}: {error?.Message}");
        }
        else
        {
            Assert.True(error is MilvusOpsException,
                error is null
                    ? $"Milvus rejects this template with {parametersText} ({Describe(c)}), but it was accepted."
                    : $"Milvus rejects this template ({Describe(c)}); expected a MilvusOpsException, got {error.GetType().Name}: {error.Message}");
        }
    }

    /// <summary>A template value as a script would pass it: long, double, string, bool, null, or an object?[] list.</summary>
    private static object? ToValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.GetRawText().AsSpan().IndexOfAny(".eE") < 0 && value.TryGetInt64(out long l) => l,
        JsonValueKind.Number => value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(ToValue).ToArray(),
        _ => throw new InvalidDataException($"Unsupported template value: {value.GetRawText()}"),
    };

    [Theory]
    [MemberData(nameof(EvalData))]
    public void Evaluate(CorpusCase corpusCase)
    {
        JsonElement c = EvalCases.Value[corpusCase.Line - 1];
        string expression = corpusCase.Expression;
        using SqliteConnection connection = CreateTable(RowSets.Value.GetProperty(c.GetProperty("rows").GetString()!));

        SqlFilter? filter = null;
        Exception? error = Record.Exception(() => filter = FilterExpression.ToSqlite(expression, Fields));
        Assert.True(error is null, $"Milvus evaluates this filter ({Describe(c)}), but: {error?.GetType().Name}: {error?.Message}");
        Assert.NotNull(filter);

        var matched = new List<string>();
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT pattern_id FROM patterns WHERE ({filter!.Sql}) ORDER BY pattern_id";
            foreach (KeyValuePair<string, object?> parameter in filter.Parameters)
            {
                command.Parameters.AddWithValue(parameter.Key, parameter.Value ?? DBNull.Value);
            }

            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                matched.Add(reader.GetString(0));
            }
        }

        string[] expect = Expect(c);
        Assert.True(expect.SequenceEqual(matched.Order(StringComparer.Ordinal)),
            $"expected [{string.Join(",", expect)}], matched [{string.Join(",", matched)}] ({Describe(c)})");
    }

    /// <summary>An in-memory table shaped like the embedded store's collection table, filled with one row set of rows.json.</summary>
    private static SqliteConnection CreateTable(JsonElement rows)
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using (SqliteCommand create = connection.CreateCommand())
        {
            create.CommandText = """
                CREATE TABLE patterns (
                    pattern_id TEXT PRIMARY KEY NOT NULL,
                    vector BLOB NOT NULL,
                    pattern_type TEXT,
                    coherence_metrics TEXT,
                    temporal_context TEXT)
                """;
            create.ExecuteNonQuery();
        }

        foreach (JsonElement row in rows.EnumerateArray())
        {
            using SqliteCommand insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO patterns VALUES ($id, zeroblob(8), $type, $metrics, $context)";
            insert.Parameters.AddWithValue("$id", row.GetProperty("pattern_id").GetString());
            JsonElement type = row.GetProperty("pattern_type");
            insert.Parameters.AddWithValue("$type", type.ValueKind == JsonValueKind.Null ? DBNull.Value : type.GetString());
            insert.Parameters.AddWithValue("$metrics", JsonColumn(row, "coherence_metrics"));
            insert.Parameters.AddWithValue("$context", JsonColumn(row, "temporal_context"));
            insert.ExecuteNonQuery();
        }

        return connection;
    }

    /// <summary>The stored text of a JSON column: SQL NULL for null, the exact document text when json_text gives one.</summary>
    private static object JsonColumn(JsonElement row, string column)
    {
        if (row.TryGetProperty("json_text", out JsonElement texts) && texts.TryGetProperty(column, out JsonElement text))
        {
            return text.GetString()!;
        }

        JsonElement value = row.GetProperty(column);
        return value.ValueKind == JsonValueKind.Null ? DBNull.Value : value.GetRawText();
    }

    [Fact]
    public void TheCorpusIsWellFormed()
    {
        var commit = new System.Text.RegularExpressions.Regex("^[0-9a-f]{40}$");
        string[] lines = ["2.5", "2.6", "3.0"];
        foreach ((string file, IReadOnlyList<JsonElement> cases) in new[] { ("parse.jsonl", ParseCases.Value), ("template.jsonl", TemplateCases.Value), ("eval.jsonl", EvalCases.Value) })
        {
            Assert.NotEmpty(cases);
            for (int i = 0; i < cases.Count; i++)
            {
                JsonElement c = cases[i];
                string where = $"{file}:{i + 1}";
                Assert.True(c.ValueKind == JsonValueKind.Object, $"{where}: not a case");
                Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("expr").GetString()), where);
                string[] versions = c.GetProperty("versions").EnumerateArray().Select(v => v.GetString()!).ToArray();
                Assert.True(versions.Length > 0 && versions.All(lines.Contains), $"{where}: versions");
                JsonElement source = c.GetProperty("source");
                Assert.Equal("milvus-io/milvus", source.GetProperty("repo").GetString());
                Assert.Matches(commit, source.GetProperty("commit").GetString()!);
                Assert.False(string.IsNullOrWhiteSpace(source.GetProperty("path").GetString()), where);
                Assert.False(string.IsNullOrWhiteSpace(source.GetProperty("test").GetString()), where);
                if (file == "eval.jsonl")
                {
                    string set = c.GetProperty("rows").GetString()!;
                    Assert.True(RowSets.Value.TryGetProperty(set, out JsonElement rows), $"{where}: no row set {set}");
                    var ids = rows.EnumerateArray().Select(r => r.GetProperty("pattern_id").GetString()).ToHashSet();
                    Assert.All(Expect(c), id => Assert.Contains(id, ids));
                }
                else
                {
                    Assert.True(c.GetProperty("valid").ValueKind is JsonValueKind.True or JsonValueKind.False, where);
                }
            }
        }
    }
}

/// <summary>
/// One case of the corpus as a theory row: the file and line it comes from, and the expression, which is how the row is
/// shown (a plain string argument would be cut at 50 characters in the display name).
/// </summary>
public sealed class CorpusCase : IXunitSerializable
{
    public CorpusCase()
    {
        File = Version = Expression = Expected = "";
    }

    public CorpusCase(string file, int line, string version, string expression, string expected)
    {
        File = file;
        Line = line;
        Version = version;
        Expression = expression;
        Expected = expected;
    }

    public string File { get; private set; }

    public int Line { get; private set; }

    /// <summary>The Milvus line the verdict is for: "2.5", "2.6" or "3.0".</summary>
    public string Version { get; private set; }

    public string Expression { get; private set; }

    public string Expected { get; private set; }

    public void Deserialize(IXunitSerializationInfo info)
    {
        File = info.GetValue<string>(nameof(File));
        Line = info.GetValue<int>(nameof(Line));
        Version = info.GetValue<string>(nameof(Version));
        Expression = info.GetValue<string>(nameof(Expression));
        Expected = info.GetValue<string>(nameof(Expected));
    }

    public void Serialize(IXunitSerializationInfo info)
    {
        info.AddValue(nameof(File), File);
        info.AddValue(nameof(Line), Line);
        info.AddValue(nameof(Version), Version);
        info.AddValue(nameof(Expression), Expression);
        info.AddValue(nameof(Expected), Expected);
    }

    public override string ToString() => $"[{Version}] {Expression}  =>  {Expected}  [{File}:{Line}]";
}
