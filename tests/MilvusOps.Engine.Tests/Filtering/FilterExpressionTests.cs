using MilvusOps.Engine.Filtering;

namespace MilvusOps.Engine.Tests.Filtering;

public sealed class FilterExpressionTests
{
    [Theory]
    [InlineData("a == 1", "b == 2", "(a == 1) and (b == 2)")]
    [InlineData("a == 1 or b == 2", "c == 3", "(a == 1 or b == 2) and (c == 3)")]
    [InlineData("  a == 1 ", null, "a == 1")]
    [InlineData(null, "b == 2", "b == 2")]
    [InlineData("", " b == 2", "b == 2")]
    [InlineData("   ", "\t", "")]
    [InlineData(null, null, "")]
    public void And(string? left, string? right, string expected) => Assert.Equal(expected, FilterExpression.And(left, right));

    [Fact]
    public void AndKeepsEachSideTogether()
    {
        string combined = FilterExpression.And("pattern_type == \"a\" or pattern_type == \"b\"", "coherence_metrics[\"q\"] >= " + FilterExpression.FormatDouble(0.9));
        Assert.Equal("(((pattern_type == \"a\") or (pattern_type == \"b\")) and (coherence_metrics[\"q\"] >= 0.9))",
            FilterFormatter.Format(FilterParser.Parse(combined)!));
    }

    [Theory]
    [InlineData(0.9, "0.9")]
    [InlineData(1.0, "1.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(1e-5, "1E-05")]
    [InlineData(1e20, "1E+20")]
    [InlineData(0.1 + 0.2, "0.30000000000000004")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    public void FormatDouble(double value, string expected)
    {
        string text = FilterExpression.FormatDouble(value);
        Assert.Equal(expected, text);
        Assert.Equal(value, Assert.IsType<FloatLiteral>(FilterParser.Parse(text)).Value); // round trip, read as a float
    }

    [Fact]
    public void FormatDoubleIgnoresTheCurrentCulture()
    {
        var saved = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("de-DE");
            Assert.Equal("0.75", FilterExpression.FormatDouble(0.75));
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void FormatDoubleRejectsNonFinite(double value)
    {
        var error = Assert.Throws<MilvusOpsException>(() => FilterExpression.FormatDouble(value));
        Assert.Equal("FilterInvalidLiteral", error.ErrorId);
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("x' OR 1=1 --")]
    [InlineData("say \"hi\" \\ back")]
    [InlineData("line\nbreak\ttab\r\u0001")]
    [InlineData("")]
    [InlineData("nul\0 del\u007f ÷ \U00020000 \U0001F600")]
    public void FormatStringRoundTrips(string value) =>
        Assert.Equal(value, Assert.IsType<StringLiteral>(FilterParser.Parse(FilterExpression.FormatString(value))).Value);

    [Fact]
    public void FormatStringWritesWhatMilvusDecodes()
    {
        // Go's Unquote reads \u0000 but not \0; a character outside the BMP goes as \U, which Milvus's rewriting of
        // raw Han characters (convertHanToASCII) leaves alone.
        Assert.Equal("\"a\\u0000b\\U00020000\"", FilterExpression.FormatString("a\0b\U00020000"));
        var error = Assert.Throws<MilvusOpsException>(() => FilterExpression.FormatString("half \ud800"));
        Assert.Equal("FilterInvalidLiteral", error.ErrorId);
    }

    [Fact]
    public void ValidateThrowsTheTranslatorErrors()
    {
        FilterExpression.Validate("pattern_type == \"a\"", FilterTestDatabase.Fields);
        FilterExpression.Validate(null, FilterTestDatabase.Fields);
        var error = Assert.ThrowsAny<MilvusOpsException>(() => FilterExpression.Validate("nope == 1", FilterTestDatabase.Fields));
        Assert.Equal("FilterFieldNotFound", error.ErrorId);
    }
}
