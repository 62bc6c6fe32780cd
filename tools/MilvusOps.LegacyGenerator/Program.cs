using System.Diagnostics;
using System.Globalization;
using MilvusOps.LegacyGenerator;

// milvusops-legacygen <path> [--rows N] [--dimension D] [--bad] [--seed S] [--force]
try
{
    var options = GeneratorOptions.Parse(args);
    if (options is null)
    {
        Console.Error.WriteLine(GeneratorOptions.Usage);
        return 0;
    }
    var stopwatch = Stopwatch.StartNew();
    var summary = new LegacyFileWriter(options).Write();
    summary.ElapsedMs = stopwatch.ElapsedMilliseconds;
    Console.Out.WriteLine(summary.ToJson());
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"Wrote {summary.Rows:N0} rows ({summary.Dimension}-d) to {summary.Path} in {summary.ElapsedMs / 1000.0:F1} s; {summary.BadTotal} planted bad rows."));
    Console.Error.WriteLine("Read it with:");
    Console.Error.WriteLine($"  Get-SqlitePattern -Path '{summary.Path}' -Table {LegacyFileWriter.Table} -ColumnMap {LegacyFileWriter.ColumnMap}");
    return 0;
}
catch (UsageException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(GeneratorOptions.Usage);
    return 2;
}
