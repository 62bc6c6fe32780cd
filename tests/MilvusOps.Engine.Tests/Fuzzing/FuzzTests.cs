using MilvusOps.Engine.Filtering;
using MilvusOps.Engine.Sources.Legacy;
using MilvusOps.Engine.Tests.Filtering;

namespace MilvusOps.Engine.Tests.Fuzzing;

/// <summary>
/// Property tests over mutated seed corpora (Fuzzing/corpus/*): whatever the input, each entry point
/// either succeeds or refuses it with a MilvusOpsException, never any other exception and never a
/// stack overflow. Fixed seeds and iteration counts keep them deterministic and to a few seconds.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] FilterTokens =
    [
        "(", ")", "[", "]", ",", " ", "\"", "'", "\\", "\\u", "\\ud800", "not ", "!", " and ", " && ", " or ", " || ",
        "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "**", "&", "|", "^", "~", "<<", ">>",
        " in ", " not in ", " like ", " is null", " is not null", "exists ", "true", "false", "null",
        "0", "1", "-1", "1.5", "1e400", "-1e400", "1e-400", "0x", "0xFFFFFFFFFFFFFFFFF", "0b2", "9223372036854775808", ".5", "5.",
        "pattern_id", "pattern_type", "coherence_metrics", "temporal_context", "vector", "unknown_field", "$meta",
        "[\"k\"]", "[0]", "[-1]", "json_contains(", "json_contains_all(", "json_contains_any(", "array_length(",
        "text_match(", "{p}", "\"%\"", "\"\\%_\"", "\u00e9", "\U0001F600",
    ];

    private static readonly string[] JsonTokens =
    [
        "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\"k\":", "null", "true", "false",
        "0", "-0", "1e400", "-1e400", "1e-400", "1.7976931348623157e309", "123456789012345678901234567890", "NaN", "Infinity",
        " ", "\n", "\t", "\u00e9", "\U0001F600", "//", "/*", "'",
    ];

    private static readonly string[] VectorTokens =
    [
        "[", "]", "{", "}", "(", ")", ",", ";", " ", "\t", "\n", "0", "-", "+", ".", "e", "E", "1e39", "-1e39", "1e-50",
        "NaN", "Infinity", "-Infinity", "∞", "0x1", "1_000", "\"", "\u00a0", "\u2009",
    ];

    [Fact]
    public void FilterParserAndTranslatorRefuseCleanlyAndFormattedTreesReadBack()
    {
        using var database = new FilterTestDatabase();
        int parsed = 0;
        new Fuzzer(20251202, Fuzzer.Corpus("filter"), FilterTokens).Run(4_000, text =>
        {
            FilterNode? node;
            try
            {
                node = FilterParser.Parse(text);
            }
            catch (MilvusOpsException)
            {
                return;
            }

            if (node is null)
                return;
            parsed++;

            // The canonical text reads back to the same tree (as far as it stays within the length limit,
            // which its parentheses can push it past).
            string canonical = FilterFormatter.Format(node);
            if (canonical.Length <= FilterLimits.MaxLength)
                Assert.Equal(canonical, FilterFormatter.Format(FilterParser.Parse(canonical)!));

            // What passes the check sends Milvus canonical text that passes it again and reads back the same.
            ParsedFilter? checkedFilter = null;
            try
            {
                checkedFilter = ParsedFilter.Parse(text, FilterTestDatabase.Fields);
            }
            catch (MilvusOpsException)
            {
            }

            if (checkedFilter is not null && checkedFilter.Text.Length <= FilterLimits.MaxLength)
                Assert.Equal(checkedFilter.Text, ParsedFilter.Parse(checkedFilter.Text, FilterTestDatabase.Fields)!.Text);

            // What translates runs in SQLite without a raw SQLite error.
            try
            {
                FilterExpression.ToSqlite(text, FilterTestDatabase.Fields);
            }
            catch (MilvusOpsException)
            {
                return;
            }

            database.Match(text);
        });
        Assert.True(parsed > 400, $"Only {parsed} mutants parsed; the corpus or the mutations drifted.");
    }

    [Fact]
    public void VectorTextDecodesOrIsRejectedWithAReason()
    {
        float[] scratch = [];
        new Fuzzer(4242, Fuzzer.Corpus("vector-text"), VectorTokens).Run(20_000, text =>
        {
            int count = VectorCodec.ParseText(text, ref scratch, out _, out string? problem);
            if (count < 0)
                Assert.False(string.IsNullOrEmpty(problem));
            else
                Assert.True(count <= scratch.Length && VectorCodec.FirstNonFinite(scratch.AsSpan(0, count)) >= -1);
        });
    }

    [Fact]
    public void VectorBlobsOfAnyBytesDecodeOrAreRejected()
    {
        var random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] bytes = new byte[random.Next(0, 97)];
            random.NextBytes(bytes);
            if (i % 3 == 0)
                bytes.AsSpan().Fill(0xFF);   // all NaN patterns
            var (float32, float64) = VectorCodec.BlobEvidence(bytes);
            Assert.InRange(float32, 0, 1);
            Assert.InRange(float64, 0, 1);
            var values = new float[bytes.Length / 4];
            VectorCodec.ReadFloat32(bytes.AsSpan(0, values.Length * 4), values);
            Assert.InRange(VectorCodec.FirstNonFinite(values), -1, values.Length - 1);
            var narrowed = new float[bytes.Length / 8];
            VectorCodec.ReadFloat64(bytes.AsSpan(0, narrowed.Length * 8), narrowed);
            Assert.InRange(VectorCodec.FirstNonFinite(narrowed), -1, narrowed.Length - 1);
        }
    }

    [Fact]
    public void MetadataIsValidatedOrRefusedAndWhatPassesRoundTrips()
    {
        int valid = 0;
        new Fuzzer(65536, Fuzzer.Corpus("metadata"), JsonTokens).Run(6_000, text =>
        {
            // Any text as a value: written as JSON, or refused (a lone surrogate).
            try
            {
                Metadata.Validate(Metadata.Serialize(new Dictionary<string, object?> { [text] = text }, "coherence_metrics", "p"), "coherence_metrics", "p");
            }
            catch (MilvusOpsException)
            {
            }

            string? json;
            try
            {
                json = Metadata.Validate(text, "coherence_metrics", "p");
            }
            catch (MilvusOpsException)
            {
                return;
            }

            if (json is null)
                return;
            valid++;

            // What validates is what a pattern stores, so it must read back, and write back as valid JSON.
            // (One pass may still change a number's spelling: -0.0 is written -0, which reads back as 0.)
            string canonical = Metadata.Canonical(Metadata.Parse(Metadata.Canonical(Metadata.Parse(json))));
            if (canonical.Length > 0)
            {
                Assert.Equal(canonical, Metadata.Validate(canonical, "coherence_metrics", "p"));
                Assert.Equal(canonical, Metadata.Canonical(Metadata.Parse(canonical)));
            }
        });
        Assert.True(valid > 100, $"Only {valid} mutants were valid JSON; the corpus or the mutations drifted.");
    }

    [Fact]
    public void TheFuzzerReportsAPropertyThatThrowsWithTheInput()
    {
        // The harness itself: a planted bug is found and reported with its input.
        var error = Assert.ThrowsAny<Exception>(() =>
            new Fuzzer(1, ["a(b)"], ["("]).Run(100, text =>
            {
                if (text.Count(c => c == '(') > 1)
                    throw new InvalidOperationException("planted");
            }));
        Assert.Contains("planted", error.Message);
        Assert.Contains("Input", error.Message);
    }
}
