using System.Globalization;

namespace MilvusOps.LegacyGenerator;

/// <summary>A command-line mistake: the message and the usage go to stderr, exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

internal sealed record GeneratorOptions(string Path, int Rows, int Dimension, bool Bad, int Seed, bool Force)
{
    public const string Usage =
        "usage: milvusops-legacygen <path> [--rows N] [--dimension D] [--bad] [--seed S] [--force]\n" +
        "  --rows N       pattern rows to write (default 10000)\n" +
        "  --dimension D  vector dimension (default 512)\n" +
        "  --bad          plant ~1% bad rows of 8 documented kinds\n" +
        "  --seed S       random seed; the same seed writes the same file (default 1)\n" +
        "  --force        overwrite an existing file";

    /// <summary>The options, or null when help was asked for.</summary>
    public static GeneratorOptions? Parse(string[] args)
    {
        string? path = null;
        int rows = 10_000, dimension = 512, seed = 1;
        bool bad = false, force = false;
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-h" or "--help" or "-?":
                    return null;
                case "--rows":
                    rows = Number(args, ref i, arg);
                    break;
                case "--dimension":
                    dimension = Number(args, ref i, arg);
                    break;
                case "--seed":
                    seed = Number(args, ref i, arg);
                    break;
                case "--bad":
                    bad = true;
                    break;
                case "--force":
                    force = true;
                    break;
                default:
                    if (arg.StartsWith("--", StringComparison.Ordinal)) throw new UsageException($"Unknown option '{arg}'.");
                    if (path is not null) throw new UsageException($"Only one path may be given ('{path}' and '{arg}').");
                    path = arg;
                    break;
            }
        }
        if (path is null) throw new UsageException("Give the path of the legacy file to write.");
        if (rows < 1) throw new UsageException("--rows must be at least 1.");
        if (dimension is < 2 or > 32768) throw new UsageException("--dimension must be 2 to 32768.");
        if (bad && rows < 100) throw new UsageException("--bad needs at least 100 rows.");
        return new GeneratorOptions(System.IO.Path.GetFullPath(path), rows, dimension, bad, seed, force);
    }

    private static int Number(string[] args, ref int i, string name)
    {
        if (i + 1 >= args.Length || !int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new UsageException($"{name} needs an integer.");
        i++;
        return value;
    }
}
