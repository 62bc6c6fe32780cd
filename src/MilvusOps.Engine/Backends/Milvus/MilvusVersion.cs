using System.Globalization;
using System.Text.RegularExpressions;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>
/// A Milvus server version ("v2.5.27", "2.6.3-gpu"), its release line, and the published advisories that concern it.
/// Features are gated on the line: the proto is additive, and an older server ignores fields it does not know.
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

    /// <summary>Published advisories with the first fixed patch of each line (milvus-operations.md, December 2026).</summary>
    private static readonly (string Id, string What, (int Major, int Minor, int Patch)[] FixedIn)[] Advisories =
    [
        ("CVE-2026-26190", "the management port 9091 serves /expr and the REST /api/v1 without a login (CVSS 9.8); keep 9091 on localhost",
            [(2, 5, 27), (2, 6, 10)]),
        ("CVE-2025-64513", "the proxy can be made to skip authentication", [(2, 4, 24), (2, 6, 5)]),
    ];

    /// <summary>The advisories that concern this version: those fixed in a later patch of its line, and those fixed only
    /// in later lines when its own line had no fix.</summary>
    public IReadOnlyList<string> OpenAdvisories() =>
        Advisories.Where(a =>
        {
            var ownLine = a.FixedIn.Where(f => f.Major == Major && f.Minor == Minor).ToList();
            if (ownLine.Count > 0) return IsBefore(ownLine[0].Major, ownLine[0].Minor, ownLine[0].Patch);
            // No fix listed for this line: older lines are affected; a line between two fixed ones is not known to be.
            var first = a.FixedIn.Min();
            return IsBefore(first.Major, first.Minor, 0);
        }).Select(a => $"{a.Id}: {a.What} (fixed in {string.Join(", ", a.FixedIn.Select(f => $"{f.Major}.{f.Minor}.{f.Patch}"))})").ToList();

    /// <summary>The health check of a server's version: its line, and any open advisory as a warning.</summary>
    public static HealthCheck Check(string serverVersion, string target)
    {
        if (Parse(serverVersion) is not { } version)
            return HealthCheck.Fail("Milvus version", "GetVersion", HealthSeverity.Warning, serverVersion,
                $"Cannot read the version '{serverVersion}': advisories are not checked.", target);
        var open = version.OpenAdvisories();
        return open.Count == 0
            ? HealthCheck.Pass("Milvus version", "GetVersion", serverVersion, $"Milvus {version.Line} line; no known advisory for {serverVersion}.", target)
            : HealthCheck.Fail("Milvus version", "GetVersion", HealthSeverity.Warning, serverVersion,
                $"Milvus {serverVersion} has published advisories: {string.Join("; ", open)}. Upgrade within the {version.Line} line.", target);
    }
}
