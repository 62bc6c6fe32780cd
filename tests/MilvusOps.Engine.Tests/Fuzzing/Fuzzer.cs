using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Tests.Fuzzing;

/// <summary>
/// A seeded mutation loop over a checked-in seed corpus. Deterministic (a fixed seed, a fixed number of
/// iterations, never wall time), so a failure reproduces: its message carries the iteration and the
/// input, escaped. Mutations insert tokens of the target's language, delete, duplicate, repeat a slice
/// many times (deep nesting, long chains), splice two seeds, and plant control characters and lone surrogates.
/// </summary>
internal sealed class Fuzzer(int seed, IReadOnlyList<string> corpus, IReadOnlyList<string> tokens)
{
    private readonly Random _random = new(seed);

    public static IReadOnlyList<string> Corpus(string name)
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "Fuzzing", "corpus", name);
        var seeds = Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(File.ReadAllText).ToList();
        Assert.NotEmpty(seeds);
        return seeds;
    }

    /// <summary>
    /// Runs <paramref name="property"/> on every seed and then on <paramref name="iterations"/> mutants.
    /// The property throws (any exception, an xunit assertion included) to report a failure.
    /// </summary>
    public void Run(int iterations, Action<string> property)
    {
        var inputs = corpus.Select((text, i) => (Label: $"seed {i}", Text: text))
            .Concat(Enumerable.Range(0, iterations).Select(i => (Label: $"iteration {i}", Text: Mutate())));
        foreach (var (label, text) in inputs)
        {
            try
            {
                property(text);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException(
                    $"Fuzzer seed {seed}, {label}: {ex.GetType().Name}: {ex.Message}\nInput ({text.Length} chars): {Escape(text)}");
            }
        }
    }

    private string Mutate()
    {
        string text = corpus[_random.Next(corpus.Count)];
        int steps = 1 + _random.Next(4);
        for (int s = 0; s < steps; s++)
            text = MutateOnce(text);
        return text;
    }

    private string MutateOnce(string text)
    {
        int at = _random.Next(text.Length + 1);
        int length = text.Length - at == 0 ? 0 : _random.Next(Math.Min(12, text.Length - at) + 1);
        switch (_random.Next(8))
        {
            case 0:
            case 1:
                return text.Insert(at, tokens[_random.Next(tokens.Count)]);
            case 2:
                return text.Remove(at, length);
            case 3:
                return text.Insert(at, text.Substring(at, length));
            case 4:
                // A slice repeated up to a few thousand times: nesting and chains past every limit.
                int times = 1 << _random.Next(13);
                return text.Insert(at, string.Concat(Enumerable.Repeat(text.Substring(at, length), Math.Min(times, 100_000 / Math.Max(1, length)))));
            case 5:
                string other = corpus[_random.Next(corpus.Count)];
                int from = _random.Next(other.Length + 1);
                return text[..at] + other[from..];
            case 6:
                char odd = _random.Next(4) switch
                {
                    0 => (char)_random.Next(0x20),              // a control character
                    1 => (char)(0xD800 + _random.Next(0x800)),  // a lone surrogate
                    2 => (char)(0x7F + _random.Next(0x80)),
                    _ => (char)_random.Next(0x10000),
                };
                return text.Insert(at, odd.ToString());
            default:
                return at < text.Length ? text.Remove(at, 1).Insert(at, ((char)(' ' + _random.Next(95))).ToString()) : text + "1";
        }
    }

    internal static string Escape(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text.Length > 2000 ? text[..2000] : text)
            sb.Append(c is < ' ' or > '~' ? "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture) : c.ToString());
        return text.Length > 2000 ? sb.Append("… (cut)").ToString() : sb.ToString();
    }
}
