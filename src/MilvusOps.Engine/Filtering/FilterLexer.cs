using System.Buffers;
using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Filtering;

internal enum TokenKind
{
    End,
    Identifier,
    Integer,
    Float,
    String,
    Placeholder,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Power,
    Bang,
    AndAnd,
    OrOr,

    // Valid Milvus operators that Milvus 2.5 does not evaluate.
    BitAnd,
    BitOr,
    BitXor,
    BitNot,
    ShiftLeft,
    ShiftRight,
}

/// <summary>
/// One token: its kind and its span of the source (<see cref="Position"/>, <see cref="Length"/>). A literal carries its
/// value: <see cref="Integer"/>, <see cref="Float"/>, or for a string <see cref="Text"/> (the value as Milvus decodes
/// it, or null when Milvus would refuse it as a value; it can still name a JSON key, which Milvus does not decode). A
/// literal Milvus refuses as a value carries the error in <see cref="ValueError"/>: such a string, or the integer
/// 9223372036854775808, which only a unary minus before it can make an Int64 (2.6, <see cref="FilterDialect"/>).
/// A placeholder carries its name in <see cref="Text"/>.
/// </summary>
internal readonly record struct FilterToken(
    TokenKind Kind,
    int Position,
    int Length,
    long Integer = 0,
    double Float = 0,
    string? Text = null,
    MilvusOpsException? ValueError = null)
{
    public int End => Position + Length;

    /// <summary>The source text of the token.</summary>
    public string Source(string expression) => expression.Substring(Position, Length);

    /// <summary>How an error message names this token: <c>'and'</c> or <c>end of expression</c>.</summary>
    public string Describe(string expression) => Kind == TokenKind.End ? "end of expression" : Quote(expression, Position, Length);

    internal static string Quote(string text) => "'" + (text.Length > 40 ? text[..40] + "..." : text) + "'";

    internal static string Quote(string expression, int start, int length) =>
        "'" + (length > 40 ? expression.Substring(start, 40) + "..." : expression.Substring(start, length)) + "'";
}

/// <summary>
/// Splits a filter expression into tokens, one at a time (a long filter is never held as a token list), following the
/// lexical rules of Milvus 2.5's Plan.g4 and, for string values, Go's strconv.Unquote, which Milvus applies to them.
/// </summary>
internal sealed class FilterLexer(string expression)
{
    private int _i;

    /// <summary>All the tokens of an expression, up to and including End (for tests and tools).</summary>
    public static List<FilterToken> Tokenize(string expression)
    {
        var lexer = new FilterLexer(expression);
        var tokens = new List<FilterToken>();
        while (true)
        {
            FilterToken token = lexer.Next();
            tokens.Add(token);
            if (token.Kind == TokenKind.End)
            {
                return tokens;
            }
        }
    }

    /// <summary>Milvus skips spaces, tabs, carriage returns and line feeds, and no other character.</summary>
    internal static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    public FilterToken Next()
    {
        string s = expression;
        while (_i < s.Length && IsWhitespace(s[_i]))
        {
            _i++;
        }

        if (_i >= s.Length)
        {
            return new FilterToken(TokenKind.End, s.Length, 0);
        }

        char c = s[_i];
        int start = _i;
        if (IsIdentifierStart(c) || (c == '$' && _i + 1 < s.Length && IsIdentifierStart(s[_i + 1])))
        {
            _i++;
            while (_i < s.Length && IsIdentifierPart(s[_i]))
            {
                _i++;
            }

            return new FilterToken(TokenKind.Identifier, start, _i - start);
        }

        if (IsDigit(c) || (c == '.' && _i + 1 < s.Length && IsDigit(s[_i + 1])))
        {
            return ReadNumber(s, ref _i);
        }

        if (c is '"' or '\'')
        {
            return ReadString(s, ref _i);
        }

        if (c == '{')
        {
            return ReadPlaceholder(s, ref _i);
        }

        return ReadOperator(s, ref _i);
    }

    internal static bool IsIdentifierStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    internal static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || IsDigit(c);

    internal static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsHexDigit(char c) => IsDigit(c) || c is (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static bool IsOctalDigit(char c) => c is >= '0' and <= '7';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (char.ToLowerInvariant(c) - 'a' + 10);

    private static FilterParseException Error(string expression, int position, string expected) =>
        new(expression, position, expected, DescribeAt(expression, position));

    /// <summary>Names the character (or end) at a position for an error message.</summary>
    internal static string DescribeAt(string expression, int position) =>
        position >= expression.Length ? "end of expression" : FilterToken.Quote(expression[position].ToString());

    /// <summary>2^63, the magnitude of the least Int64, as Milvus 2.6 recognizes it after a unary minus.</summary>
    private const string LeastInt64Magnitude = "9223372036854775808";

    private static FilterParseException OutOfRange(string s, int start, int end) =>
        new(s, start, "an integer between -2^63 and 2^63-1", FilterToken.Quote(s, start, end - start));

    private static FilterToken ReadNumber(string s, ref int i)
    {
        int start = i;

        // Hexadecimal and binary integers (0x1F, 0b101) and hexadecimal floats (0x1.8p3), as Milvus accepts them.
        if (s[i] == '0' && i + 1 < s.Length && s[i + 1] is 'x' or 'X' or 'b' or 'B')
        {
            bool hex = s[i + 1] is 'x' or 'X';
            i += 2;
            int digitsStart = i;
            while (i < s.Length && (hex ? IsHexDigit(s[i]) : s[i] is '0' or '1'))
            {
                i++;
            }

            if (hex && TryReadHexFloat(s, start, digitsStart, ref i) is { } hexFloat)
            {
                return hexFloat;
            }

            if (i == digitsStart)
            {
                throw Error(s, i, hex ? "a hexadecimal digit" : "a binary digit");
            }

            ulong value = 0;
            ulong radix = hex ? 16UL : 2UL;
            for (int k = digitsStart; k < i; k++)
            {
                if (value > (ulong)long.MaxValue / radix)
                {
                    throw OutOfRange(s, start, i);
                }

                value = (value * radix) + (ulong)HexValue(s[k]);
            }

            if (value > long.MaxValue)
            {
                throw OutOfRange(s, start, i);
            }

            return new FilterToken(TokenKind.Integer, start, i - start, Integer: (long)value);
        }

        while (i < s.Length && IsDigit(s[i]))
        {
            i++;
        }

        bool isFloat = false;
        if (i < s.Length && s[i] == '.')
        {
            isFloat = true;
            i++;
            while (i < s.Length && IsDigit(s[i]))
            {
                i++;
            }
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            int j = i + 1;
            if (j < s.Length && s[j] is '+' or '-')
            {
                j++;
            }

            if (j < s.Length && IsDigit(s[j]))
            {
                isFloat = true;
                i = j;
                while (i < s.Length && IsDigit(s[i]))
                {
                    i++;
                }
            }
            else
            {
                throw Error(s, j, "a digit in the exponent");
            }
        }

        if (isFloat)
        {
            double d = double.Parse(s.AsSpan(start, i - start), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
            if (double.IsInfinity(d))
            {
                throw new FilterParseException(s, start, "a floating-point number within the range of a double", FilterToken.Quote(s, start, i - start));
            }

            return new FilterToken(TokenKind.Float, start, i - start, Float: d);
        }

        // As in C and in Milvus, a leading 0 makes an octal integer: 017 == 15.
        bool octal = i - start > 1 && s[start] == '0';
        if (s.AsSpan(start, i - start).SequenceEqual(LeastInt64Magnitude))
        {
            return new FilterToken(TokenKind.Integer, start, i - start, ValueError: OutOfRange(s, start, i));
        }

        ulong acc = 0;
        ulong radix10 = octal ? 8UL : 10UL;
        for (int k = octal ? start + 1 : start; k < i; k++)
        {
            int digit = s[k] - '0';
            if (octal && digit > 7)
            {
                throw Error(s, k, "an octal digit (a leading 0 makes an octal integer)");
            }

            if (acc > ((ulong)long.MaxValue - (ulong)digit) / radix10)
            {
                throw OutOfRange(s, start, i);
            }

            acc = (acc * radix10) + (ulong)digit;
        }

        return new FilterToken(TokenKind.Integer, start, i - start, Integer: (long)acc);
    }

    /// <summary>
    /// A hexadecimal float (Plan.g4's HexadecimalFloatingConstant: 0x, hex digits with an optional '.', then a binary
    /// exponent p±n), which Go's ParseFloat reads; null when the text is a hexadecimal integer instead.
    /// </summary>
    private static FilterToken? TryReadHexFloat(string s, int start, int digitsStart, ref int i)
    {
        int j = i;
        int fractionStart = -1;
        if (j < s.Length && s[j] == '.')
        {
            fractionStart = ++j;
            while (j < s.Length && IsHexDigit(s[j]))
            {
                j++;
            }
        }

        bool anyDigit = i > digitsStart || (fractionStart >= 0 && j > fractionStart);
        if (!anyDigit || j >= s.Length || s[j] is not ('p' or 'P'))
        {
            return null;
        }

        int k = j + 1;
        bool negative = false;
        if (k < s.Length && s[k] is '+' or '-')
        {
            negative = s[k] == '-';
            k++;
        }

        if (k >= s.Length || !IsDigit(s[k]))
        {
            return null;
        }

        int exponentStart = k;
        while (k < s.Length && IsDigit(s[k]))
        {
            k++;
        }

        // The value: the hexadecimal digits as a mantissa, scaled by 2^(exponent - 4 * fraction digits).
        double mantissa = 0;
        int scale = 0;
        for (int d = digitsStart; d < i; d++)
        {
            mantissa = (mantissa * 16) + HexValue(s[d]);
        }

        if (fractionStart >= 0)
        {
            for (int d = fractionStart; d < j; d++)
            {
                mantissa = (mantissa * 16) + HexValue(s[d]);
                scale -= 4;
            }
        }

        int exponent = int.TryParse(s.AsSpan(exponentStart, k - exponentStart), NumberStyles.None, CultureInfo.InvariantCulture, out int e)
            ? e
            : 100_000;
        double value = mantissa * Math.Pow(2, Math.Clamp((negative ? -exponent : exponent) + scale, -100_000, 100_000));
        if (double.IsInfinity(value))
        {
            throw new FilterParseException(s, start, "a floating-point number within the range of a double", FilterToken.Quote(s, start, k - start));
        }

        i = k;
        return new FilterToken(TokenKind.Float, start, k - start, Float: value);
    }

    /// <summary>
    /// Reads a quoted string. The lexical rules are Plan.g4's (an escape is one of \' \" \? \\ \a \b \f \n \r \t \v, 1 to
    /// 3 octal digits, \x and hex digits, \uXXXX, \UXXXXXXXX; no raw line break); breaking them is a syntax error. The
    /// value is what Go's strconv.Unquote makes of it, as in Milvus: octal and \x escapes are bytes (exactly 3 octal or 2
    /// hex digits), and the bytes must be UTF-8, which Milvus needs to send the plan. Where Milvus would refuse the value,
    /// the token carries the error instead, for a JSON key (which Milvus does not unquote) may still use the text.
    /// </summary>
    private static FilterToken ReadString(string s, ref int i)
    {
        char quote = s[i];
        int start = i;
        i++;
        var text = new StringBuilder();
        var bytes = new List<byte>();   // a run of byte escapes (octal, \x), decoded as UTF-8 when the run ends
        MilvusOpsException? valueError = null;
        SearchValues<char> stops = quote == '"' ? DoubleQuotedStops : SingleQuotedStops;

        void Refuse(MilvusOpsException error) => valueError ??= error;

        void Flush()
        {
            if (bytes.Count == 0)
            {
                return;
            }

            try
            {
                text.Append(Utf8Strict.GetString(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes)));
            }
            catch (DecoderFallbackException)
            {
                Refuse(FilterErrors.InvalidLiteral(
                    $"The string at position {start} decodes to bytes that are not UTF-8. Milvus reads octal and \\x escapes as bytes, and can only send UTF-8 text to its query nodes: write the character itself, a \\u escape, or the UTF-8 bytes of a character.",
                    s));
            }

            bytes.Clear();
        }

        while (true)
        {
            if (i >= s.Length)
            {
                throw new FilterParseException(s, start, $"a closing {quote} for the string that starts here", "end of expression");
            }

            char c = s[i];
            if (c == quote)
            {
                i++;
                break;
            }

            if (c is '\r' or '\n')
            {
                throw new FilterParseException(s, start, $"a closing {quote} for the string that starts here (a string cannot span lines)", "a line break");
            }

            if (c != '\\')
            {
                // A run of plain characters, up to the next quote, backslash or line break, taken at once.
                int run = s.AsSpan(i).IndexOfAny(stops);
                int end = run < 0 ? s.Length : i + run;
                ReadOnlySpan<char> plain = s.AsSpan(i, end - i);
                if (plain.IndexOfAnyInRange('\uD800', '\uDFFF') >= 0)
                {
                    for (int k = 0; k < plain.Length; k++)
                    {
                        if (char.IsHighSurrogate(plain[k]) && k + 1 < plain.Length && char.IsLowSurrogate(plain[k + 1]))
                        {
                            k++;
                        }
                        else if (char.IsSurrogate(plain[k]))
                        {
                            throw Error(s, i + k, "a character (this is half of a UTF-16 surrogate pair)");
                        }
                    }
                }

                Flush();
                text.Append(plain);
                i = end;
                continue;
            }

            int escapeAt = i;
            if (i + 1 >= s.Length)
            {
                throw new FilterParseException(s, start, $"a closing {quote} for the string that starts here", "end of expression");
            }

            char e = s[i + 1];
            i += 2;
            if (e is not ((>= '0' and <= '7') or 'x'))
            {
                Flush();
            }

            switch (e)
            {
                case '"': text.Append('"'); break;
                case '\'': text.Append('\''); break;
                case '\\': text.Append('\\'); break;
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'v': text.Append('\v'); break;
                case 'a': text.Append('\a'); break;
                case '?':
                    Refuse(new FilterParseException(s, escapeAt, "an escape sequence Milvus decodes (it refuses \\?; write ?)", FilterToken.Quote("\\?")));
                    break;
                case '\r' or '\n':
                    // Plan.g4 takes a backslash before a line break; Go's Unquote does not.
                    if (e == '\r' && i < s.Length && s[i] == '\n')
                    {
                        i++;
                    }

                    Refuse(new FilterParseException(s, escapeAt, "an escape sequence Milvus decodes (a backslash cannot continue a line)", "'\\' and a line break"));
                    break;
                case >= '0' and <= '7':
                {
                    // Plan.g4 takes 1 to 3 octal digits; Go takes exactly 3, up to \377, as one byte.
                    int digits = 1;
                    while (digits < 3 && i < s.Length && IsOctalDigit(s[i]))
                    {
                        i++;
                        digits++;
                    }

                    int value = 0;
                    for (int k = escapeAt + 1; k < i; k++)
                    {
                        value = (value * 8) + (s[k] - '0');
                    }

                    if (digits != 3 || value > 255)
                    {
                        Refuse(new FilterParseException(s, escapeAt,
                            "an octal escape of exactly three digits up to \\377 (Milvus decodes strings as Go does)", FilterToken.Quote(s, escapeAt, i - escapeAt)));
                    }
                    else
                    {
                        bytes.Add((byte)value);
                    }

                    break;
                }

                case 'x':
                {
                    int digitsStart = i;
                    while (i < s.Length && IsHexDigit(s[i]))
                    {
                        i++;
                    }

                    if (i == digitsStart)
                    {
                        throw new FilterParseException(s, escapeAt, "hexadecimal digits after '\\x'", FilterToken.Quote(s, escapeAt, Math.Min(s.Length, i + 1) - escapeAt));
                    }

                    if (i - digitsStart < 2)
                    {
                        Refuse(new FilterParseException(s, escapeAt, "2 hexadecimal digits after '\\x' (Milvus decodes strings as Go does)", FilterToken.Quote(s, escapeAt, i - escapeAt)));
                    }
                    else
                    {
                        // Go reads two digits as one byte; any more are plain characters.
                        bytes.Add((byte)((HexValue(s[digitsStart]) * 16) + HexValue(s[digitsStart + 1])));
                        if (i > digitsStart + 2)
                        {
                            Flush();
                            text.Append(s, digitsStart + 2, i - digitsStart - 2);
                        }
                    }

                    break;
                }

                case 'u' or 'U':
                {
                    int digits = e == 'u' ? 4 : 8;
                    if (i + digits > s.Length || !s.AsSpan(i, digits).ToString().All(IsHexDigit))
                    {
                        throw new FilterParseException(s, escapeAt, $"{digits} hexadecimal digits after '\\{e}'",
                            FilterToken.Quote(s, escapeAt, Math.Min(s.Length, i + digits) - escapeAt));
                    }

                    uint code = uint.Parse(s.AsSpan(i, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    i += digits;
                    if (!Rune.IsValid(code))
                    {
                        Refuse(new FilterParseException(s, escapeAt, "a Unicode code point that is not a surrogate and is at most \\U0010FFFF",
                            FilterToken.Quote(s, escapeAt, i - escapeAt)));
                    }
                    else
                    {
                        text.Append(new Rune(code).ToString());
                    }

                    break;
                }

                default:
                    throw new FilterParseException(s, escapeAt,
                        "an escape sequence (\\\", \\', \\\\, \\n, \\t, \\r, \\a, \\b, \\f, \\v, \\ooo, \\xhh, \\uXXXX or \\UXXXXXXXX)",
                        FilterToken.Quote("\\" + e));
            }
        }

        Flush();
        return new FilterToken(TokenKind.String, start, i - start, Text: valueError is null ? text.ToString() : null, ValueError: valueError);
    }

    private static readonly SearchValues<char> DoubleQuotedStops = SearchValues.Create("\"\\\r\n");

    private static readonly SearchValues<char> SingleQuotedStops = SearchValues.Create("'\\\r\n");

    private static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static FilterToken ReadPlaceholder(string s, ref int i)
    {
        int start = i;
        int j = i + 1;
        while (j < s.Length && IsWhitespace(s[j]))
        {
            j++;
        }

        int nameStart = j;
        if (j < s.Length && IsIdentifierStart(s[j]))
        {
            while (j < s.Length && IsIdentifierPart(s[j]))
            {
                j++;
            }
        }

        int nameEnd = j;
        while (j < s.Length && IsWhitespace(s[j]))
        {
            j++;
        }

        if (nameEnd == nameStart || j >= s.Length || s[j] != '}')
        {
            throw Error(s, nameEnd == nameStart ? nameStart : j, nameEnd == nameStart ? "a template parameter name after '{'" : "'}'");
        }

        i = j + 1;
        return new FilterToken(TokenKind.Placeholder, start, i - start, Text: s[nameStart..nameEnd]);
    }

    private static FilterToken ReadOperator(string s, ref int i)
    {
        int start = i;
        char c = s[i];
        char next = i + 1 < s.Length ? s[i + 1] : '\0';
        (TokenKind kind, int length) = c switch
        {
            '(' => (TokenKind.LParen, 1),
            ')' => (TokenKind.RParen, 1),
            '[' => (TokenKind.LBracket, 1),
            ']' => (TokenKind.RBracket, 1),
            ',' => (TokenKind.Comma, 1),
            '+' => (TokenKind.Plus, 1),
            '-' => (TokenKind.Minus, 1),
            '/' => (TokenKind.Slash, 1),
            '%' => (TokenKind.Percent, 1),
            '^' => (TokenKind.BitXor, 1),
            '~' => (TokenKind.BitNot, 1),
            '*' => next == '*' ? (TokenKind.Power, 2) : (TokenKind.Star, 1),
            '=' when next == '=' => (TokenKind.Equal, 2),
            '!' => next == '=' ? (TokenKind.NotEqual, 2) : (TokenKind.Bang, 1),
            '<' => next switch { '=' => (TokenKind.LessOrEqual, 2), '<' => (TokenKind.ShiftLeft, 2), _ => (TokenKind.Less, 1) },
            '>' => next switch { '=' => (TokenKind.GreaterOrEqual, 2), '>' => (TokenKind.ShiftRight, 2), _ => (TokenKind.Greater, 1) },
            '&' => next == '&' ? (TokenKind.AndAnd, 2) : (TokenKind.BitAnd, 1),
            '|' => next == '|' ? (TokenKind.OrOr, 2) : (TokenKind.BitOr, 1),
            _ => (TokenKind.End, 0),
        };

        if (length == 0)
        {
            throw c == '='
                ? Error(s, start, "'==' (a single '=' is not an operator)")
                : Error(s, start, "an operator, a field name or a literal");
        }

        i += length;
        return new FilterToken(kind, start, length);
    }
}
