using MilvusOps.Engine.Sources.Legacy;
using static MilvusOps.Engine.Tests.Legacy.LegacyFile;

namespace MilvusOps.Engine.Tests.Legacy;

public sealed class LegacyDiscoveryTests : IDisposable
{
    private readonly LegacyFile _file = new();

    public void Dispose() => _file.Dispose();

    private void Distractors() => _file
        .Sql("CREATE TABLE operator_sessions (id INTEGER PRIMARY KEY, operator TEXT, started_at TEXT, ended_at TEXT)")
        .Sql("INSERT INTO operator_sessions(operator, started_at) VALUES ('ana', '2021-03-01 10:00:00')")
        .Sql("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, at TEXT, action TEXT, details TEXT)")
        .Sql("""INSERT INTO audit_log(at, action, details) VALUES ('2021-03-01', 'login', '{"ip":"10.0.0.1"}')""");

    private static MilvusOpsException Fails(Action action) => Assert.Throws<MilvusOpsException>(action);

    [Fact]
    public void The_one_table_that_looks_like_patterns_is_chosen_among_distractors_and_store_tables()
    {
        Distractors();
        _file.Sql("CREATE TABLE c_1 (pattern_id TEXT PRIMARY KEY, vector BLOB)")
            .Sql("CREATE TABLE qpattern_archive (id INTEGER PRIMARY KEY, pattern_key TEXT, kind TEXT, emb, ctx TEXT)")
            .Sql("INSERT INTO qpattern_archive(pattern_key, kind, emb) VALUES ('p1', 'wave', @p0)", F32(1, 2));
        using var source = _file.Open();
        Assert.Equal("qpattern_archive", source.Mapping.Table);
        Assert.Contains("pattern_id <- pattern_key (TEXT)", source.Mapping.FieldLines);
        Assert.Contains("vector <- emb", source.Mapping.FieldLines);
        Assert.Contains("pattern_type <- kind (TEXT)", source.Mapping.FieldLines);
        Assert.Contains("temporal_context <- ctx (TEXT)", source.Mapping.FieldLines);
        Assert.Contains("coherence_metrics <- (not mapped)", source.Mapping.FieldLines);
        Assert.Equal(["id"], source.Mapping.UnmappedColumns);
        var record = Assert.Single(source.Read());
        Assert.Equal("p1", record.PatternId);
        Assert.Equal(1, record.SourceRow);
    }

    [Fact]
    public void Several_candidates_are_listed_with_their_columns()
    {
        Distractors();
        _file.Sql("CREATE TABLE patterns_2020 (uid TEXT, embedding BLOB)")
            .Sql("CREATE TABLE patterns_2021 (pattern_key TEXT, vec TEXT)");
        var error = Fails(() => _file.Open());
        Assert.Equal("SourceTableAmbiguous", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("patterns_2020 (uid TEXT, embedding BLOB)", error.Message);
        Assert.Contains("patterns_2021 (pattern_key TEXT, vec TEXT)", error.Message);
        Assert.DoesNotContain("audit_log", error.Message);
        Assert.Contains("-Table", error.Message);

        using var chosen = _file.Open(table: "PATTERNS_2021");
        Assert.Equal("patterns_2021", chosen.Mapping.Table);
    }

    [Fact]
    public void No_candidate_lists_every_table_with_its_columns()
    {
        Distractors();
        var error = Fails(() => _file.Open());
        Assert.Equal("SourceTableAmbiguous", error.ErrorId);
        Assert.Contains("operator_sessions (id INTEGER, operator TEXT, started_at TEXT, ended_at TEXT)", error.Message);
        Assert.Contains("audit_log (id INTEGER, at TEXT, action TEXT, details TEXT)", error.Message);
        Assert.Contains("-Table", error.Message);
    }

    [Fact]
    public void A_vector_column_is_recognised_from_its_data_when_its_name_says_nothing()
    {
        _file.Sql("CREATE TABLE legacy (guid TEXT, payload TEXT, blobby)")
            .Sql("INSERT INTO legacy VALUES ('a', 'hello', @p0)", F32(0.5f, 0.25f, 1))
            .Sql("INSERT INTO legacy VALUES ('b', 'world', @p0)", F32(0.5f, 0.25f, 2));
        using var source = _file.Open();
        Assert.Equal("legacy", source.Mapping.Table);
        var vector = source.Mapping.Fields.Single(f => f.Field == PatternSchema.Vector);
        Assert.Equal("blobby", ((ColumnSource.Column)vector.Source!).Name);
        Assert.Equal("detected from data", vector.MatchedBy);
        Assert.Equal(3, source.Dimension);
    }

    [Fact]
    public void Text_vectors_make_a_table_a_candidate()
    {
        _file.Sql("CREATE TABLE legacy (pid TEXT, numbers TEXT)")
            .Sql("INSERT INTO legacy VALUES ('a', '0.1, 0.2, 0.3')");
        using var source = _file.Open();
        Assert.Equal("legacy", source.Mapping.Table);
        Assert.Equal(3, source.Dimension);
    }

    [Fact]
    public void Aliases_match_case_insensitively_and_specific_names_beat_generic_ones()
    {
        _file.Sql("CREATE TABLE t (ID INTEGER PRIMARY KEY, Pattern_Key TEXT, Embedding BLOB, CATEGORY TEXT, Quality TEXT, Temporal TEXT)")
            .Sql("""INSERT INTO t(Pattern_Key, Embedding, CATEGORY, Quality, Temporal) VALUES ('k', @p0, 'c', '{"q":1}', '{"t":"x"}')""", F32(1));
        using var source = _file.Open();
        Assert.Equal(
            [
                "pattern_id <- Pattern_Key (TEXT)", "vector <- Embedding (BLOB)", "pattern_type <- CATEGORY (TEXT)",
                "coherence_metrics <- Quality (TEXT)", "temporal_context <- Temporal (TEXT)",
            ],
            source.Mapping.FieldLines);
        var pattern = source.Read().Single().Pattern!;
        Assert.Equal("k", pattern.PatternId);
        Assert.Equal("c", pattern.PatternType);
        Assert.Equal("""{"q":1}""", pattern.CoherenceMetricsJson);
    }

    [Fact]
    public void Names_also_match_without_separators()
    {
        _file.Sql("CREATE TABLE t (PatternId TEXT, \"Vector-Blob\" BLOB, PatternType TEXT)")
            .Sql("INSERT INTO t VALUES ('k', @p0, 'x')", F32(1, 2));
        using var source = _file.Open();
        Assert.Equal("pattern_id <- PatternId (TEXT)", source.Mapping.FieldLines[0]);
        Assert.Equal("vector <- Vector-Blob (BLOB)", source.Mapping.FieldLines[1]);
        Assert.Equal("pattern_type <- PatternType (TEXT)", source.Mapping.FieldLines[2]);
    }

    [Fact]
    public void A_column_map_overrides_name_matching_and_builds_composite_json()
    {
        _file.Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, uid TEXT, emb BLOB, other_emb BLOB, qc REAL, qs REAL, n INTEGER, label TEXT)")
            .Sql("INSERT INTO t(uid, emb, other_emb, qc, qs, n, label) VALUES ('u1', @p0, @p1, 0.95, 1.0, 3, 'née \"x\"')", F32(1), F32(7))
            .Sql("INSERT INTO t(uid, emb, other_emb, qc, qs, n, label) VALUES ('u2', @p0, @p1, NULL, 0.5, NULL, NULL)", F32(2), F32(8))
            .Sql("INSERT INTO t(uid, emb, other_emb) VALUES ('u3', @p0, @p1)", F32(3), F32(9));
        var map = Map(
            (PatternSchema.PatternId, Col("uid")),
            ("VECTOR", Col("other_emb")),
            (PatternSchema.CoherenceMetrics, new ColumnSource.Composite([("quantum_coherence", "qc"), ("quantum_stability", "qs"), ("n", "n"), ("label", "label")])));
        using var source = _file.Open(map: map);
        Assert.Contains("coherence_metrics <- {quantum_coherence: qc, quantum_stability: qs, n: n, label: label}", source.Mapping.FieldLines);
        Assert.Equal("-ColumnMap", source.Mapping.Fields[0].MatchedBy);
        var patterns = source.Read().Select(r => r.Pattern!).ToList();
        Assert.Equal([7f, 8f, 9f], patterns.Select(p => p.Vector[0]));
        Assert.Equal("""{"quantum_coherence":0.95,"quantum_stability":1.0,"n":3,"label":"née \"x\""}""", patterns[0].CoherenceMetricsJson);
        Assert.Equal("""{"quantum_stability":0.5}""", patterns[1].CoherenceMetricsJson);
        Assert.Null(patterns[2].CoherenceMetricsJson);
        Assert.Equal(1.0, patterns[0].CoherenceMetrics!["quantum_stability"]);
        Assert.IsType<double>(patterns[0].CoherenceMetrics!["quantum_stability"]);
        Assert.Equal(3L, patterns[0].CoherenceMetrics!["n"]);
    }

    [Fact]
    public void A_composite_from_a_column_list_uses_the_column_names_as_keys()
    {
        _file.Sql("CREATE TABLE t (pattern_id TEXT, vector BLOB, qc REAL, qs REAL)")
            .Sql("INSERT INTO t VALUES ('a', @p0, 0.25, -1e-7)", F32(1));
        var map = Map((PatternSchema.CoherenceMetrics, ColumnSource.Composite.FromColumns(["qs", "qc"])));
        var pattern = _file.ReadAll(map: map).Single().Pattern!;
        Assert.Equal("""{"qs":-1E-07,"qc":0.25}""", pattern.CoherenceMetricsJson);
        Assert.Equal(-1e-7, pattern.CoherenceMetrics!["qs"]);
    }

    [Fact]
    public void A_column_map_naming_a_missing_column_lists_the_columns()
    {
        _file.Sql("CREATE TABLE t (uid TEXT, emb BLOB)");
        var error = Assert.Throws<MilvusOpsException>(() => _file.Open(table: "t", map: Map((PatternSchema.Vector, Col("embedding")))));
        Assert.Equal("ColumnNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("'embedding'", error.Message);
        Assert.Contains("uid TEXT, emb BLOB", error.Message);

        error = Assert.Throws<MilvusOpsException>(() => _file.Open(table: "t", map: Map((PatternSchema.TemporalContext, ColumnSource.Composite.FromColumns(["uid", "when"])))));
        Assert.Equal("ColumnNotFound", error.ErrorId);
        Assert.Contains("'when'", error.Message);
    }

    [Fact]
    public void Invalid_column_maps_are_refused()
    {
        var error = Assert.Throws<MilvusOpsException>(() => Map(("pattern_identifier", Col("x"))));
        Assert.Equal("ColumnMapInvalid", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("pattern_id, vector, pattern_type, coherence_metrics, temporal_context", error.Message);
        Assert.Equal("ColumnMapInvalid", Assert.Throws<MilvusOpsException>(() => Map((PatternSchema.PatternId, ColumnSource.Composite.FromColumns(["a", "b"])))).ErrorId);
        Assert.Equal("ColumnMapInvalid", Assert.Throws<MilvusOpsException>(() => Map(("vector", Col("a")), ("Vector", Col("b")))).ErrorId);
        Assert.Equal("ColumnMapInvalid", Assert.Throws<MilvusOpsException>(() => Map(("vector", Col(" ")))).ErrorId);
        Assert.Equal("ColumnMapInvalid", Assert.Throws<MilvusOpsException>(() => Map(("coherence_metrics", new ColumnSource.Composite([("k", "a"), ("k", "b")])))).ErrorId);
    }

    [Fact]
    public void A_table_without_an_id_column_asks_for_a_column_map()
    {
        _file.Sql("CREATE TABLE t (name TEXT, emb BLOB)");
        var error = Assert.Throws<MilvusOpsException>(() => _file.Open(table: "t"));
        Assert.Equal("ColumnMappingIncomplete", error.ErrorId);
        Assert.Contains("pattern_id", error.Message);
        Assert.Contains("name TEXT, emb BLOB", error.Message);
        Assert.Contains("-ColumnMap", error.Message);
        using var source = _file.Open(table: "t", map: Map((PatternSchema.PatternId, Col("name"))));
        Assert.Equal("pattern_id <- name (TEXT)", source.Mapping.FieldLines[0]);
    }

    [Fact]
    public void Missing_tables_files_and_non_databases_have_clear_errors()
    {
        _file.Sql("CREATE TABLE t (pattern_id TEXT, vector BLOB)");
        var error = Assert.Throws<MilvusOpsException>(() => _file.Open(table: "nope"));
        Assert.Equal("SourceTableNotFound", error.ErrorId);
        Assert.Contains("It has: t", error.Message);

        error = Assert.Throws<MilvusOpsException>(() => LegacySource.Open(new LegacySourceOptions(Path.Combine(_file.Folder, "missing.db"))));
        Assert.Equal("SourceNotFound", error.ErrorId);
        Assert.Equal(ErrorKind.ObjectNotFound, error.Kind);
        Assert.False(File.Exists(Path.Combine(_file.Folder, "missing.db")));

        string text = Path.Combine(_file.Folder, "notes.txt");
        File.WriteAllText(text, new string('x', 4096));
        error = Assert.Throws<MilvusOpsException>(() => LegacySource.Open(new LegacySourceOptions(text)));
        Assert.Equal("SourceNotADatabase", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidData, error.Kind);

        error = Assert.Throws<MilvusOpsException>(() => LegacySource.Open(new LegacySourceOptions(_file.Path) { Table = "t", Query = "SELECT 1" }));
        Assert.Equal("SourceTableAndQuery", error.ErrorId);
        error = Assert.Throws<MilvusOpsException>(() => _file.Open(dimension: 0));
        Assert.Equal("InvalidDimension", error.ErrorId);
    }
}
