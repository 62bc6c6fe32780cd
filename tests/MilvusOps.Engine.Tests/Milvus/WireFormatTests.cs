using Google.Protobuf;
using MilvusOps.Engine.Backends.Milvus;
using WireFormat = MilvusOps.Engine.Backends.Milvus.WireFormat;
using Rpc = MilvusOps.Engine.Backends.Milvus.Grpc;

namespace MilvusOps.Engine.Tests.Milvus;

public class WireFormatTests
{
    internal static readonly float LargestSubnormal = BitConverter.Int32BitsToSingle(0x007fffff);
    internal static readonly float NaNWithPayload = BitConverter.Int32BitsToSingle(0x7fc12345);

    internal static int[] Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Fact]
    public void PlaceholderGroup_RoundTripsBitExactOneValuePerQuery()
    {
        float[][] queries =
        [
            [1f, -0f, float.Epsilon, LargestSubnormal, float.MaxValue],
            [NaNWithPayload, float.NegativeInfinity, 0f, -1f / 3f, 1e-30f],
            [-0f, -0f, -0f, -0f, -0f],
        ];

        var bytes = WireFormat.PlaceholderGroupBytes(queries);
        var group = Rpc.PlaceholderGroup.Parser.ParseFrom(bytes);

        var value = Assert.Single(group.Placeholders);
        Assert.Equal("$0", value.Tag);
        Assert.Equal(Rpc.PlaceholderType.FloatVector, value.Type);
        Assert.Equal((int)Rpc.PlaceholderType.FloatVector, 101);
        Assert.Equal(queries.Length, value.Values.Count);
        for (var i = 0; i < queries.Length; i++)
        {
            Assert.Equal(queries[i].Length * 4, value.Values[i].Length);
            Assert.Equal(Bits(queries[i]), Bits(WireFormat.FloatsFromBytes(value.Values[i].Span)));
        }
    }

    [Fact]
    public void FloatBytes_AreLittleEndianIeee754()
    {
        var bytes = WireFormat.FloatBytes([1f, -0f, float.Epsilon]);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x80, 0x01, 0x00, 0x00, 0x00 }, bytes);
    }

    [Fact]
    public void PlaceholderGroup_RejectsEmptyAndMixedDimensions()
    {
        Assert.Equal("NoQueryVectors", Assert.Throws<MilvusOpsException>(() => WireFormat.PlaceholderGroup([])).ErrorId);
        Assert.Equal("DimensionMismatch",
            Assert.Throws<MilvusOpsException>(() => WireFormat.PlaceholderGroup([[1f, 2f], [1f]])).ErrorId);
        Assert.Equal("EmptyQueryVector", Assert.Throws<MilvusOpsException>(() => WireFormat.PlaceholderGroup([[]])).ErrorId);
    }

    internal static Pattern[] SamplePatterns() =>
    [
        new("p-1", [1f, -0f, float.Epsilon, LargestSubnormal], "alpha", """{"quantum_coherence":0.75}""", """{"t":[1,2,3]}"""),
        new("p-2", [-0f, 0f, float.MinValue, -1f / 3f], null, null, null),
        new("p-ü✓", [1e-42f, -1e-42f, 2.5f, float.MaxValue], "βeta", """{"nested":{"ü":"✓"}}""", "{}"),
    ];

    [Fact]
    public void Columns_AreOnePerFieldWithRowMajorVectorsAndNumRows()
    {
        var patterns = SamplePatterns();
        var columns = WireFormat.Columns(patterns);

        Assert.Equal(3u, columns.NumRows);
        Assert.Equal(
            [PatternSchema.PatternId, PatternSchema.Vector, PatternSchema.PatternType, PatternSchema.CoherenceMetrics, PatternSchema.TemporalContext],
            columns.Fields.Select(f => f.FieldName));
        var vector = columns.Fields[1];
        Assert.Equal(Rpc.DataType.FloatVector, vector.Type);
        Assert.Equal(4, vector.Vectors.Dim);
        Assert.Equal(Bits(patterns.SelectMany(p => p.Vector)), Bits(vector.Vectors.FloatVector.Data));
        // Nullable columns are compact: valid_data has one flag per row, the data only the non-null rows.
        Assert.Empty(columns.Fields[0].ValidData);
        Assert.Empty(columns.Fields[1].ValidData);
        Assert.Equal(["alpha", "βeta"], columns.Fields[2].Scalars.StringData.Data);
        Assert.Equal([true, false, true], columns.Fields[2].ValidData);
        Assert.Equal(Rpc.DataType.Json, columns.Fields[3].Type);
        Assert.Equal(["""{"quantum_coherence":0.75}""", """{"nested":{"ü":"✓"}}"""],
            columns.Fields[3].Scalars.JsonData.Data.Select(b => b.ToStringUtf8()));
        Assert.Equal([true, false, true], columns.Fields[3].ValidData);
        Assert.Equal(["""{"t":[1,2,3]}""", "{}"], columns.Fields[4].Scalars.JsonData.Data.Select(b => b.ToStringUtf8()));
        Assert.Equal([true, false, true], columns.Fields[4].ValidData);
    }

    [Fact]
    public void UpsertRequest_RoundTripsThroughBytesToPatterns()
    {
        var patterns = SamplePatterns();
        var bytes = WireFormat.UpsertRequest("patterns", patterns).ToByteArray();

        var parsed = Rpc.UpsertRequest.Parser.ParseFrom(bytes);
        Assert.Equal("patterns", parsed.CollectionName);
        Assert.Equal(3u, parsed.NumRows);
        var decoded = WireFormat.DecodePatterns(parsed.FieldsData, "patterns");

        Assert.Equal(patterns.Length, decoded.Count);
        for (var i = 0; i < patterns.Length; i++)
        {
            Assert.Equal(patterns[i].PatternId, decoded[i].PatternId);
            Assert.Equal(Bits(patterns[i].Vector), Bits(decoded[i].Vector));
            Assert.Equal(patterns[i].PatternType, decoded[i].PatternType); // null stays null
            Assert.Equal(patterns[i].CoherenceMetricsJson, decoded[i].CoherenceMetricsJson);
            Assert.Equal(patterns[i].TemporalContextJson, decoded[i].TemporalContextJson);
            Assert.Equal("patterns", decoded[i].Collection);
        }
    }

    [Fact]
    public void InsertRequest_CarriesTheSameColumns()
    {
        var insert = Rpc.InsertRequest.Parser.ParseFrom(WireFormat.InsertRequest("c", SamplePatterns()).ToByteArray());
        Assert.Equal(3u, insert.NumRows);
        Assert.Equal(5, insert.FieldsData.Count);
        Assert.Equal(Bits(SamplePatterns()[2].Vector), Bits(WireFormat.DecodePatterns(insert.FieldsData)[2].Vector));
    }

    [Fact]
    public void AReusedColumnWriter_WritesEachBatchAsAFreshOneWould()
    {
        var random = new Random(3);
        Pattern[] Batch(int rows, int dim) => Enumerable.Range(0, rows).Select(i => new Pattern($"id-{rows}-{i}",
            Enumerable.Range(0, dim).Select(_ => random.NextSingle()).ToArray(), i % 3 == 0 ? null : $"t{i}",
            i % 4 == 0 ? null : $$"""{"q":{{i}}}""", i % 5 == 0 ? null : "{}")).ToArray();
        var writer = new MilvusOps.Engine.Backends.Milvus.PatternColumnWriter();

        // Larger, then smaller, then another dimension: nothing of an earlier batch may survive into a later one.
        foreach (var batch in new[] { Batch(50, 8), Batch(7, 8), Batch(20, 3), SamplePatterns() })
        {
            var reused = writer.Write(batch);
            var fresh = new MilvusOps.Engine.Backends.Milvus.PatternColumnWriter().Write(batch);
            Assert.Equal(fresh.NumRows, reused.NumRows);
            Assert.Equal(fresh.Fields.Select(f => f.ToByteArray()), reused.Fields.Select(f => f.ToByteArray()));
            Assert.Equal(batch.Select(p => p.PatternId), WireFormat.DecodePatterns(reused.Fields).Select(p => p.PatternId));
        }
    }

    [Fact]
    public void Columns_RejectMixedDimensionsAndEmptyBatches()
    {
        Assert.Equal("DimensionMismatch", Assert.Throws<MilvusOpsException>(() => WireFormat.Columns(
            [new Pattern("a", [1f, 2f], null, null, null), new Pattern("b", [1f], null, null, null)])).ErrorId);
        Assert.Equal("EmptyBatch", Assert.Throws<MilvusOpsException>(() => WireFormat.Columns([])).ErrorId);
    }

    private static Rpc.FieldData VarChar(string name, params string[] values)
    {
        var data = new Rpc.StringArray();
        data.Data.Add(values);
        return new Rpc.FieldData { FieldName = name, Type = Rpc.DataType.VarChar, Scalars = new() { StringData = data } };
    }

    [Fact]
    public void DecodeSearch_SplitsFlattenedResultsByUnevenTopks()
    {
        var data = new Rpc.SearchResultData { NumQueries = 3, TopK = 3, Ids = new() { StrId = new() } };
        data.Topks.Add([3, 0, 2]);
        data.Ids.StrId.Data.Add(["a", "b", "c", "d", "e"]);
        data.Scores.Add([0.1f, 0.2f, 0.3f, 0.4f, -0f]);
        data.FieldsData.Add(VarChar("pattern_type", "ta", "tb", "tc", "td", "te"));
        var vectors = new Rpc.FloatArray();
        vectors.Data.Add([1f, 2f, 3f, 4f, 5f, 6f, 7f, float.Epsilon, -0f, 10f]);
        data.FieldsData.Add(new Rpc.FieldData
        {
            FieldName = "vector", Type = Rpc.DataType.FloatVector, Vectors = new() { Dim = 2, FloatVector = vectors },
        });
        data.OutputFields.Add(["pattern_type", "vector"]);

        var queries = WireFormat.DecodeSearch(Rpc.SearchResultData.Parser.ParseFrom(data.ToByteArray()));

        Assert.Equal([3, 0, 2], queries.Select(q => q.Count));
        Assert.Equal(["a", "b", "c"], queries[0].Select(h => (string)h.Id));
        Assert.Equal(["d", "e"], queries[2].Select(h => (string)h.Id));
        Assert.Equal([0.4f, -0f], queries[2].Select(h => h.Score));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0f), BitConverter.SingleToInt32Bits(queries[2][1].Score));
        Assert.Equal("tc", queries[0][2].Fields["pattern_type"]);
        Assert.Equal("te", queries[2][1].Fields["pattern_type"]);
        Assert.Equal(Bits([7f, float.Epsilon]), Bits((float[])queries[2][0].Fields["vector"]!));
    }

    [Fact]
    public void DecodeSearch_ReadsInt64Ids()
    {
        var data = new Rpc.SearchResultData { NumQueries = 2, Ids = new() { IntId = new() } };
        data.Topks.Add([1, 1]);
        data.Ids.IntId.Data.Add([long.MaxValue, -1]);
        data.Scores.Add([1f, 2f]);
        var queries = WireFormat.DecodeSearch(data);
        Assert.Equal(long.MaxValue, queries[0][0].Id);
        Assert.Equal(-1L, queries[1][0].Id);
    }

    [Fact]
    public void DecodeSearch_RejectsInconsistentCounts()
    {
        var data = new Rpc.SearchResultData { NumQueries = 1, Ids = new() { StrId = new() } };
        data.Topks.Add(2);
        data.Ids.StrId.Data.Add(["a", "b"]);
        data.Scores.Add(1f);
        Assert.Equal("MilvusResponseMalformed", Assert.Throws<MilvusOpsException>(() => WireFormat.DecodeSearch(data)).ErrorId);
        data.Scores.Add(2f);
        data.FieldsData.Add(VarChar("pattern_type", "only-one"));
        Assert.Equal("MilvusResponseMalformed", Assert.Throws<MilvusOpsException>(() => WireFormat.DecodeSearch(data)).ErrorId);
        Assert.Empty(WireFormat.DecodeSearch(null));
    }

    [Fact]
    public void DecodePatterns_RequiresPatternIdAndEqualRowCounts()
    {
        Assert.Throws<MilvusOpsException>(() => WireFormat.DecodePatterns([VarChar("pattern_type", "x")]));
        Assert.Throws<MilvusOpsException>(() => WireFormat.DecodePatterns([VarChar("pattern_id", "a", "b"), VarChar("pattern_type", "x")]));
        Assert.Empty(WireFormat.DecodePatterns(Array.Empty<Rpc.FieldData>()));
    }

    [Theory]
    [InlineData(0, 0, true, 0, false)]             // success, both generations
    [InlineData(100, 0, false, 100, false)]        // 2.3+: code only
    [InlineData(0, 4, false, 4, false)]            // 2.2: error_code only (CollectionNotExists)
    [InlineData(1100, 1, false, 1100, false)]      // both set: code wins
    [InlineData(0, 49, false, 49, true)]           // 2.2 RateLimit is retriable
    public void Check_SucceedsOnlyWhenCodeAndErrorCodeAreZero(int code, int errorCode, bool ok, int reported, bool retriable)
    {
        var status = new Rpc.Status { Code = code, ErrorCode = (Rpc.ErrorCode)errorCode, Reason = ok ? "" : "why" };
        var parsed = Rpc.Status.Parser.ParseFrom(status.ToByteArray());
        var result = WireFormat.Check(parsed);
        Assert.Equal(ok, result.Ok);
        Assert.Equal(reported, result.Code);
        Assert.Equal(retriable, result.Retriable);
        Assert.Equal(ok ? "" : "why", result.Reason);
    }

    [Fact]
    public void Check_UsesTheServersRetriableFlagAndTreatsAMissingStatusAsSuccess()
    {
        Assert.True(WireFormat.Check(new Rpc.Status { Code = 8, Retriable = true }).Retriable);
        Assert.True(WireFormat.Check(null).Ok);
    }

    [Fact]
    public void SchemaBytes_ParseBackToThePatternSchema()
    {
        var spec = new CollectionSpec { Name = "patterns", Dimension = 768, Description = "d", MaxIdLength = 64, MaxPatternTypeLength = 200 };
        var schema = Rpc.CollectionSchema.Parser.ParseFrom(WireFormat.SchemaBytes(spec));

        Assert.Equal("patterns", schema.Name);
        Assert.Equal("d", schema.Description);
        Assert.False(schema.EnableDynamicField);
        Assert.Equal(PatternSchema.Fields(spec), WireFormat.ModelFields(schema));
        var id = schema.Fields[0];
        Assert.True(id.IsPrimaryKey);
        Assert.False(id.AutoID);
        Assert.Equal(Rpc.DataType.VarChar, id.DataType);
        Assert.Equal([("max_length", "64")], id.TypeParams.Select(kv => (kv.Key, kv.Value)));
        Assert.Equal([("dim", "768")], schema.Fields[1].TypeParams.Select(kv => (kv.Key, kv.Value)));
        Assert.Equal([Rpc.DataType.VarChar, Rpc.DataType.FloatVector, Rpc.DataType.VarChar, Rpc.DataType.Json, Rpc.DataType.Json],
            schema.Fields.Select(f => f.DataType));
        Assert.Single(schema.Fields, f => f.IsPrimaryKey);

        var request = new Rpc.CreateCollectionRequest { CollectionName = "patterns", Schema = ByteString.CopyFrom(WireFormat.SchemaBytes(spec)) };
        Assert.Equal(schema, Rpc.CollectionSchema.Parser.ParseFrom(Rpc.CreateCollectionRequest.Parser.ParseFrom(request.ToByteArray()).Schema));
    }
}
