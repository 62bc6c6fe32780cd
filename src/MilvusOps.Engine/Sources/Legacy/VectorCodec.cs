using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace MilvusOps.Engine.Sources.Legacy;

/// <summary>How a legacy vector value is stored. Detected per row from the value itself.</summary>
public enum VectorEncoding
{
    /// <summary>A BLOB of 4 × dimension bytes: float32, little-endian.</summary>
    Float32Blob,

    /// <summary>A BLOB of 8 × dimension bytes: float64, little-endian, narrowed to float32.</summary>
    Float64Blob,

    /// <summary>Text holding a JSON array of numbers: <c>[0.1, 0.2]</c>.</summary>
    JsonArrayText,

    /// <summary>Text of numbers separated by commas, semicolons or whitespace (optionally in {…} or (…)).</summary>
    DelimitedText,
}

/// <summary>Decoding vector values: text parsing, blob conversion, and the plausibility test used to tell float32 from float64.</summary>
internal static class VectorCodec
{
    /// <summary>
    /// Parses a text vector into <paramref name="scratch"/> (grown as needed) and returns its element
    /// count, or -1 with <paramref name="problem"/> saying what is wrong. An empty text or [] gives 0.
    /// Values parse straight to float32 (correctly rounded); NaN and Infinity parse and are caught later.
    /// </summary>
    public static int ParseText(ReadOnlySpan<char> text, ref float[] scratch, out VectorEncoding encoding, out string? problem)
    {
        problem = null;
        encoding = VectorEncoding.DelimitedText;
        var rest = text.Trim();
        if (rest.Length > 0 && rest[0] is '[' or '{' or '(')
        {
            char open = rest[0];
            char close = open switch { '[' => ']', '{' => '}', _ => ')' };
            if (open == '[') encoding = VectorEncoding.JsonArrayText;
            if (rest[^1] != close)
            {
                problem = $"it starts with '{open}' but does not end with '{close}'";
                return -1;
            }
            rest = rest[1..^1].Trim();
        }
        if (rest.IsEmpty) return 0;

        char separator = rest.Contains(',') ? ',' : rest.Contains(';') ? ';' : ' ';
        int count = 0;
        while (true)
        {
            ReadOnlySpan<char> token;
            bool last;
            if (separator == ' ')
            {
                rest = rest.TrimStart();
                if (rest.IsEmpty) break;
                int end = IndexOfWhiteSpace(rest);
                last = end < 0;
                token = last ? rest : rest[..end];
                rest = last ? default : rest[end..];
            }
            else
            {
                int end = rest.IndexOf(separator);
                last = end < 0;
                token = (last ? rest : rest[..end]).Trim();
                rest = last ? default : rest[(end + 1)..];
                if (token.IsEmpty)
                {
                    problem = $"element {count} is empty";
                    return -1;
                }
            }
            if (!float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
            {
                problem = $"element {count} ('{Abbreviate(token)}') is not a number";
                return -1;
            }
            if (count == scratch.Length) Array.Resize(ref scratch, Math.Max(64, scratch.Length * 2));
            scratch[count++] = value;
            if (last) break;
        }
        return count;
    }

    private static int IndexOfWhiteSpace(ReadOnlySpan<char> text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i])) return i;
        }
        return -1;
    }

    /// <summary>Copies little-endian float32 values.</summary>
    public static void ReadFloat32(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
            return;
        }
        for (int i = 0; i < destination.Length; i++)
            destination[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
    }

    /// <summary>
    /// Narrows little-endian float64 values to float32 (round to nearest even, as a C# cast does). A
    /// finite value beyond float32's range becomes ±Infinity, which the finiteness check then rejects.
    /// </summary>
    public static void ReadFloat64(ReadOnlySpan<byte> bytes, Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
            destination[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i * 8, 8));
    }

    /// <summary>The index of the first NaN or infinite value, or -1.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i])) return i;
        }
        return -1;
    }

    /// <summary>
    /// How much a BLOB looks like float32 and like float64 data, each 0..1, to settle a BLOB length
    /// that fits both (L bytes: L/4 float32 or L/8 float64 values).
    /// <para>float32: the fraction of 4-byte words that are zero or finite with a magnitude in [1e-6, 1e6].</para>
    /// <para>
    /// float64: a float64's low word is mantissa bits, which read as a float32 are mostly absurd (or,
    /// for values widened from float32, mostly zero-ish bit patterns), while its high word reads as a
    /// sensible float32. So float64 data shows plausible odd words and implausible even words, and
    /// float32 data shows no such difference. The confidence is that asymmetry (doubled, capped at 1)
    /// times the fraction of finite float64 values with a magnitude in [1e-30, 1e30].
    /// </para>
    /// </summary>
    public static (double Float32, double Float64) BlobEvidence(ReadOnlySpan<byte> bytes)
    {
        int words = bytes.Length / 4;
        if (words == 0) return (0, 0);
        int even = 0, odd = 0;
        for (int i = 0; i < words; i++)
        {
            float value = BinaryPrimitives.ReadSingleLittleEndian(bytes.Slice(i * 4, 4));
            float magnitude = MathF.Abs(value);
            bool plausible = value == 0 || (float.IsFinite(value) && magnitude >= 1e-6f && magnitude <= 1e6f);
            if (!plausible) continue;
            if (i % 2 == 0) even++;
            else odd++;
        }
        double float32 = (double)(even + odd) / words;
        if (bytes.Length % 8 != 0) return (float32, 0);

        int doubles = bytes.Length / 8, finite = 0;
        for (int i = 0; i < doubles; i++)
        {
            double value = BinaryPrimitives.ReadDoubleLittleEndian(bytes.Slice(i * 8, 8));
            double magnitude = Math.Abs(value);
            if (value == 0 || (double.IsFinite(value) && magnitude >= 1e-30 && magnitude <= 1e30)) finite++;
        }
        double asymmetry = Math.Clamp(2.0 * ((double)odd / doubles - (double)even / doubles), 0, 1);
        return (float32, asymmetry * finite / doubles);
    }

    public static string Abbreviate(ReadOnlySpan<char> text, int length = 40) =>
        text.Length <= length ? text.ToString() : string.Concat(text[..length], "…");
}
