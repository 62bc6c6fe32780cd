using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MilvusOps.Engine.Stack;

/// <summary>
/// The module's alerts as patterns, so correlation and prediction work on them. The vector is the alert's identity, hashed:
/// each of its parts (component, check, target, status, severity) is a token whose SHA-256 picks a coordinate of the
/// <see cref="Dimension"/> and a sign, weighted (severity and status count half), and the sum is scaled to length 1.
/// The same alert always gets the same vector (cosine 1); alerts that share parts are partly alike; the time and the
/// message, which varies between firings, are left out. The alert itself is the temporal_context, its time under
/// <see cref="PatternTime.DefaultKey"/>.
/// </summary>
public static class AlertPatterns
{
    public const int Dimension = 64;
    public const string PatternType = "alert";

    public static Pattern ToPattern(MilvusAlert alert)
    {
        var context = new Dictionary<string, object?>
        {
            [PatternTime.DefaultKey] = PatternTime.Format(alert.Time),
            ["severity"] = alert.Severity.ToString(),
            ["component"] = alert.Component,
            ["check"] = alert.Check,
            ["status"] = alert.Status,
            ["target"] = alert.Target,
            ["store"] = alert.Store,
            ["host"] = alert.Host,
            ["message"] = alert.Message,
        };
        // The same firing written twice is one pattern: the id is its time and identity.
        string id = "alert-" + Hex($"{PatternTime.Format(alert.Time)}\n{Identity(alert)}")[..20];
        return new Pattern(id, Vector(alert), PatternType, null, JsonSerializer.Serialize(context));
    }

    public static float[] Vector(MilvusAlert alert)
    {
        var vector = new float[Dimension];
        foreach (var (token, weight) in Tokens(alert))
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));
            int coordinate = (int)(BinaryPrimitives.ReadUInt32LittleEndian(hash) % Dimension);
            vector[coordinate] += (hash[4] & 1) == 0 ? weight : -weight;
        }
        float norm = MathF.Sqrt(vector.Sum(x => x * x));
        if (norm == 0) (vector[0], norm) = (1, 1);   // every token cancelled out: still a unit vector, the same each time
        for (int d = 0; d < Dimension; d++) vector[d] /= norm;
        return vector;
    }

    private static IEnumerable<(string Token, float Weight)> Tokens(MilvusAlert alert) =>
    [
        ($"component={alert.Component}", 1f),
        ($"check={alert.Check}", 1f),
        ($"target={alert.Target}", 1f),
        ($"status={alert.Status}", 0.5f),
        ($"severity={alert.Severity}", 0.5f),
    ];

    private static string Identity(MilvusAlert alert) => string.Join("\n", Tokens(alert).Select(t => t.Token));

    private static string Hex(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text))).ToLowerInvariant();
}
