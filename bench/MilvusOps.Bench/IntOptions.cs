using System.Globalization;

namespace MilvusOps.Bench;

/// <summary>A benchmark's integer options (<c>--name value</c>) with their defaults. An unknown option or a missing or
/// non-integer value is reported on stderr, and <see cref="Parse"/> returns null (exit code 2).</summary>
internal sealed class IntOptions
{
    private readonly Dictionary<string, int> _values;

    private IntOptions(Dictionary<string, int> values) => _values = values;

    public int this[string name] => _values[name];

    public static IntOptions? Parse(string[] args, params (string Name, int Default)[] known)
    {
        var values = known.ToDictionary(k => k.Name, k => k.Default, StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : "";
            if (!values.ContainsKey(name))
            {
                Console.Error.WriteLine($"Unknown option '{args[i]}'.");
                return null;
            }
            if (i + 1 >= args.Length || !int.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            {
                Console.Error.WriteLine($"--{name} needs an integer value.");
                return null;
            }
            values[name] = value;
        }
        return new IntOptions(values);
    }
}
