using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace MilvusOps.LegacyGenerator;

/// <summary>
/// Writes the legacy file: <c>qpattern_archive</c> (the patterns, under names no one would choose
/// today) plus the distractor tables <c>operator_sessions</c> and <c>audit_log</c>. Everything comes
/// from the seed, so the same arguments write the same rows.
/// </summary>
internal sealed class LegacyFileWriter(GeneratorOptions options)
{
    public const string Table = "qpattern_archive";

    public const string ColumnMap =
        "@{ pattern_id = 'pattern_key'; vector = 'emb'; pattern_type = 'kind'; " +
        "coherence_metrics = @{ quantum_coherence = 'qc'; quantum_stability = 'qs'; pattern_coherence = 'pc' }; " +
        "temporal_context = 'ctx' }";

    /// <summary>The planted bad-row kinds, and what rejects each (the reader, or the importer).</summary>
    public static readonly IReadOnlyList<(string Kind, string RejectedAs)> BadKinds =
    [
        ("null_vector", "MissingVector"),
        ("wrong_dimension", "VectorDimensionMismatch"),
        ("nan", "VectorNotFinite"),
        ("malformed_ctx", "InvalidJson"),
        ("duplicate_key", "importer: duplicate pattern_id"),
        ("long_key", "importer: PatternIdTooLong (> 100 bytes)"),
        ("empty_key", "MissingPatternId"),
        ("json_too_large", "JsonTooLarge"),
        ("low_coherence", "imported; Test-PatternCoherence Threshold fails (quantum_coherence < 0.90)"),
        ("missing_metric", "imported; Test-PatternCoherence Threshold fails (pattern_coherence missing)"),
    ];

    private static readonly string[] Kinds = ["resonance", "oscillation", "drift", "burst", "plateau", "cascade", "echo", "interference"];
    private static readonly string[] Sources = ["array-1", "array-2", "array-3", "probe-a", "probe-b", "lab-legacy"];
    private static readonly DateTime Epoch = new(2016, 3, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Span = new DateTime(2023, 11, 30, 0, 0, 0, DateTimeKind.Utc) - Epoch;

    private readonly Dictionary<string, int> _encodings = new(StringComparer.Ordinal);

    public GeneratorSummary Write()
    {
        string path = options.Path;
        if (File.Exists(path) && !options.Force)
            throw new UsageException($"'{path}' exists; pass --force to overwrite it.");
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        string temporary = path + ".partial";
        File.Delete(temporary);

        var bad = PlantBadRows();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
        {
            connection.Open();
            Execute(connection, "PRAGMA page_size = 16384");
            Execute(connection, "PRAGMA journal_mode = OFF");
            Execute(connection, "PRAGMA synchronous = OFF");
            using var transaction = connection.BeginTransaction();
            CreateTables(connection, transaction);
            WritePatterns(connection, transaction, bad);
            WriteSessions(connection, transaction);
            WriteAudit(connection, transaction);
            transaction.Commit();
        }
        File.Move(temporary, path, overwrite: true);

        var counts = BadKinds.ToDictionary(k => k.Kind, k => bad.Values.Count(v => v == k.Kind), StringComparer.Ordinal);
        return new GeneratorSummary(path, Table, options.Rows, options.Dimension, options.Seed, counts, bad.Count,
            BadKinds.ToDictionary(k => k.Kind, k => k.RejectedAs, StringComparer.Ordinal), _encodings, ColumnMap);
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    private static void CreateTables(SqliteConnection connection, SqliteTransaction transaction)
    {
        // pattern_key is not a key: the old system allowed duplicates. emb has no declared type, so
        // each row keeps whatever the writer of the day stored (BLOB or TEXT).
        Execute(connection, $"""
            CREATE TABLE {Table} (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                pattern_key TEXT,
                kind TEXT,
                emb,
                qc REAL,
                qs REAL,
                pc REAL,
                ctx TEXT,
                created_at TEXT NOT NULL DEFAULT (datetime('now')))
            """, transaction);
        Execute(connection, $"CREATE INDEX ix_{Table}_key ON {Table}(pattern_key)", transaction);
        Execute(connection, """
            CREATE TABLE operator_sessions (
                id INTEGER PRIMARY KEY,
                operator TEXT NOT NULL,
                host TEXT,
                started_at TEXT NOT NULL,
                ended_at TEXT,
                notes TEXT)
            """, transaction);
        Execute(connection, """
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at TEXT NOT NULL,
                actor TEXT,
                action TEXT NOT NULL,
                target TEXT,
                details TEXT)
            """, transaction);
    }

    // About 1% of rows (at least one of each kind), never row 0, spread over the kinds in turn.
    private Dictionary<int, string> PlantBadRows()
    {
        var bad = new Dictionary<int, string>();
        if (!options.Bad) return bad;
        int total = Math.Max(BadKinds.Count, options.Rows / 100);
        var random = new Random(unchecked(options.Seed * 31 + 7));
        int[] rows = Enumerable.Range(1, options.Rows - 1).ToArray();
        for (int i = 0; i < total; i++)
        {
            int j = random.Next(i, rows.Length);
            (rows[i], rows[j]) = (rows[j], rows[i]);
            bad[rows[i]] = BadKinds[i % BadKinds.Count].Kind;
        }
        return bad;
    }

    private void WritePatterns(SqliteConnection connection, SqliteTransaction transaction, Dictionary<int, string> bad)
    {
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT INTO {Table}(pattern_key, kind, emb, qc, qs, pc, ctx, created_at) VALUES (@key, @kind, @emb, @qc, @qs, @pc, @ctx, @created)";
        var key = Parameter(insert, "@key");
        var kind = Parameter(insert, "@kind");
        var emb = Parameter(insert, "@emb");
        var qc = Parameter(insert, "@qc");
        var qs = Parameter(insert, "@qs");
        var pc = Parameter(insert, "@pc");
        var ctx = Parameter(insert, "@ctx");
        var created = Parameter(insert, "@created");
        insert.Prepare();

        int d = options.Dimension;
        var random = new Random(options.Seed);
        var values = new Rng(unchecked((ulong)options.Seed * 0x9E3779B97F4A7C15UL + 1));
        double[] vector = new double[d];
        float[] narrow = new float[d];
        var text = new StringBuilder(d * 14);
        var step = Span / options.Rows;

        for (int row = 0; row < options.Rows; row++)
        {
            bad.TryGetValue(row, out string? badKind);
            values.Gaussian(vector);
            for (int i = 0; i < d; i++) narrow[i] = (float)vector[i];

            DateTime observed = Epoch + step * row + TimeSpan.FromSeconds(random.Next(0, 3600));
            key.Value = PatternKey(row);
            kind.Value = random.NextDouble() < 0.01 ? DBNull.Value : Kinds[Math.Min(Kinds.Length - 1, (int)(Kinds.Length * random.NextDouble() * random.NextDouble() * 1.6))];
            // Coherent patterns keep every metric at or above 0.90; --bad plants the exceptions.
            qc.Value = Math.Round(0.90 + 0.10 * random.NextDouble(), 4);
            qs.Value = Math.Round(0.90 + 0.10 * random.NextDouble(), 4);
            pc.Value = Math.Round(0.90 + 0.10 * random.NextDouble(), 6);
            ctx.Value = random.NextDouble() < 0.005 ? DBNull.Value : Context(observed, random);
            created.Value = (observed + TimeSpan.FromSeconds(random.Next(1, 86_400))).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

            // Mostly float32 BLOBs; older writers left float64 BLOBs, JSON arrays and comma lists.
            double draw = random.NextDouble();
            string encoding = draw switch { < 0.85 => "float32_blob", < 0.93 => "float64_blob", < 0.97 => "json_text", _ => "comma_text" };
            emb.Value = encoding switch
            {
                "float32_blob" => Float32(narrow),
                "float64_blob" => MemoryMarshal.AsBytes(vector.AsSpan()).ToArray(),
                "json_text" => Text(text, narrow, "[", ", ", "]"),
                _ => Text(text, narrow, "", ",", ""),
            };
            if (badKind is not ("null_vector" or "wrong_dimension" or "nan"))
                _encodings[encoding] = _encodings.GetValueOrDefault(encoding) + 1;

            switch (badKind)
            {
                case "null_vector":
                    emb.Value = DBNull.Value;
                    break;
                case "wrong_dimension":
                    emb.Value = row % 2 == 0
                        ? Float32(narrow.Concat(new float[] { 0.01f, -0.02f, 0.03f }).ToArray())
                        : Text(text, narrow.AsSpan(0, d - 1).ToArray(), "[", ", ", "]");
                    break;
                case "nan":
                    narrow[random.Next(d)] = float.NaN;
                    emb.Value = Float32(narrow);
                    break;
                case "malformed_ctx":
                    string good = Context(observed, random);
                    ctx.Value = row % 2 == 0 ? good[..^1] : good.Replace('"', '\'');   // truncated, or a Python repr
                    break;
                case "duplicate_key":
                    int earlier;
                    do earlier = random.Next(row); while (bad.ContainsKey(earlier));
                    key.Value = PatternKey(earlier);
                    break;
                case "long_key":
                    key.Value = $"{Table}/{Sources[row % Sources.Length]}/{observed.ToString("yyyy'/'MM'/'dd", CultureInfo.InvariantCulture)}/{PatternKey(row)}/{PatternKey(row + options.Rows)}";
                    break;
                case "empty_key":
                    key.Value = "";
                    break;
                case "json_too_large":
                    ctx.Value = HugeContext(observed, random);
                    break;
                case "low_coherence":
                    qc.Value = Math.Round(0.50 + 0.39 * random.NextDouble(), 4);
                    break;
                case "missing_metric":
                    pc.Value = DBNull.Value;
                    break;
            }
            insert.ExecuteNonQuery();
        }
    }

    private static SqliteParameter Parameter(SqliteCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static byte[] Float32(float[] values)
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("The generator writes little-endian BLOBs and needs a little-endian processor.");
        return bytes;
    }

    private static string Text(StringBuilder text, float[] values, string open, string separator, string close)
    {
        text.Clear().Append(open);
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) text.Append(separator);
            text.Append(values[i].ToString("R", CultureInfo.InvariantCulture));
        }
        return text.Append(close).ToString();
    }

    // A v4-looking UUID derived from (seed, row): any row's key can be recomputed, which the duplicates use.
    private string PatternKey(int row)
    {
        ulong a = Rng.Mix(unchecked((ulong)options.Seed << 32 ^ (ulong)row));
        ulong b = Rng.Mix(a ^ 0xD1B54A32D192ED03UL);
        return string.Create(CultureInfo.InvariantCulture,
            $"{a >> 32:x8}-{(a >> 16) & 0xFFFF:x4}-4{(a >> 4) & 0xFFF:x3}-{0x8000 | (b >> 48) & 0x3FFF:x4}-{b & 0xFFFFFFFFFFFF:x12}");
    }

    private static string Iso(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Context(DateTime observed, Random random)
    {
        int window = 60 * (1 + random.Next(30));
        return string.Create(CultureInfo.InvariantCulture,
            $$"""{"observed_at":"{{Iso(observed)}}","window":{"start":"{{Iso(observed.AddSeconds(-window))}}","end":"{{Iso(observed)}}","seconds":{{window}}},"epoch":{{random.Next(1, 5000)}},"source":"{{Sources[random.Next(Sources.Length)]}}","recalibrated":{{(random.NextDouble() < 0.1 ? "true" : "false")}}}""");
    }

    // A context whose raw sample trace makes it larger than the 65,536 bytes Milvus accepts.
    private static string HugeContext(DateTime observed, Random random)
    {
        var text = new StringBuilder(80_000);
        text.Append(CultureInfo.InvariantCulture, $$"""{"observed_at":"{{Iso(observed)}}","trace":[""");
        for (int i = 0; i < 8_000; i++)
        {
            if (i > 0) text.Append(',');
            text.Append((random.NextDouble() * 2 - 1).ToString("F6", CultureInfo.InvariantCulture));
        }
        return text.Append("]}").ToString();
    }

    private void WriteSessions(SqliteConnection connection, SqliteTransaction transaction)
    {
        string[] operators = ["ana", "bo", "chen", "dmitri", "eve", "farah"];
        var random = new Random(unchecked(options.Seed + 101));
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO operator_sessions(operator, host, started_at, ended_at, notes) VALUES (@o, @h, @s, @e, @n)";
        int count = Math.Max(20, options.Rows / 200);
        var step = Span / count;
        for (int i = 0; i < count; i++)
        {
            DateTime started = Epoch + step * i + TimeSpan.FromMinutes(random.Next(600));
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("@o", operators[random.Next(operators.Length)]);
            insert.Parameters.AddWithValue("@h", $"lab-ws{random.Next(1, 9):00}.local");
            insert.Parameters.AddWithValue("@s", Iso(started));
            insert.Parameters.AddWithValue("@e", random.NextDouble() < 0.05 ? DBNull.Value : Iso(started.AddMinutes(5 + random.Next(480))));
            insert.Parameters.AddWithValue("@n", random.NextDouble() < 0.7 ? DBNull.Value : "recalibrated probes; see audit log");
            insert.ExecuteNonQuery();
        }
    }

    private void WriteAudit(SqliteConnection connection, SqliteTransaction transaction)
    {
        string[] actions = ["login", "logout", "export", "recalibrate", "purge", "annotate"];
        var random = new Random(unchecked(options.Seed + 202));
        using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT INTO audit_log(at, actor, action, target, details) VALUES (@a, @w, @x, @t, @d)";
        int count = Math.Max(50, options.Rows / 50);
        var step = Span / count;
        for (int i = 0; i < count; i++)
        {
            string action = actions[random.Next(actions.Length)];
            insert.Parameters.Clear();
            insert.Parameters.AddWithValue("@a", Iso(Epoch + step * i + TimeSpan.FromSeconds(random.Next(3600))));
            insert.Parameters.AddWithValue("@w", $"op-{random.Next(1, 7)}");
            insert.Parameters.AddWithValue("@x", action);
            insert.Parameters.AddWithValue("@t", action is "login" or "logout" ? DBNull.Value : $"{Table}:{PatternKey(random.Next(options.Rows))}");
            insert.Parameters.AddWithValue("@d", string.Create(CultureInfo.InvariantCulture, $$"""{"client":"legacy-console 2.{{random.Next(10)}}","ok":{{(random.NextDouble() < 0.97 ? "true" : "false")}}}"""));
            insert.ExecuteNonQuery();
        }
    }
}

/// <summary>A small, fast, fully specified generator (splitmix64), so vectors never depend on System.Random's internals.</summary>
internal struct Rng(ulong state)
{
    private ulong _state = state;

    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private double NextDouble()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return (Mix(_state) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>A unit-length vector of normally distributed components (Box–Muller), as an embedding model would give.</summary>
    public void Gaussian(double[] vector)
    {
        double norm = 0;
        for (int i = 0; i < vector.Length; i += 2)
        {
            double u = 1.0 - NextDouble(), v = NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u));
            vector[i] = radius * Math.Cos(2 * Math.PI * v);
            if (i + 1 < vector.Length) vector[i + 1] = radius * Math.Sin(2 * Math.PI * v);
        }
        foreach (double x in vector) norm += x * x;
        double scale = 1 / Math.Sqrt(norm);
        for (int i = 0; i < vector.Length; i++) vector[i] *= scale;
    }
}

internal sealed record GeneratorSummary(
    string Path, string Table, int Rows, int Dimension, int Seed,
    IReadOnlyDictionary<string, int> Bad, int BadTotal, IReadOnlyDictionary<string, string> RejectedAs,
    IReadOnlyDictionary<string, int> Encodings, string ColumnMap)
{
    public long ElapsedMs { get; set; }

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("path", Path);
            json.WriteString("table", Table);
            json.WriteNumber("rows", Rows);
            json.WriteNumber("dimension", Dimension);
            json.WriteNumber("seed", Seed);
            json.WriteNumber("bad_total", BadTotal);
            json.WriteStartObject("bad");
            foreach (var (kind, count) in Bad) json.WriteNumber(kind, count);
            json.WriteEndObject();
            json.WriteStartObject("rejected_as");
            foreach (var (kind, errorId) in RejectedAs) json.WriteString(kind, errorId);
            json.WriteEndObject();
            json.WriteStartObject("encodings");
            foreach (var (encoding, count) in Encodings.OrderBy(e => e.Key, StringComparer.Ordinal)) json.WriteNumber(encoding, count);
            json.WriteEndObject();
            json.WriteString("column_map", ColumnMap);
            json.WriteNumber("elapsed_ms", ElapsedMs);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
