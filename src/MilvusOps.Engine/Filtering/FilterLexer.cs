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
    Bang,
    AndAnd,
    OrOr,

    // Valid Milvus operators that the embedded store does not evaluate.
    Power,
    BitAnd,
    BitOr,
    BitXor,
    BitNot,
    ShiftLeft,
    ShiftRight,
}

/// <summary>
/// One token. <see cref="Text"/> is the exact source slice; <see cref="Value"/> is the decoded
/// value of a literal (long, double or string) or the name of a placeholder.
/// </summary>
internal readonly record struct FilterToken(TokenKind Kind, int Position, string Text, object? Value)
{
    /// <summary>How an error message names this token: <c>'and'</c> or <c>end of expression</c>.</summary>
    public string Describe() => Kind == TokenKind.End ? "end of expression" : Quote(Text);

    internal static string Quote(string text) => "'" + (text.Length > 40 ? text[..40] + "..." : text) + "'";
}

/// <summary>Splits a filter expression into tokens, following the lexical rules of Milvus' Plan.g4.</summary>
internal static class FilterLexer
{
    public static List<FilterToken> Tokenize(string expression)
    {
        var tokens = new List<FilterToken>();
        int i = 0;
        while (true)
        {
            while (i < expression.Length && char.IsWhiteSpace(expression[i]))
            {
                i++;
            }

            if (i >= expression.Length)
            {
                tokens.Add(new FilterToken(TokenKind.End, expression.Length, "", null));
                return tokens;
            }

            char c = expression[i];
            int start = i;
            if (IsIdentifierStart(c) || (c == '$' && i + 1 < expression.Length && IsIdentifierStart(expression[i + 1])))
            {
                i++;
                while (i < expression.Length && IsIdentifierPart(expression[i]))
                {
                    i++;
                }

                tokens.Add(new FilterToken(TokenKind.Identifier, start, expression[start..i], null));
            }
            else if (IsDigit(c) || (c == '.' && i + 1 < expression.Length && IsDigit(expression[i + 1])))
            {
                tokens.Add(ReadNumber(expression, ref i));
            }
            else if (c is '"' or '\'')
            {
                tokens.Add(ReadString(expression, ref i));
            }
            else if (c == '{')
            {
                tokens.Add(ReadPlaceholder(expression, ref i));
            }
            else
            {
                tokens.Add(ReadOperator(expression, ref i));
            }
        }
    }

    internal static bool IsIdentifierStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';

    internal static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || IsDigit(c);

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static bool IsHexDigit(char c) => IsDigit(c) || c is (>= 'a' and <= 'f') or (>= 'A' and <= 'F');

    private static FilterParseException Error(string expression, int position, string expected) =>
        new(expression, position, expected, DescribeAt(expression, position));

    /// <summary>Names the character (or end) at a position for an error message.</summary>
    internal static string DescribeAt(string expression, int position) =>
        position >= expression.Length ? "end of expression" : FilterToken.Quote(expression[position].ToString());

    private static FilterToken ReadNumber(string s, ref int i)
    {
        int start = i;

        // Hexadecimal and binary integers (0x1F, 0b101), as Milvus accepts them.
        if (s[i] == '0' && i + 1 < s.Length && s[i + 1] is 'x' or 'X' or 'b' or 'B')
        {
            bool hex = s[i + 1] is 'x' or 'X';
            i += 2;
            int digitsStart = i;
            while (i < s.Length && (hex ? IsHexDigit(s[i]) : s[i] is '0' or '1'))
            {
                i++;
            }

            if (i == digitsStart)
            {
                throw Error(s, i, hex ? "a hexadecimal digit" : "a binary digit");
            }

            ulong value = 0;
            foreach (char d in s.AsSpan(digitsStart, i - digitsStart))
            {
                int digit = d <= '9' ? d - '0' : (char.ToLowerInvariant(d) - 'a' + 10);
                if (value > (ulong)long.MaxValue / (hex ? 16UL : 2UL))
                {
                    throw new FilterParseException(s, start, "an integer between -2^63 and 2^63-1", FilterToken.Quote(s[start..i]));
                }

                value = (value * (hex ? 16UL : 2UL)) + (ulong)digit;
            }

            if (value > long.MaxValue)
            {
                throw new FilterParseException(s, start, "an integer between -2^63 and 2^63-1", FilterToken.Quote(s[start..i]));
            }

            return new FilterToken(TokenKind.Integer, start, s[start..i], (long)value);
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

        string text = s[start..i];
        if (isFloat)
        {
            double d = double.Parse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture);
            if (double.IsInfinity(d))
            {
                throw new FilterParseException(s, start, "a floating-point number within the range of a double", FilterToken.Quote(text));
            }

            return new FilterToken(TokenKind.Float, start, text, d);
        }

        // As in C and in Milvus, a leading 0 makes an octal integer: 017 == 15.
        bool octal = text.Length > 1 && text[0] == '0';
        ulong acc = 0;
        ulong radix = octal ? 8UL : 10UL;
        for (int k = octal ? 1 : 0; k < text.Length; k++)
        {
            int digit = text[k] - '0';
            if (octal && digit > 7)
            {
                throw Error(s, start + k, "an octal digit (a leading 0 makes an octal integer)");
            }

            if (acc > ((ulong)long.MaxValue - (ulong)digit) / radix)
            {
                throw new FilterParseException(s, start, "an integer between -2^63 and 2^63-1", FilterToken.Quote(text));
            }

            acc = (acc * radix) + (ulong)digit;
        }

        return new FilterToken(TokenKind.Integer, start, text, (long)acc);
    }

    private static FilterToken ReadString(string s, ref int i)
    {
        char quote = s[i];
        int start = i;
        i++;
        var sb = new StringBuilder();
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
                return new FilterToken(TokenKind.String, start, s[start..i], sb.ToString());
            }

            if (c != '\\')
            {
                sb.Append(c);
                i++;
                continue;
            }

            int escapeAt = i;
            if (i + 1 >= s.Length)
            {
                throw new FilterParseException(s, start, $"a closing {quote} for the string that starts here", "end of expression");
            }

            char e = s[i + 1];
            i += 2;
            switch (e)
            {
                case '"': sb.Append('"'); break;
                case '\'': sb.Append('\''); break;
                case '\\': sb.Append('\\'); break;
                case '?': sb.Append('?'); break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'v': sb.Append('\v'); break;
                case 'a': sb.Append('\a'); break;
                case '0': sb.Append('\0'); break;

                // Kept as written so that a like pattern can use \% and \_ for a literal % or _.
                case '%' or '_': sb.Append('\\').Append(e); break;
                case 'u' or 'U' or 'x':
                    int digits = e switch { 'u' => 4, 'U' => 8, _ => 2 };
                    if (i + digits > s.Length || !s.AsSpan(i, digits).ToString().All(IsHexDigit))
                    {
                        throw new FilterParseException(s, escapeAt, $"{digits} hexadecimal digits after '\\{e}'",
                            FilterToken.Quote(s[escapeAt..Math.Min(s.Length, i + digits)]));
                    }

                    int code = int.Parse(s.AsSpan(i, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF && e != 'u')
                    {
                        throw new FilterParseException(s, escapeAt, "a valid Unicode code point", FilterToken.Quote(s[escapeAt..(i + digits)]));
                    }

                    if (code > 0xFFFF)
                    {
                        sb.Append(char.ConvertFromUtf32(code));
                    }
                    else
                    {
                        sb.Append((char)code);
                    }

                    i += digits;
                    break;
                default:
                    throw new FilterParseException(s, escapeAt,
                        "an escape sequence (\\\", \\', \\\\, \\n, \\t, \\r, \\uXXXX, \\% or \\_)",
                        FilterToken.Quote("\\" + e));
            }
        }
    }

    private static FilterToken ReadPlaceholder(string s, ref int i)
    {
        int start = i;
        int j = i + 1;
        while (j < s.Length && char.IsWhiteSpace(s[j]))
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
        while (j < s.Length && char.IsWhiteSpace(s[j]))
        {
            j++;
        }

        if (nameEnd == nameStart || j >= s.Length || s[j] != '}')
        {
            throw Error(s, nameEnd == nameStart ? nameStart : j, nameEnd == nameStart ? "a template parameter name after '{'" : "'}'");
        }

        i = j + 1;
        return new FilterToken(TokenKind.Placeholder, start, s[start..i], s[nameStart..nameEnd]);
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
        return new FilterToken(kind, start, s[start..i], null);
    }
}
