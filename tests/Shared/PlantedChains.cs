using System.Globalization;

namespace MilvusOps.Tests.Shared;

/// <summary>
/// A timeline with planted chains, for correlation and prediction: each kind of event is a random direction, and every
/// event of a kind is a near-duplicate of it (cosine about 0.99). Each episode starts with a burst of one kind, and the
/// chain's next kinds follow it at fixed delays, each with its probability; noise events of kinds that never repeat fall
/// between episodes. Deterministic for a seed, so the truth is known.
/// </summary>
public sealed class PlantedChains
{
    public sealed record Event(string Id, float[] Vector, string Kind, DateTimeOffset Time)
    {
        /// <summary>The event as temporal_context JSON under <paramref name="key"/>.</summary>
        public string Context(string key) => $$"""{"{{key}}":"{{Time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}}"}""";
    }

    /// <summary>One link of a chain: a kind, how long after the episode's start it occurs, and how often.</summary>
    public sealed record Link(string Kind, TimeSpan Delay, double Probability = 1);

    private readonly Random _random;
    private readonly Dictionary<string, float[]> _kinds = new(StringComparer.Ordinal);
    private readonly int _dimension;

    public PlantedChains(int dimension, int seed) => (_dimension, _random) = (dimension, new Random(seed));

    public List<Event> Events { get; } = [];

    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The direction of a kind (made at its first use).</summary>
    public float[] KindVector(string kind)
    {
        if (!_kinds.TryGetValue(kind, out var vector)) _kinds[kind] = vector = Unit(Enumerable.Range(0, _dimension).Select(_ => Gaussian()).ToArray());
        return vector;
    }

    /// <summary>Plants <paramref name="episodes"/> episodes of the chain, one every <paramref name="every"/>, the first
    /// link a burst of <paramref name="burst"/> near-duplicates 10 seconds apart, and one noise event between episodes.</summary>
    public PlantedChains Plant(string name, int episodes, TimeSpan every, int burst, params Link[] chain)
    {
        for (int e = 0; e < episodes; e++)
        {
            var start = Start + every * e;
            for (int b = 0; b < burst; b++) Add($"{name}-{e:D4}-{chain[0].Kind}-{b}", chain[0].Kind, start + TimeSpan.FromSeconds(10 * b));
            foreach (var link in chain.Skip(1))
                if (_random.NextDouble() < link.Probability) Add($"{name}-{e:D4}-{link.Kind}", link.Kind, start + link.Delay);
            Add($"{name}-{e:D4}-noise", $"noise-{name}-{e}", start + every / 2);
        }
        return this;
    }

    /// <summary>Plants <paramref name="episodes"/> episodes of the chain at random times within <paramref name="span"/>,
    /// the first link a burst of 1 to <paramref name="burst"/> near-duplicates 10 seconds apart.</summary>
    public PlantedChains PlantAtRandom(string name, int episodes, TimeSpan span, int burst, params Link[] chain)
    {
        for (int e = 0; e < episodes; e++)
        {
            var start = Start + span * _random.NextDouble();
            int copies = 1 + _random.Next(burst);
            for (int b = 0; b < copies; b++) Add($"{name}-{e:D6}-{chain[0].Kind}-{b}", chain[0].Kind, start + TimeSpan.FromSeconds(10 * b));
            foreach (var link in chain.Skip(1))
                if (_random.NextDouble() < link.Probability) Add($"{name}-{e:D6}-{link.Kind}", link.Kind, start + link.Delay);
        }
        return this;
    }

    /// <summary>Events of one kind at random times within <paramref name="span"/>, following nothing.</summary>
    public PlantedChains Recurring(string kind, int count, TimeSpan span)
    {
        for (int i = 0; i < count; i++) Add($"{kind}-{i:D6}", kind, Start + span * _random.NextDouble());
        return this;
    }

    /// <summary>Events of kinds that never repeat, at random times within <paramref name="span"/>.</summary>
    public PlantedChains Noise(string name, int count, TimeSpan span)
    {
        for (int i = 0; i < count; i++) Add($"{name}-{i:D6}", $"{name}-{i}", Start + span * _random.NextDouble());
        return this;
    }

    private void Add(string id, string kind, DateTimeOffset time)
    {
        var vector = KindVector(kind).Select(x => x + Gaussian() * 0.1f / MathF.Sqrt(_dimension)).ToArray();
        Events.Add(new Event(id, Unit(vector), kind, time));
    }

    private float Gaussian() => (float)(Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble()));

    private static float[] Unit(float[] vector)
    {
        float norm = MathF.Sqrt(vector.Sum(x => x * x));
        return vector.Select(x => x / norm).ToArray();
    }
}
