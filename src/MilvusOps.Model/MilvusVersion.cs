using System.Globalization;
using System.Text.RegularExpressions;

namespace MilvusOps.Model;

/// <summary>
/// A Milvus server version ("v2.5.27", "2.6.3-gpu") and its release line. Features are gated on it: the proto is
/// additive, and an older server ignores request fields it does not know.
/// </summary>
public sealed record MilvusVersion(int Major, int Minor, int Patch)
{
    private static readonly Regex Pattern = new(@"^v?(\d+)\.(\d+)(?:\.(\d+))?", RegexOptions.CultureInvariant);

    /// <summary>The release line operators upgrade through: "2.5", "2.6", "3.0".</summary>
    public string Line => $"{Major}.{Minor}";

    public static MilvusVersion? Parse(string? text)
    {
        var match = Pattern.Match(text?.Trim() ?? "");
        if (!match.Success) return null;
        int Part(int group) => match.Groups[group].Success ? int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture) : 0;
        return new MilvusVersion(Part(1), Part(2), Part(3));
    }

    public bool IsBefore(int major, int minor, int patch) =>
        (Major, Minor, Patch).CompareTo((major, minor, patch)) < 0;

    public override string ToString() => $"{Major}.{Minor}.{Patch}";
}
