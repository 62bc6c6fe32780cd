using System.Globalization;
using System.Text.RegularExpressions;
using MilvusOps.Engine.Search.Graph;

namespace MilvusOps.Engine.Backends.Embedded;

/// <summary>
/// HNSW graphs saved beside a store file, in the folder <c>&lt;store&gt;-hnsw</c>, one file per collection named by
/// what it holds: <c>c&lt;id&gt;-&lt;created ticks&gt;-v&lt;data version&gt;-r&lt;highest rowid&gt;.usearch</c>. A file is written under a
/// temporary name and renamed when complete, so a kill leaves either the old graph or the new one, never half of one;
/// the name says which collection and version it is, so a graph is never taken for another collection's or used as
/// if it were current. Only files named this way are ever removed.
/// </summary>
internal sealed partial class GraphFiles(string storePath)
{
    public string Folder { get; } = storePath + "-hnsw";

    /// <summary>The newest saved graph of this collection at or before <paramref name="atMost"/>, if any.</summary>
    public (string Path, long Version, long MaxRowId)? Newest(long collectionId, VectorsVersion atMost)
    {
        if (!Directory.Exists(Folder)) return null;
        string prefix = Prefix(collectionId, atMost);
        (string, long, long)? newest = null;
        foreach (string path in Directory.EnumerateFiles(Folder, prefix + "*.usearch"))
        {
            var match = SavedName().Match(Path.GetFileName(path));
            if (!match.Success || !Path.GetFileName(path).StartsWith(prefix, StringComparison.Ordinal)) continue;
            long version = long.Parse(match.Groups["version"].Value, CultureInfo.InvariantCulture);
            long maxRowId = long.Parse(match.Groups["max"].Value, CultureInfo.InvariantCulture);
            if (version <= atMost.DataVersion && (newest is null || version > newest.Value.Item2)) newest = (path, version, maxRowId);
        }
        return newest;
    }

    /// <summary>Writes the graph as this collection's at <paramref name="version"/>, whose highest rowid was
    /// <paramref name="maxRowId"/>, and removes its older files. False when the folder cannot be written (a read-only
    /// place): the graph then lives in memory only.</summary>
    public bool Save(HnswGraph graph, long collectionId, VectorsVersion version, long maxRowId)
    {
        string final = Path.Combine(Folder, $"{Prefix(collectionId, version)}{version.DataVersion}-r{maxRowId}.usearch");
        string temporary = final + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            Directory.CreateDirectory(Folder);
            graph.Save(temporary);
            using (var written = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite)) written.Flush(flushToDisk: true);
            File.Move(temporary, final, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or MilvusOpsException)
        {
            TryDelete(temporary);
            return false;
        }
        RemoveAll(collectionId, except: final);
        return true;
    }

    /// <summary>Removes every saved graph of a collection (and what interrupted saves left), except one.</summary>
    public void RemoveAll(long collectionId, string? except = null)
    {
        if (!Directory.Exists(Folder)) return;
        foreach (string path in Directory.EnumerateFiles(Folder, $"c{collectionId}-*"))
        {
            string name = Path.GetFileName(path);
            bool ours = SavedName().IsMatch(name) || TemporaryName().IsMatch(name);
            if (ours && name.StartsWith($"c{collectionId}-", StringComparison.Ordinal) && path != except) TryDelete(path);
        }
    }

    private static string Prefix(long collectionId, VectorsVersion version) =>
        $"c{collectionId}-{DateTime.Parse(version.CreatedUtc, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind).Ticks}-v";

    private static void TryDelete(string path)
    {
        try { File.Delete(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }

    [GeneratedRegex(@"^c\d+-\d+-v(?<version>\d+)-r(?<max>\d+)\.usearch$")]
    private static partial Regex SavedName();

    [GeneratedRegex(@"^c\d+-\d+-v\d+-r\d+\.usearch\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryName();
}
