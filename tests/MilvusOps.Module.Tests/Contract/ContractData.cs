using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;

namespace MilvusOps.Module.Tests.Contract;

/// <summary>One pattern as the tests write it: null fields are left off the piped object, so they stay unset.</summary>
public sealed record ContractRow(string Id, float[] Vector, string? Type = null, string? Metrics = null, string? Context = null)
{
    public JsonNode? MetricsNode => Metrics is null ? null : JsonNode.Parse(Metrics);
    public JsonNode? ContextNode => Context is null ? null : JsonNode.Parse(Context);

    /// <summary>The object Add-Pattern binds by property name.</summary>
    public PSObject ToPSObject()
    {
        var o = new PSObject();
        o.Properties.Add(new PSNoteProperty("PatternId", Id));
        o.Properties.Add(new PSNoteProperty("Vector", Vector));
        if (Type is not null) o.Properties.Add(new PSNoteProperty("PatternType", Type));
        if (Metrics is not null) o.Properties.Add(new PSNoteProperty("CoherenceMetrics", Metrics));
        if (Context is not null) o.Properties.Add(new PSNoteProperty("TemporalContext", Context));
        return o;
    }
}

/// <summary>A search hit as the tests compare it.</summary>
public sealed record Hit(string QueryId, int Rank, string PatternId, double Distance)
{
    public static Hit From(PSObject o) => new(
        (string)o.Properties["QueryId"].Value, (int)o.Properties["Rank"].Value,
        (string)o.Properties["PatternId"].Value, (float)o.Properties["Distance"].Value);
}

/// <summary>Deterministic data sets and the independent answers the contract checks backends against.</summary>
public static class ContractData
{
    /// <summary>Relative tolerance for distances, against max(|d|, 1) so that near-zero IP/COSINE scores compare sensibly.</summary>
    public const double Tolerance = 1e-4;

    private static readonly string[] Phases = ["warm", "cold", "dusk"];

    /// <summary>
    /// Rows with every shape the filter language meets: types (some null), JSON documents (some null, some
    /// missing a key), nested paths and arrays. Nulls sit only on "gamma_wave" and untyped rows, so that the
    /// filters that use 'not' can stay on rows whose fields are all present (see the filter tests).
    /// </summary>
    public static List<ContractRow> FilterRows(int count = 60)
    {
        var rows = new List<ContractRow>();
        for (int i = 0; i < count; i++)
        {
            string? type = (i % 4) switch { 0 => "alpha", 1 => "beta", 2 => "gamma_wave", _ => i % 8 == 3 ? null : "delta" };
            bool nullable = type is null or "gamma_wave";
            double q = Math.Round((i * 37 % 100) / 100.0, 2);
            string? metrics = nullable && i % 3 == 0 ? null
                : nullable && i % 3 == 1 ? Invariant($$"""{"quantum_coherence":{{q}}}""")
                : Invariant($$"""{"quantum_coherence":{{q}},"quantum_stability":{{Math.Round(1 - q, 2)}},"pattern_coherence":0.93}""");
            string tags = i % 5 == 0 ? """["seed","core"]""" : i % 5 == 1 ? """["core"]""" : "[]";
            string? context = nullable && i % 5 == 2 ? null
                : Invariant($$"""{"phase":"{{Phases[i % 3]}}","window":{"start":{{2015 + i % 10}},"end":{{2016 + i % 10}}},"tags":{{tags}},"observed_at":"2024-01-{{1 + i % 28:D2}}T00:00:00Z"}""");
            rows.Add(new ContractRow($"f{i:D3}", Vectors.Random(10_000 + i, 4), type, metrics, context));
        }
        return rows;
    }

    /// <summary>Random vectors in [-1, 1]; types and coherence follow the id so filters have a known answer.</summary>
    public static List<ContractRow> SearchRows(int count, int dimension) =>
        Enumerable.Range(0, count).Select(i => new ContractRow(
            $"s{i:D4}", Vectors.Random(i, dimension), i % 3 == 0 ? "triad" : "other",
            Invariant($$"""{"quantum_coherence":{{(i % 10) / 10.0}},"quantum_stability":0.94,"pattern_coherence":0.93}"""),
            i % 7 == 0 ? null : Invariant($$"""{"created":"2026-01-{{1 + i % 28:D2}}T00:00:00Z"}"""))).ToList();

    public static double Coherence(ContractRow row) => row.MetricsNode?["quantum_coherence"]?.GetValue<double>() ?? double.NaN;

    /// <summary>The exact answer in double precision, best first (L2 ascending; IP and COSINE descending).</summary>
    public static List<(string Id, double Distance)> BruteForce(string metric, float[] query, IEnumerable<ContractRow> rows, int top)
    {
        var scored = rows.Select(r => (r.Id, Distance: Vectors.Distance(metric, query, r.Vector)));
        scored = metric == "L2" ? scored.OrderBy(s => s.Distance) : scored.OrderByDescending(s => s.Distance);
        return scored.Take(top).ToList();
    }

    /// <summary>
    /// True when the first <paramref name="top"/> ranks, and the boundary after them, are separated by more than
    /// float32 rounding: then every correct backend must return the same ids in the same order.
    /// </summary>
    public static bool WellSeparated(string metric, float[] query, IEnumerable<ContractRow> rows, int top, out string detail)
    {
        var ranked = BruteForce(metric, query, rows, top + 1);
        for (int i = 1; i < ranked.Count; i++)
        {
            double gap = Math.Abs(ranked[i].Distance - ranked[i - 1].Distance);
            if (gap <= 1e-5 * Math.Max(Math.Abs(ranked[i].Distance), 1))
            {
                detail = $"{ranked[i - 1].Id} and {ranked[i].Id} are {gap:E2} apart";
                return false;
            }
        }
        detail = "";
        return true;
    }

    public static bool Close(double expected, double actual) => Math.Abs(expected - actual) <= Tolerance * Math.Max(Math.Abs(expected), 1);

    /// <summary>Hits grouped by query, in the order the queries went in.</summary>
    public static Dictionary<string, List<Hit>> ByQuery(IEnumerable<PSObject> hits)
    {
        var grouped = new Dictionary<string, List<Hit>>(StringComparer.Ordinal);
        foreach (var hit in hits.Select(Hit.From))
        {
            if (!grouped.TryGetValue(hit.QueryId, out var list)) grouped[hit.QueryId] = list = [];
            list.Add(hit);
        }
        return grouped;
    }

    /// <summary>Deep JSON equality, null meaning "no document".</summary>
    public static bool SameJson(string? expected, string? actual) =>
        expected is null || actual is null ? expected is null && actual is null : JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual));

    public static uint[] Bits(float[] vector) => vector.Select(BitConverter.SingleToUInt32Bits).ToArray();

    public static Hashtable Options(params (string Key, object? Value)[] options)
    {
        var table = new Hashtable(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in options) if (value is not null) table[key] = value;
        return table;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
