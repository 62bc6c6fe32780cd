using System.Text.RegularExpressions;
using MilvusOps.Engine.Tests.Milvus;

namespace MilvusOps.Engine.Tests.Model;

/// <summary>
/// The README's error table is the catalog users read; the sources are what raises. These tests read both and
/// fail on any drift: an ErrorId raised but not listed (or listed under another category), a row no code raises, an
/// ErrorId raised with two kinds, or a raise the scanner cannot resolve.
/// </summary>
public sealed partial class ErrorCatalogTests
{
    private static readonly string Root = ConformanceTests.RepoRoot();

    private static readonly Lazy<ErrorIdScanner> Sources = new(() => ErrorIdScanner.ScanFolder(Path.Combine(Root, "src")));

    private static string Readme => File.ReadAllText(Path.Combine(Root, "README.md"));

    private static string CmdletBase => File.ReadAllText(Path.Combine(Root, "src", "MilvusOps", "Infrastructure", "EngineCmdlet.cs"));

    [Fact]
    public void TheScannerResolvesEveryErrorTheSourcesRaise()
    {
        Assert.True(Sources.Value.Problems.Count == 0, string.Join('\n', Sources.Value.Problems));
        // A floor, so a scanner that silently finds nothing cannot pass.
        Assert.True(Sources.Value.Raised.Select(r => r.ErrorId).Distinct().Count() >= 80, $"only {Sources.Value.Raised.Select(r => r.ErrorId).Distinct().Count()} ErrorIds found");
    }

    [Fact]
    public void EveryErrorIdIsRaisedWithOneKind()
    {
        var problems = TwoKinds(Sources.Value.Raised);
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void TheReadmeErrorTableListsExactlyTheErrorIdsRaisedUnderTheirCategories()
    {
        var problems = Compare(Sources.Value.Raised.Concat(Sources.Value.RejectIds), Readme, CategoryOf(CmdletBase));
        Assert.True(problems.Count == 0, "README '### Errors' table vs. src/:\n" + string.Join('\n', problems));
    }

    [Fact]
    public void RejectsFileErrorIdsAreListedAsInvalidData()
    {
        var rejects = Sources.Value.RejectIds;
        // The reader's reasons and the importer's duplicate: the ids a rejects file's ErrorId field can hold.
        Assert.Contains(rejects, r => r.ErrorId == "VectorUndecodable");
        Assert.Contains(rejects, r => r.ErrorId == "DuplicatePatternId");
        var listed = ReadmeErrorTable.Parse(Readme, []);
        var missing = rejects.Select(r => r.ErrorId).Distinct()
            .Where(id => !listed.Any(row => row.Category == "InvalidData" && row.ErrorIds.Contains(id)))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, "not in an InvalidData row of the README: " + string.Join(", ", missing));
    }

    [Fact]
    public void EveryErrorKindMapsToTheCategoryOfItsName()
    {
        // So the README's category column reads as the kind; a kind added without an arm would fall to InvalidOperation.
        var map = CategoryOf(CmdletBase);
        var mismatched = map.Where(p => p.Key != p.Value).Select(p => $"{p.Key} => {p.Value}").ToList();
        Assert.True(mismatched.Count == 0, string.Join(", ", mismatched));
    }

    // ---- The checks themselves can fail: planted drift is reported. ----

    private const string PlantedSource = """
        namespace Planted;
        internal static class PlantedErrors
        {
            public const string LimitId = "PlantedLimit";
            public static MilvusOpsException Limit(string what) => new(LimitId, ErrorKind.LimitsExceeded, $"over {what}, {"a, b"}");
            private static MilvusOpsException Invalid(string errorId, string message) => new(errorId, ErrorKind.InvalidArgument, message);
            private static void Check(int x, string errorId) { if (x < 0) throw Invalid(errorId, $"{x:0}, {(x > 1 ? "many" : "one")}"); }
            public static void Run(int x)
            {
                Check(x, "PlantedViaTwoHelpers");
                throw Invalid("PlantedViaHelper", @"a ""quoted"", text");
            }
            // new MilvusOpsException("InAComment", ErrorKind.InvalidData, "")
            private static (string, ErrorKind, string) Describe(int code) => code switch
            {
                1 => ("PlantedRow", ErrorKind.ObjectNotFound, "(a row, of a table)"),
                _ => ("PlantedDefault", ErrorKind.InvalidOperation, "x"),
            };
        }
        internal static class Caller
        {
            public static void Go() => throw new MilvusOpsException("PlantedDirect", ErrorKind.ParserError, "'\"' is a quote");
        }
        """;

    [Fact]
    public void TheScannerFollowsLiteralsConstantsHelpersAndTables()
    {
        var scan = new ErrorIdScanner([("Planted.cs", PlantedSource)]);
        Assert.Empty(scan.Problems);
        var found = scan.Raised.Select(r => $"{r.ErrorId}:{r.Kind}").Distinct().Order(StringComparer.Ordinal);
        Assert.Equal(
            ["PlantedDefault:InvalidOperation", "PlantedDirect:ParserError", "PlantedLimit:LimitsExceeded", "PlantedRow:ObjectNotFound",
             "PlantedViaHelper:InvalidArgument", "PlantedViaTwoHelpers:InvalidArgument"],
            found);
    }

    [Fact]
    public void TheScannerReportsARaiseItCannotResolve()
    {
        var scan = new ErrorIdScanner([("Odd.cs", """
            static class Odd
            {
                static string Pick() => "Whatever";
                static void A() => throw new MilvusOpsException(Pick(), ErrorKind.InvalidData, "");
                static void B(ErrorKind kind) => throw new MilvusOpsException("SomeId", kind, "");
            }
            """)]);
        Assert.Equal(2, scan.Problems.Count);
        Assert.Contains(scan.Problems, p => p.Contains("Pick()", StringComparison.Ordinal));
        Assert.Contains(scan.Problems, p => p.Contains("Odd.cs:5", StringComparison.Ordinal));
    }

    [Fact]
    public void AnErrorIdThrownWithTwoKindsInTwoFilesIsReported()
    {
        var scan = new ErrorIdScanner([
            ("A.cs", "class A { void F() => throw new MilvusOpsException(\"Twice\", ErrorKind.InvalidData, \"\"); }"),
            ("B.cs", "class B { static MilvusOpsException Fail<T>(string errorId) where T : class => new(errorId, ErrorKind.InvalidArgument, \"\"); void G() => throw Fail<string>(\"Twice\"); }"),
        ]);
        Assert.Empty(scan.Problems);
        var problem = Assert.Single(TwoKinds(scan.Raised));
        Assert.Contains("InvalidData (at A.cs:1) and InvalidArgument (at B.cs:1", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void AnErrorIdRaisedWithTwoKindsIsReported()
    {
        var problems = TwoKinds([new("Twice", "InvalidData", "a.cs:1"), new("Twice", "InvalidArgument", "b.cs:2"), new("Once", "InvalidData", "c.cs:3")]);
        var problem = Assert.Single(problems);
        Assert.Contains("Twice", problem, StringComparison.Ordinal);
        Assert.Contains("b.cs:2", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void PlantedDriftInTheReadmeIsReported()
    {
        const string readme = """
            ### Errors

            | ErrorId | category | when |
            |---|---|---|
            | `Listed`, `WrongCategory` | InvalidData | text, with a comma |
            | Stale (and a remark) | `ObjectNotFound` | |

            ## Next
            """;
        var categories = Enum.GetNames<ErrorKind>().ToDictionary(k => k, k => k);
        var raised = new RaisedError[] { new("Listed", "InvalidData", "a.cs:1"), new("WrongCategory", "InvalidArgument", "b.cs:2"), new("Unlisted", "LimitsExceeded", "c.cs:3") };
        var problems = Compare(raised, readme, categories);
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("Unlisted", StringComparison.Ordinal) && p.Contains("LimitsExceeded", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("WrongCategory", StringComparison.Ordinal) && p.Contains("InvalidArgument", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Stale", StringComparison.Ordinal) && p.Contains("stale", StringComparison.Ordinal));
        Assert.Empty(Compare(raised.Take(1), readme.Replace("`WrongCategory`", "", StringComparison.Ordinal).Replace("| Stale (and a remark) | `ObjectNotFound` | |\n", "", StringComparison.Ordinal), categories));
    }

    [Fact]
    public void TheRealReadmeFailsWhenARowLosesAnErrorId()
    {
        string readme = Readme.Replace("`StoreReadOnly`", "", StringComparison.Ordinal);
        var problems = Compare(Sources.Value.Raised.Concat(Sources.Value.RejectIds), readme, CategoryOf(CmdletBase));
        Assert.Contains(problems, p => p.StartsWith("StoreReadOnly", StringComparison.Ordinal));
    }

    // ---- The comparison ----

    /// <summary>Every way the table and the raises disagree, one line each, naming the source and README lines.</summary>
    internal static List<string> Compare(IEnumerable<RaisedError> raised, string readme, IReadOnlyDictionary<string, string> categoryOfKind)
    {
        var problems = new List<string>();
        var rows = ReadmeErrorTable.Parse(readme, problems);
        var listed = rows.SelectMany(r => r.ErrorIds.Select(id => (Id: id, r.Category, r.Line))).ToList();
        foreach (var row in rows.Where(r => !categoryOfKind.Values.Contains(r.Category)))
            problems.Add($"README line {row.Line}: '{row.Category}' is not a category any ErrorKind maps to");
        foreach (var group in raised.GroupBy(r => r.ErrorId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var rowsOfId = listed.Where(l => l.Id == group.Key).ToList();
            var categories = group.Select(r => r.Kind).Distinct().ToDictionary(k => k, k => categoryOfKind.TryGetValue(k, out string? c) ? c : $"(unmapped kind {k})");
            foreach (var (kind, category) in categories)
            {
                string where = group.First(r => r.Kind == kind).Where;
                if (rowsOfId.Count == 0)
                    problems.Add($"{group.Key} ({category}, raised at {where}) is not in the README table");
                else if (!rowsOfId.Any(l => l.Category == category))
                    problems.Add($"{group.Key} is raised as {kind}{(category == kind ? "" : $" (category {category})")} at {where}, but README line {rowsOfId[0].Line} lists it under {rowsOfId[0].Category}");
            }
            if (rowsOfId.Any(l => categories.ContainsValue(l.Category)))
                foreach (var other in rowsOfId.Where(l => !categories.ContainsValue(l.Category)))
                    problems.Add($"{group.Key} is also listed under {other.Category} on README line {other.Line}, which it is never raised as");
        }
        var raisedIds = raised.Select(r => r.ErrorId).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in listed.Where(l => !raisedIds.Contains(l.Id)))
            problems.Add($"{stale.Id} (README line {stale.Line}) is stale: nothing in src/ raises it");
        return problems;
    }

    /// <summary>ErrorIds raised with more than one kind, naming one place for each kind.</summary>
    internal static List<string> TwoKinds(IEnumerable<RaisedError> raised) =>
        raised.GroupBy(r => r.ErrorId)
            .Where(g => g.Select(r => r.Kind).Distinct().Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} is raised as " + string.Join(" and ", g.GroupBy(r => r.Kind).Select(k => $"{k.Key} (at {k.First().Where})")))
            .ToList();

    /// <summary>The cmdlets' ErrorKind → ErrorCategory map, read from EngineCmdlet.CategoryOf (the engine tests cannot load PowerShell).</summary>
    internal static Dictionary<string, string> CategoryOf(string cmdletSource)
    {
        var body = CategoryOfBody().Match(cmdletSource);
        Assert.True(body.Success, "EngineCmdlet.CategoryOf not found");
        var map = KindArm().Matches(body.Groups[1].Value).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        var fallback = DefaultArm().Match(body.Groups[1].Value);
        Assert.True(fallback.Success, "CategoryOf has no default arm");
        foreach (string kind in Enum.GetNames<ErrorKind>()) map.TryAdd(kind, fallback.Groups[1].Value);
        return map;
    }

    [GeneratedRegex(@"ErrorCategory CategoryOf\(ErrorKind kind\) => kind switch\s*\{(.*?)\};", RegexOptions.Singleline)]
    private static partial Regex CategoryOfBody();

    [GeneratedRegex(@"ErrorKind\.(\w+)\s*=>\s*ErrorCategory\.(\w+)")]
    private static partial Regex KindArm();

    [GeneratedRegex(@"_\s*=>\s*ErrorCategory\.(\w+)")]
    private static partial Regex DefaultArm();
}
