using System.Globalization;

namespace MilvusOps.Model;

/// <summary>
/// Milvus stores text as UTF-8, and a .NET string can hold what UTF-8 cannot: a lone surrogate.
/// Encoding one silently turns it into U+FFFD, so the stored text would not be what was given.
/// </summary>
public static class Utf16Text
{
    public const string InvalidUtf8Id = "InvalidUtf8";

    /// <summary>The index of the first surrogate without its partner, or -1 when the text is valid Unicode.</summary>
    public static int IndexOfLoneSurrogate(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
                continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else
                return i;
        }
        return -1;
    }

    /// <summary>InvalidUtf8 when <paramref name="text"/> holds a lone surrogate; <paramref name="what"/> names where it is.</summary>
    public static void CheckEncodable(string? text, string what, string? patternId)
    {
        if (text is not null && IndexOfLoneSurrogate(text) is var index and >= 0)
            throw Invalid(what, patternId, string.Create(CultureInfo.InvariantCulture, $"U+{(int)text[index]:X4} at character {index}"));
    }

    public static MilvusOpsException Invalid(string what, string? patternId, string where) =>
        new(InvalidUtf8Id, ErrorKind.InvalidData,
            $"{Owner(patternId)}{what} holds a lone surrogate ({where}), which is not valid Unicode and cannot be stored as the UTF-8 Milvus requires.",
            patternId);

    /// <summary>"Pattern 'id': " to start a message about a pattern's field (nothing without an id), printable whatever the id holds.</summary>
    internal static string Owner(string? patternId) => patternId is null ? "" : $"Pattern '{Printable(patternId)}': ";

    /// <summary>The text with lone surrogates shown as \uXXXX, so an error message about it can itself be printed.</summary>
    public static string Printable(string? text)
    {
        if (text is null || IndexOfLoneSurrogate(text) < 0)
            return text ?? "";
        var sb = new System.Text.StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                sb.Append(text[i]).Append(text[++i]);
            else if (char.IsSurrogate(text[i]))
                sb.Append("\\u").Append(((int)text[i]).ToString("X4", CultureInfo.InvariantCulture));
            else
                sb.Append(text[i]);
        }
        return sb.ToString();
    }
}
