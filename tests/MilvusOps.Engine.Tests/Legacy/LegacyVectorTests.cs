using MilvusOps.Engine.Sources.Legacy;
using static MilvusOps.Engine.Tests.Legacy.LegacyFile;

namespace MilvusOps.Engine.Tests.Legacy;

public sealed class LegacyVectorTests : IDisposable
{
    private readonly LegacyFile _file = new();

    public void Dispose() => _file.Dispose();

    private LegacyFile Table() => _file.Sql("CREATE TABLE t (pattern_id TEXT, vector)");

    private void Row(string id, object? vector) => _file.Sql("INSERT INTO t VALUES (@p0, @p1)", id, vector);

    [Fact]
    public void Float32_blobs_round_trip_bit_exactly()
    {
        Table();
        float[] values =
        [
            0.1f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1e-38f, 3.4028235e38f,
            BitConverter.Int32BitsToSingle(0x3F80_0001), BitConverter.Int32BitsToSingle(0x007F_FFFF),
        ];
        Row("a", F32(values));
        var pattern = _file.ReadAll().Single().Pattern!;
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), pattern.Vector.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void Float64_blobs_are_narrowed_to_float32()
    {
        Table();
        double[] values = [0.1, 1.0 / 3, -2.5e-20, 123456789.123456789, Math.PI, 0, 1e-50];
        Row("a", F64(values));
        using var source = _file.Open();
        Assert.Equal(7, source.Dimension);
        Assert.Equal(new Dictionary<VectorEncoding, int> { [VectorEncoding.Float64Blob] = 1 }, source.Mapping.VectorEncodings);
        var pattern = source.Read().Single().Pattern!;
        Assert.Equal(values.Select(v => (float)v), pattern.Vector);
    }

    [Fact]
    public void Every_text_encoding_decodes_to_the_same_vector()
    {
        Table();
        float[] expected = [0.1f, -2.5f, 3e-5f, 1f];
        Row("json", "[0.1, -2.5, 3e-5, 1]");
        Row("json-tight", "[0.1,-2.5,3E-05,1.0]");
        Row("comma", "0.1,-2.5,0.00003,1");
        Row("spaces", "  0.1 -2.5\t3e-5\n1 ");
        Row("semicolons", "0.1; -2.5; 3e-5; 1");
        Row("braces", "{0.1,-2.5,3e-5,1}");
        Row("f32", F32(expected));
        using var source = _file.Open();
        Assert.Equal(4, source.Dimension);
        var records = source.Read().ToList();
        Assert.All(records, r => Assert.True(r.IsValid, r.Reason));
        Assert.All(records, r => Assert.Equal(expected, r.Pattern!.Vector));
        Assert.Equal(2, source.Mapping.VectorEncodings[VectorEncoding.JsonArrayText]);
        Assert.Equal(4, source.Mapping.VectorEncodings[VectorEncoding.DelimitedText]);
        Assert.Equal(1, source.Mapping.VectorEncodings[VectorEncoding.Float32Blob]);
    }

    [Fact]
    public void Text_values_round_trip_float32_exactly_when_written_round_trip()
    {
        Table();
        var random = new Random(7);
        float[] values = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() * 2 - 1) * MathF.Pow(10, random.Next(-8, 8))).ToArray();
        Row("a", "[" + string.Join(",", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]");
        Assert.Equal(values, _file.ReadAll().Single().Pattern!.Vector);
    }

    [Fact]
    public void The_dimension_is_inferred_from_mixed_encodings()
    {
        Table();
        var random = new Random(1);
        float[] Vector() => Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        for (int i = 0; i < 5; i++) Row($"f64-{i}", F64(Vector().Select(v => (double)v).ToArray()));
        for (int i = 0; i < 3; i++) Row($"f32-{i}", F32(Vector()));
        Row("json", "[" + string.Join(", ", Vector().Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]");
        Row("comma", string.Join(",", Vector().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
        Row("wrong", F32(1, 2, 3));
        Row("null", null);
        using var source = _file.Open();
        Assert.Equal(8, source.Dimension);
        Assert.True(source.Mapping.DimensionInferred);
        Assert.Equal(11, source.Mapping.SampledVectors);
        Assert.Equal(1, source.Mapping.SampledUnusable);
        Assert.Equal(5, source.Mapping.VectorEncodings[VectorEncoding.Float64Blob]);
        Assert.Equal(3, source.Mapping.VectorEncodings[VectorEncoding.Float32Blob]);
        Assert.Equal(12, source.Mapping.RowCount);
        Assert.Equal(10, source.Read().Count(r => r.IsValid));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Blobs_of_one_length_are_read_as_the_encoding_whose_values_look_real(bool float64)
    {
        // 64 bytes is 16 float32 or 8 float64 values: only the values tell them apart.
        Table();
        var random = new Random(3);
        for (int i = 0; i < 20; i++)
        {
            double[] values = Enumerable.Range(0, float64 ? 8 : 16).Select(_ => random.NextDouble() * 0.2 - 0.1).ToArray();
            Row($"p{i}", float64 ? F64(values) : F32(values.Select(v => (float)v).ToArray()));
        }
        using var source = _file.Open();
        Assert.Equal(float64 ? 8 : 16, source.Dimension);
        Assert.Equal(20, source.Mapping.VectorEncodings[float64 ? VectorEncoding.Float64Blob : VectorEncoding.Float32Blob]);
    }

    [Fact]
    public void A_given_dimension_wins_over_inference()
    {
        Table();
        Row("a", F64(1, 2, 3));
        Row("b", F32(1, 2, 3, 4));
        using var source = _file.Open(dimension: 4);
        Assert.False(source.Mapping.DimensionInferred);
        var records = source.Read().ToList();
        Assert.Equal(["b"], records.Where(r => r.IsValid).Select(r => r.PatternId));
        Assert.Equal("VectorDimensionMismatch", records[0].ErrorId);
        Assert.Contains("24-byte BLOB (6 float32 or 3 float64 values); expected 4", records[0].Reason);
    }

    [Fact]
    public void A_vector_column_with_nothing_decodable_cannot_infer_a_dimension()
    {
        Table();
        Row("a", "not a vector");
        var error = Assert.Throws<MilvusOpsException>(() => _file.Open());
        Assert.Equal("VectorDimensionUnknown", error.ErrorId);
        Assert.Contains("-Dimension", error.Message);
    }

    [Fact]
    public void An_empty_table_opens_with_no_dimension_and_reads_nothing()
    {
        Table();
        using var source = _file.Open();
        Assert.Null(source.Dimension);
        Assert.Equal(0, source.Mapping.RowCount);
        Assert.Empty(source.Read());
    }
}
