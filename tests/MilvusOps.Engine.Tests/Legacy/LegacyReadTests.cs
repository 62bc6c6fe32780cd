using System.Security.Cryptography;
using MilvusOps.Engine.Sources.Legacy;
using static MilvusOps.Engine.Tests.Legacy.LegacyFile;

namespace MilvusOps.Engine.Tests.Legacy;

public sealed class LegacyReadTests : IDisposable
{
    private readonly LegacyFile _file = new();

    public void Dispose() => _file.Dispose();

    private void Patterns(int count)
    {
        _file.Sql("CREATE TABLE t (uid TEXT, kind TEXT, embedding BLOB)");
        for (int i = 1; i <= count; i++)
            _file.Sql("INSERT INTO t VALUES (@p0, @p1, @p2)", $"p{i}", i % 2 == 0 ? "even" : "odd", F32(i, -i));
    }

    [Fact]
    public void Rows_stream_in_rowid_order_and_resume_after_a_checkpoint()
    {
        Patterns(6);
        _file.Sql("DELETE FROM t WHERE uid IN ('p2', 'p5')");
        using var source = _file.Open();
        Assert.StartsWith("rowid order", source.Mapping.RowOrder);
        var all = source.Read().ToList();
        Assert.Equal([1L, 3, 4, 6], all.Select(r => r.SourceRow));
        Assert.Equal(["p1", "p3", "p4", "p6"], all.Select(r => r.PatternId));
        Assert.Equal([4L, 6], source.Read(afterSourceRow: 3).Select(r => r.SourceRow));
        Assert.Equal([6L], source.Read(afterSourceRow: 4).Select(r => r.SourceRow));
        Assert.Empty(source.Read(afterSourceRow: 6));
    }

    [Fact]
    public void Reading_is_lazy_and_a_rowid_column_name_does_not_hide_the_rowid()
    {
        _file.Sql("CREATE TABLE t (rowid TEXT, pattern_id TEXT, vector BLOB)")
            .Sql("INSERT INTO t VALUES ('x', 'a', @p0)", F32(1))
            .Sql("INSERT INTO t VALUES ('y', 'b', @p0)", F32(2));
        using var source = _file.Open();
        using var rows = source.Read().GetEnumerator();
        Assert.True(rows.MoveNext());
        Assert.Equal((1L, "a"), (rows.Current.SourceRow, rows.Current.PatternId));
        Assert.True(rows.MoveNext());
        Assert.Equal((2L, "b"), (rows.Current.SourceRow, rows.Current.PatternId));
        Assert.False(rows.MoveNext());
    }

    [Fact]
    public void A_without_rowid_table_is_read_in_primary_key_order_with_row_numbers()
    {
        _file.Sql("CREATE TABLE t (pattern_id TEXT PRIMARY KEY, vector BLOB) WITHOUT ROWID")
            .Sql("INSERT INTO t VALUES ('c', @p0)", F32(3))
            .Sql("INSERT INTO t VALUES ('a', @p0)", F32(1))
            .Sql("INSERT INTO t VALUES ('b', @p0)", F32(2));
        using var source = _file.Open();
        Assert.StartsWith("primary-key order", source.Mapping.RowOrder);
        Assert.Equal([(1L, "a"), (2L, "b"), (3L, "c")], source.Read().Select(r => (r.SourceRow, r.PatternId!)));
        Assert.Equal([(3L, "c")], source.Read(2).Select(r => (r.SourceRow, r.PatternId!)));
    }

    [Fact]
    public void A_query_numbers_its_rows_from_one_and_resumes_by_skipping()
    {
        Patterns(5);
        const string query = "SELECT uid AS pattern_id, embedding AS vector, kind FROM t WHERE kind = 'odd' ORDER BY uid DESC;";
        using var source = _file.Open(query: query);
        Assert.Null(source.Mapping.Table);
        Assert.Equal(query.TrimEnd(';'), source.Mapping.Query);
        Assert.Equal(3, source.Mapping.RowCount);
        Assert.Contains("pattern_type <- kind (TEXT)", source.Mapping.FieldLines);
        Assert.Equal([(1L, "p5"), (2L, "p3"), (3L, "p1")], source.Read().Select(r => (r.SourceRow, r.PatternId!)));
        Assert.Equal([(3L, "p1")], source.Read(afterSourceRow: 2).Select(r => (r.SourceRow, r.PatternId!)));
        Assert.Equal(new float[] { 5, -5 }, source.Read().First().Pattern!.Vector);
    }

    [Fact]
    public void A_with_query_and_a_column_map_work_together()
    {
        Patterns(3);
        var map = Map((PatternSchema.PatternId, Col("k")), (PatternSchema.Vector, Col("e")));
        using var source = _file.Open(query: "-- recent ones\nWITH r AS (SELECT * FROM t WHERE uid <> 'p2') SELECT uid AS k, embedding AS e FROM r", map: map);
        Assert.Equal(["p1", "p3"], source.Read().Select(r => r.PatternId));
    }

    [Theory]
    [InlineData("DELETE FROM t")]
    [InlineData("  /* cleanup */ delete from t where 1")]
    [InlineData("UPDATE t SET uid = 'x'")]
    [InlineData("DROP TABLE t")]
    [InlineData("SELECT * FROM t; DELETE FROM t")]
    [InlineData("WITH x AS (SELECT 1) DELETE FROM t")]
    [InlineData("PRAGMA user_version = 5")]
    [InlineData("ATTACH DATABASE 'other.db' AS o")]
    public void A_query_that_is_not_a_single_select_is_refused_and_changes_nothing(string query)
    {
        Patterns(3);
        byte[] before = SHA256.HashData(File.ReadAllBytes(_file.Path));
        var error = Assert.Throws<MilvusOpsException>(() => _file.Open(query: query));
        Assert.Equal("SourceQueryNotReadOnly", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Equal(3, _file.Scalar("SELECT count(*) FROM t"));
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(_file.Path)));
        Assert.False(File.Exists(Path.Combine(_file.Folder, "other.db")));
    }

    [Fact]
    public void A_query_that_does_not_compile_says_why()
    {
        Patterns(1);
        var error = Assert.Throws<MilvusOpsException>(() => _file.Open(query: "SELECT nope FROM t"));
        Assert.Equal("SourceQueryInvalid", error.ErrorId);
        Assert.Contains("nope", error.Message);
    }

    [Fact]
    public void The_source_file_is_never_written()
    {
        Patterns(4);
        byte[] before = SHA256.HashData(File.ReadAllBytes(_file.Path));
        using (var source = _file.Open())
        {
            Assert.Equal(4, source.Read().Count());
        }
        Assert.Equal(before, SHA256.HashData(File.ReadAllBytes(_file.Path)));
        Assert.Equal(["legacy.db"], Directory.GetFiles(_file.Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void The_mapping_document_records_source_fields_encodings_and_rules()
    {
        _file.Sql("CREATE TABLE qpattern_archive (id INTEGER PRIMARY KEY, pattern_key TEXT, kind TEXT, emb, qc REAL, qs REAL, ctx TEXT, created_at TEXT)")
            .Sql("CREATE TABLE audit_log (id INTEGER PRIMARY KEY, action TEXT)");
        for (int i = 0; i < 4; i++)
            _file.Sql("INSERT INTO qpattern_archive(pattern_key, kind, emb, qc, qs) VALUES (@p0, 'k', @p1, 0.5, 0.25)", $"p{i}", F32(1, 2, 3));
        _file.Sql("INSERT INTO qpattern_archive(pattern_key, emb) VALUES ('t', '[1, 2, 3]')");
        _file.Sql("INSERT INTO qpattern_archive(pattern_key, emb) VALUES ('d', @p0)", F64(1, 2, 3));
        var map = Map((PatternSchema.CoherenceMetrics, new ColumnSource.Composite([("quantum_coherence", "qc"), ("quantum_stability", "qs")])));
        using var source = _file.Open(map: map);
        var mapping = source.Mapping;
        Assert.Equal(6, mapping.RowCount);
        Assert.Equal(3, mapping.Dimension);
        Assert.True(mapping.DimensionInferred);
        Assert.Equal(["id", "created_at"], mapping.UnmappedColumns);
        Assert.Contains("coherence_metrics <- {quantum_coherence: qc, quantum_stability: qs}", mapping.FieldLines);
        Assert.Equal(
            "@{ pattern_id = 'pattern_key'; vector = 'emb'; pattern_type = 'kind'; coherence_metrics = @{ quantum_coherence = 'qc'; quantum_stability = 'qs' }; temporal_context = 'ctx' }",
            mapping.ColumnMap.ToPowerShell());

        string md = mapping.ToMarkdown();
        Assert.StartsWith("# Legacy source mapping", md);
        Assert.Contains($"| Source file | `{_file.Path}` |", md);
        Assert.Contains("| Table | `qpattern_archive` |", md);
        Assert.Contains("| Rows | 6 |", md);
        Assert.Contains("| Vector dimension | 3 (inferred from 6 sampled vectors) |", md);
        Assert.Contains("| pattern_id | `pattern_key` | TEXT | alias 'pattern_key' |", md);
        Assert.Contains("| coherence_metrics | JSON object: `quantum_coherence` ← `qc`, `quantum_stability` ← `qs` |  | -ColumnMap |", md);
        Assert.Contains("| float32 little-endian BLOB | 4 |", md);
        Assert.Contains("| float64 little-endian BLOB (narrowed to float32) | 1 |", md);
        Assert.Contains("| JSON array text | 1 |", md);
        Assert.Contains("qpattern_archive: looks like patterns (id: pattern_key, vector: emb)", md);
        Assert.Contains("audit_log: skipped (no vector-like column)", md);
        Assert.Contains("narrowed to float32", md);
        Assert.Contains("-ColumnMap @{ pattern_id = 'pattern_key'", md);
    }
}
