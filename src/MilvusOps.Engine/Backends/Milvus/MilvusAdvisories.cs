namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>The published advisories that concern a Milvus version, and the health check that reports them.</summary>
public static class MilvusAdvisories
{
    /// <summary>Advisories with the first fixed patch of each line (milvus-operations.md, December 2026; CVE-2025-64513's
    /// 2.5 fix from its advisory GHSA-mhjq-8c7m-3f7p, as docs/gpu-stack.md records it).</summary>
    private static readonly (string Id, string What, (int Major, int Minor, int Patch)[] FixedIn)[] Published =
    [
        ("CVE-2026-26190", "the management port 9091 serves /expr and the REST /api/v1 without a login (CVSS 9.8); keep 9091 on localhost",
            [(2, 5, 27), (2, 6, 10)]),
        ("CVE-2025-64513", "the proxy can be made to skip authentication", [(2, 4, 24), (2, 5, 21), (2, 6, 5)]),
    ];

    /// <summary>The advisories that concern a version: those fixed in a later patch of its line, and those fixed only in
    /// later lines when its own line had no fix.</summary>
    public static IReadOnlyList<string> Open(MilvusVersion version) =>
        Published.Where(a =>
        {
            var ownLine = a.FixedIn.Where(f => f.Major == version.Major && f.Minor == version.Minor).ToList();
            if (ownLine.Count > 0) return version.IsBefore(ownLine[0].Major, ownLine[0].Minor, ownLine[0].Patch);
            // No fix listed for this line: older lines are affected; a line between two fixed ones is not known to be.
            var first = a.FixedIn.Min();
            return version.IsBefore(first.Major, first.Minor, 0);
        }).Select(a => $"{a.Id}: {a.What} (fixed in {string.Join(", ", a.FixedIn.Select(f => $"{f.Major}.{f.Minor}.{f.Patch}"))})").ToList();

    /// <summary>The health check of a server's version: its line, and any open advisory as a warning.</summary>
    public static HealthCheck Check(string serverVersion, string target)
    {
        if (MilvusVersion.Parse(serverVersion) is not { } version)
            return HealthCheck.Fail("Milvus version", "GetVersion", HealthSeverity.Warning, serverVersion,
                $"Cannot read the version '{serverVersion}': advisories are not checked.", target);
        var open = Open(version);
        return open.Count == 0
            ? HealthCheck.Pass("Milvus version", "GetVersion", serverVersion, $"Milvus {version.Line} line; no known advisory for {serverVersion}.", target)
            : HealthCheck.Fail("Milvus version", "GetVersion", HealthSeverity.Warning, serverVersion,
                $"Milvus {serverVersion} has published advisories: {string.Join("; ", open)}. Upgrade within the {version.Line} line.", target);
    }
}
