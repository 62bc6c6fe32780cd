using System.Text.Json;
using MilvusOps.Engine.Sources;
using MilvusOps.Engine.Sources.Legacy;
using static MilvusOps.Engine.Tests.Legacy.LegacyFile;

namespace MilvusOps.Engine.Tests.Legacy;

public sealed class LegacyRejectTests : IDisposable
{
    private readonly LegacyFile _file = new();

    public LegacyRejectTests() =>
        _file.Sql("CREATE TABLE t (id INTEGER PRIMARY KEY, pattern_key, kind, emb, metrics, ctx, note TEXT)");

    public void Dispose() => _file.Dispose();

    private void Row(object? key, object? emb, object? metrics = null, object? ctx = null, object? kind = null) =>
        _file.Sql("INSERT INTO t(pattern_key, kind, emb, metrics, ctx, note) VALUES (@p0, @p1, @p2, @p3, @p4, 'n')", key, kind, emb, metrics, ctx);

    private SourceRecord Single(object? key, object? emb, object? metrics = null, object? ctx = null, object? kind = null)
    {
        // Three anchors pin the inferred dimension at 2 whatever the row under test holds.
        for (int i = 0; i < 3; i++) Row($"anchor{i}", F32(1, 2));
        Row(key, emb, metrics, ctx, kind);
        var records = _file.ReadAll();
        Assert.All(records.Take(3), r => Assert.True(r.IsValid, r.Reason));
        return records[3];
    }

    private static void Rejected(SourceRecord record, string errorId, params string[] reasonParts)
    {
        Assert.False(record.IsValid);
        Assert.Null(record.Pattern);
        Assert.Equal(errorId, record.ErrorId);
        foreach (string part in reasonParts) Assert.Contains(part, record.Reason);
        Assert.Equal(["id", "pattern_key", "kind", "emb", "metrics", "ctx", "note"], record.OriginalValues.Keys);
        Assert.Equal("n", record.OriginalValues["note"]);
    }

    [Fact]
    public void A_null_or_empty_id_is_MissingPatternId()
    {
        Rejected(Single(null, F32(1, 2)), "MissingPatternId", "'pattern_key'", "NULL");
    }

    [Fact]
    public void An_empty_text_id_is_MissingPatternId()
    {
        var record = Single("", F32(1, 2));
        Rejected(record, "MissingPatternId", "'pattern_key'", "empty");
        Assert.Null(record.PatternId);
    }

    [Fact]
    public void A_blob_or_fractional_id_is_InvalidPatternId()
    {
        Rejected(Single(new byte[] { 1, 2, 3 }, F32(1, 2)), "InvalidPatternId", "'pattern_key'", "3-byte BLOB");
    }

    [Fact]
    public void A_fractional_real_id_is_InvalidPatternId()
    {
        Rejected(Single(1.5, F32(1, 2)), "InvalidPatternId", "'pattern_key'", "REAL 1.5");
    }

    [Fact]
    public void Integer_and_integral_real_ids_become_invariant_integer_text()
    {
        Row(42L, F32(1, 2));
        Row(42.0, F32(1, 2));
        Row(-7L, F32(1, 2));
        Row(12345678901234L, F32(1, 2));
        Assert.Equal(["42", "42", "-7", "12345678901234"], _file.ReadAll().Select(r => r.Pattern!.PatternId));
    }

    [Fact]
    public void A_null_vector_is_MissingVector()
    {
        var record = Single("p", null);
        Rejected(record, "MissingVector", "'emb'", "NULL");
        Assert.Equal("p", record.PatternId);
        Assert.Null(record.OriginalValues["emb"]);
    }

    [Fact]
    public void An_empty_vector_is_MissingVector()
    {
        Rejected(Single("p", "[]"), "MissingVector", "'emb'", "empty");
    }

    [Fact]
    public void Text_that_is_not_a_vector_is_VectorUndecodable()
    {
        Rejected(Single("p", "[0.1, abc]"), "VectorUndecodable", "'emb'", "element 1 ('abc') is not a number");
    }

    [Fact]
    public void A_truncated_json_array_is_VectorUndecodable()
    {
        Rejected(Single("p", "[0.1, 0.2"), "VectorUndecodable", "'emb'", "does not end with ']'");
    }

    [Fact]
    public void A_blob_that_is_not_whole_floats_is_VectorUndecodable_and_keeps_its_bytes_as_base64()
    {
        var record = Single("p", new byte[] { 1, 2, 3, 4, 5, 6, 7 });
        Rejected(record, "VectorUndecodable", "'emb'", "7-byte BLOB");
        Assert.Equal(Convert.ToBase64String(new byte[] { 1, 2, 3, 4, 5, 6, 7 }), record.OriginalValues["emb"]);
    }

    [Fact]
    public void A_number_in_the_vector_column_is_VectorUndecodable()
    {
        Rejected(Single("p", 5L), "VectorUndecodable", "'emb'", "INTEGER 5");
    }

    [Fact]
    public void A_blob_of_another_dimension_is_VectorDimensionMismatch()
    {
        Rejected(Single("p", F32(1, 2, 3)), "VectorDimensionMismatch", "'emb'", "12-byte BLOB", "expected 2");
    }

    [Fact]
    public void Text_of_another_dimension_is_VectorDimensionMismatch()
    {
        Rejected(Single("p", "1,2,3"), "VectorDimensionMismatch", "'emb'", "3 values", "expected 2");
    }

    [Fact]
    public void NaN_in_text_is_VectorNotFinite()
    {
        Rejected(Single("p", "[0.5, NaN]"), "VectorNotFinite", "'emb'", "NaN at element 1");
    }

    [Fact]
    public void Infinity_in_a_float32_blob_is_VectorNotFinite()
    {
        Rejected(Single("p", F32(float.PositiveInfinity, 1)), "VectorNotFinite", "'emb'", "element 0");
    }

    [Fact]
    public void A_float64_beyond_float32_range_is_VectorNotFinite()
    {
        Rejected(Single("p", F64(1, 1e300)), "VectorNotFinite", "'emb'", "1E+300 at element 1", "outside the float32 range");
    }

    [Fact]
    public void Malformed_json_is_InvalidJson()
    {
        Rejected(Single("p", F32(1, 2), ctx: """{"started": "2020-01-01" """), "InvalidJson", "'ctx'", "temporal_context");
    }

    [Fact]
    public void A_json_array_is_not_an_object()
    {
        Rejected(Single("p", F32(1, 2), metrics: "[1, 2]"), "InvalidJson", "'metrics'", "coherence_metrics", "Array");
    }

    [Fact]
    public void A_number_in_a_json_column_is_InvalidJson()
    {
        Rejected(Single("p", F32(1, 2), metrics: 0.9), "InvalidJson", "'metrics'", "REAL 0.9");
    }

    [Fact]
    public void Json_over_64_KiB_is_JsonTooLarge()
    {
        string big = "{\"blob\":\"" + new string('x', 65536) + "\"}";
        Rejected(Single("p", F32(1, 2), ctx: big), "JsonTooLarge", "'ctx'", "65,547 bytes", "65,536");
    }

    [Fact]
    public void A_blob_pattern_type_is_rejected()
    {
        Rejected(Single("p", F32(1, 2), kind: new byte[] { 1 }), "InvalidPatternType", "'kind'");
    }

    [Fact]
    public void Json_text_is_kept_exactly_and_empty_documents_become_null()
    {
        string metrics = "{ \"quantum_coherence\" : 0.90,\n  \"b\": [1, 2.50] }";
        Row("a", F32(1, 2), metrics, "null");
        Row("b", F32(1, 2), "   ", null, 7L);
        var records = _file.ReadAll();
        Assert.Equal(metrics, records[0].Pattern!.CoherenceMetricsJson);
        Assert.Null(records[0].Pattern!.TemporalContextJson);
        Assert.Null(records[1].Pattern!.CoherenceMetricsJson);
        Assert.Equal("7", records[1].Pattern!.PatternType);
    }

    [Fact]
    public void A_reject_serializes_as_one_json_line_with_its_original_values()
    {
        Row("anchor1", F32(1, 2));
        Row("anchor2", F32(1, 2));
        Row("p", F32(1, 2, 3), """{"a":1}""", null, "wave");
        var record = _file.ReadAll()[2];
        string path = Path.GetTempFileName();
        using (var writer = new MilvusOps.Engine.Pipelines.Migration.RejectWriter(path, keepBytes: 0, source: "/data/legacy.db"))
            writer.Write(new MilvusOps.Engine.Pipelines.Migration.Rejection(record.SourceRow, record.PatternId, record.ErrorId!, record.Reason!, record.DecodedFields,
                record.UndecodedFields, record.OriginalValues));
        string line = File.ReadAllLines(path).Single();
        File.Delete(path);
        Assert.DoesNotContain('\n', line);
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        Assert.Equal(3, root.GetProperty("SourceRow").GetInt64());
        Assert.Equal("p", root.GetProperty("PatternId").GetString());
        Assert.Equal("VectorDimensionMismatch", root.GetProperty("ErrorId").GetString());
        Assert.Equal(["Vector"], root.GetProperty("Undecoded").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("Vector").ValueKind);
        Assert.Equal("/data/legacy.db", root.GetProperty("Source").GetString());
        var values = root.GetProperty("Values");
        Assert.Equal(Convert.ToBase64String(F32(1, 2, 3)), values.GetProperty("emb").GetString());
        Assert.Equal("""{"a":1}""", values.GetProperty("metrics").GetString());
        Assert.Equal(JsonValueKind.Null, values.GetProperty("ctx").ValueKind);
        Assert.Equal(3, values.GetProperty("id").GetInt64());
    }

    [Fact]
    public void Duplicate_ids_and_long_ids_are_left_to_the_importer()
    {
        Row("same", F32(1, 2));
        Row("same", F32(3, 4));
        Row(new string('k', 300), F32(5, 6));
        Assert.All(_file.ReadAll(), r => Assert.True(r.IsValid));
    }
}
