using System.Collections;
using System.Globalization;

namespace MilvusOps.Model;

/// <summary>
/// A pattern's vector: float32 values, read-only. Its text (ToString) is the exact JSON array ("[0.25,-1,3.5E-08]"),
/// so Export-Csv and logs show the values themselves, and <see cref="TryParse"/> reads that text back bit for bit
/// (Import-Csv | Add-Pattern). Scripts get a copy to change with ToArray() or [float[]]; the stores read the values in place.
/// </summary>
public sealed class FloatVector : IReadOnlyList<float>, IFormattable, IEquatable<FloatVector>
{
    private readonly float[] _values;

    public FloatVector(float[] values) => _values = values ?? throw new ArgumentNullException(nameof(values));

    public int Length => _values.Length;

    public int Count => _values.Length;

    public float this[int index] => _values[index];

    public ReadOnlySpan<float> AsSpan() => _values;

    /// <summary>A copy to change: $v = $p.Vector.ToArray(); $v[7] += 1e-6.</summary>
    public float[] ToArray() => (float[])_values.Clone();

    /// <summary>The values themselves, not a copy, for the stores and the cmdlets; nothing outside may change them.</summary>
    internal float[] Values => _values;

    public static implicit operator ReadOnlySpan<float>(FloatVector vector) => vector._values;

    /// <summary>Reads the exact text <see cref="ToString()"/> writes: a JSON array of numbers, each parsed as float32.</summary>
    public static bool TryParse(string? text, out float[] values)
    {
        values = [];
        string body = text?.Trim() ?? "";
        if (body.Length < 2 || body[0] != '[' || body[^1] != ']') return false;
        string[] items = body[1..^1].Split(',');
        if (items is [var only] && string.IsNullOrWhiteSpace(only)) return true;
        var parsed = new float[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            // Parsed as float, not as double then narrowed, so the text of a float32 comes back as the same bits.
            if (!float.TryParse(items[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out parsed[i])) return false;
        }
        values = parsed;
        return true;
    }

    public override string ToString() => ToString(null, null);

    /// <summary>The exact JSON array; "G9" and the other numeric formats are ignored, so a CSV cell never rounds.</summary>
    public string ToString(string? format, IFormatProvider? formatProvider) =>
        "[" + string.Join(',', _values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    /// <summary>The first few values and the length, for views: "[0.25, -1, 0.5, …] (512-d)".</summary>
    public string Preview(int count = 3) =>
        "[" + string.Join(", ", _values.Take(count).Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))
        + (_values.Length > count ? ", …" : "") + $"] ({_values.Length}-d)";

    /// <summary>Bit for bit, as fidelity means it: -0 is not 0, and a NaN equals only the same NaN.</summary>
    public bool Equals(FloatVector? other) => other is not null
        && System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(_values).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(other._values.AsSpan()));

    public override bool Equals(object? obj) => obj is FloatVector other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (int bits in System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(_values)) hash.Add(bits);
        return hash.ToHashCode();
    }

    public IEnumerator<float> GetEnumerator() => ((IEnumerable<float>)_values).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _values.GetEnumerator();
}
