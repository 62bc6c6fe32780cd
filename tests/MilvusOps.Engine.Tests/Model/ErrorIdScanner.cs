using System.Text;
using System.Text.RegularExpressions;

namespace MilvusOps.Engine.Tests.Model;

/// <summary>One ErrorId the sources can raise, with the kind it is raised with and where.</summary>
internal sealed record RaisedError(string ErrorId, string Kind, string Where);

/// <summary>
/// Reads the C# sources, without compiling them, for every (ErrorId, ErrorKind) pair they raise: an id written next to
/// its kind (<c>new MilvusOpsException("Id", ErrorKind.X, ...)</c>, <c>new(Id, ErrorKind.X, ...)</c>, <c>base(...)</c>,
/// or a <c>("Id", ErrorKind.X, text)</c> row of a mapping table), with the id a literal or a string constant, or a
/// parameter of a helper whose callers pass the id. Anything it cannot resolve is a <see cref="Problems"/> entry, so a
/// new way of raising an error fails the catalog test instead of slipping past it.
/// </summary>
internal sealed class ErrorIdScanner
{
    /// <summary>
    /// The one id expression that is not an id: Get-SqlitePattern raises a rejected row's ErrorId, which is one of the
    /// legacy reader's reject reasons (<c>new RowRejected("Id", ...)</c>).
    /// </summary>
    private const string ReaderRejectId = "record.ErrorId!";

    private readonly List<SourceFile> _files;
    private readonly Dictionary<string, HashSet<string>> _constants = new(StringComparer.Ordinal);

    public List<RaisedError> Raised { get; } = [];

    /// <summary>ErrorIds a rejects file (and Get-SqlitePattern) can carry: the reader's reasons and the importer's own.</summary>
    public List<RaisedError> RejectIds { get; } = [];

    public List<string> Problems { get; } = [];

    private readonly List<RaisedError> _readerRejects = [];

    public ErrorIdScanner(IEnumerable<(string Path, string Text)> sources)
    {
        _files = sources.Select(s => new SourceFile(s.Path, CSharpLexer.Lex(s.Text))).ToList();
        foreach (var file in _files) CollectConstants(file);
        foreach (var file in _files) CollectRejectReasons(file);
        foreach (var file in _files) CollectPairs(file);
        foreach (var file in _files) CheckConstructions(file);
    }

    public static ErrorIdScanner ScanFolder(string folder) => new(
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(p => !p.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Order(StringComparer.Ordinal)
            .Select(p => (Path.GetRelativePath(folder, p), File.ReadAllText(p))));

    // const string Name = "value";
    private void CollectConstants(SourceFile file)
    {
        var t = file.Tokens;
        for (int i = 0; i + 5 < t.Count; i++)
            if (t[i].Is("const") && t[i + 1].Is("string") && t[i + 2].IsIdent && t[i + 3].Is("=") && t[i + 4].IsString && t[i + 5].Is(";"))
            {
                if (!_constants.TryGetValue(t[i + 2].Text, out var values)) _constants[t[i + 2].Text] = values = [];
                values.Add(t[i + 4].Value!);
            }
    }

    // new RowRejected("Id", ...) in the legacy reader, new SourceRecord(row, id, "Id", ...) in other sources, and the ids the
    // importer writes beside them (new Rejection(row, id, ErrorId, ...)).
    private void CollectRejectReasons(SourceFile file)
    {
        var t = file.Tokens;
        for (int i = 0; i + 2 < t.Count; i++)
        {
            if (!t[i].Is("new") || !t[i + 2].Is("(")) continue;
            int errorIdArgument = t[i + 1].Text switch { "RowRejected" => 0, "Rejection" or "SourceRecord" => 2, _ => -1 };
            if (errorIdArgument < 0) continue;
            var args = Arguments(t, i + 2);
            if (args.Count == 2 && t[i + 1].Is("SourceRecord")) continue;   // a row that became a pattern
            if (args.Count <= errorIdArgument) { Problems.Add($"{file.Where(t[i])}: new {t[i + 1].Text} with too few arguments"); continue; }
            var arg = args[errorIdArgument];
            string text = Join(arg);
            // Ids the reader already recorded (a RowRejected carried on), or that a validation raised (and the scan reads where it is raised).
            if (text is ReaderRejectId or "ex.ErrorId" or "reject.ErrorId") continue;
            if (ResolveConstant(arg) is { } ids)
                foreach (string id in ids)
                {
                    var reject = new RaisedError(id, nameof(ErrorKind.InvalidData), file.Where(t[i]));
                    RejectIds.Add(reject);
                    if (t[i + 1].Text == "RowRejected") _readerRejects.Add(reject);
                }
            else Problems.Add($"{file.Where(t[i])}: cannot tell which ErrorId a {t[i + 1].Text} carries: {text}");
        }
    }

    // Every "<id>, ErrorKind.<Kind>" that opens an argument list or a tuple.
    private void CollectPairs(SourceFile file)
    {
        var t = file.Tokens;
        for (int i = 0; i + 2 < t.Count; i++)
        {
            if (!t[i].Is("ErrorKind") || !t[i + 1].Is(".") || !t[i + 2].IsIdent || (i > 0 && t[i - 1].Is("."))) continue;
            if (i + 3 < t.Count && t[i + 3].Is("=>")) continue;                                        // a switch arm mapping kinds
            if (i > 0 && (t[i - 1].Is("==") || t[i - 1].Is("!=") || t[i - 1].Is("is") || t[i - 1].Is("case"))) continue; // a test of a kind
            string kind = t[i + 2].Text;
            int open = i - 1 >= 0 && t[i - 1].Is(",") ? OpeningParen(t, i - 1) : -1;
            if (open < 0)
            {
                Problems.Add($"{file.Where(t[i])}: ErrorKind.{kind} is not the second item after an ErrorId");
                continue;
            }
            var id = t.GetRange(open + 1, i - 1 - (open + 1));
            Resolve(file, open + 1, id, kind, file.Where(t[i]), depth: 0);
        }
    }

    /// <summary>Adds the ids an id expression stands for, following helpers' parameters back to their callers.</summary>
    private void Resolve(SourceFile file, int at, List<Token> id, string kind, string where, int depth)
    {
        string text = Join(id);
        if (ResolveConstant(id) is { } ids)
        {
            foreach (string one in ids) Raised.Add(new RaisedError(one, kind, where));
            return;
        }
        if (text == ReaderRejectId)
        {
            foreach (var reject in _readerRejects)
                Raised.Add(reject with { Kind = kind, Where = $"{where} (a reject reason from {reject.Where})" });
            return;
        }
        if (id.Count == 1 && id[0].IsIdent && depth < 5 && EnclosingMethod(file.Tokens, at) is { } method
            && method.Parameters.IndexOf(id[0].Text) is int position and >= 0)
        {
            var callers = Callers(file, method).ToList();
            // A helper whose id no call passes would hide its ids; every helper here is called.
            if (callers.Count == 0) Problems.Add($"{where}: no call of {method.Name} passes its {id[0].Text}");
            foreach (var (callerFile, callAt, args) in callers)
            {
                if (args.Count <= position) { Problems.Add($"{callerFile.Where(callerFile.Tokens[callAt])}: {method.Name} called with too few arguments"); continue; }
                Resolve(callerFile, callAt, args[position], kind, $"{callerFile.Where(callerFile.Tokens[callAt])} via {method.Name}", depth + 1);
            }
            return;
        }
        Problems.Add($"{where}: cannot tell which ErrorId '{text}' is (a literal, a string constant or a helper's parameter)");
    }

    /// <summary>A literal, or a (qualified) string constant declared once.</summary>
    private HashSet<string>? ResolveConstant(List<Token> id)
    {
        if (id.Count == 1 && id[0].IsString) return [id[0].Value!];
        if (id.Count == 0 || id.Count % 2 == 0 || !id[^1].IsIdent) return null;
        for (int k = 0; k < id.Count; k++)
            if (k % 2 == 0 ? !id[k].IsIdent : !id[k].Is(".")) return null;
        return _constants.TryGetValue(id[^1].Text, out var values) && values.Count == 1 ? values : null;
    }

    // A MilvusOpsException built any other way than "id, ErrorKind.X" must be a known indirection.
    private void CheckConstructions(SourceFile file)
    {
        var t = file.Tokens;
        for (int i = 0; i + 2 < t.Count; i++)
        {
            if (!t[i].Is("new") || !t[i + 1].Is("MilvusOpsException") || !t[i + 2].Is("(")) continue;
            var args = Arguments(t, i + 2);
            if (args.Count >= 2 && Join(args[1]).StartsWith("ErrorKind.", StringComparison.Ordinal)) continue;
            // MilvusErrors.FromStatus: the id and kind come from its Describe table, whose rows the scan reads.
            if (file.Path.EndsWith("MilvusErrors.cs", StringComparison.Ordinal) && args.Count >= 2 && Join(args[0]) == "id" && Join(args[1]) == "kind") continue;
            Problems.Add($"{file.Where(t[i])}: a MilvusOpsException whose kind is not written as ErrorKind.X beside its id");
        }
    }

    private sealed record Method(string Name, List<string> Parameters, int NameAt);

    /// <summary>The method (or constructor, or local function) whose body holds token <paramref name="at"/>.</summary>
    private static Method? EnclosingMethod(List<Token> t, int at)
    {
        for (int m = at - 1; m > 0; m--)
        {
            if (!t[m].IsIdent || CSharpLexer.Keywords.Contains(t[m].Text)) continue;
            int open = t[m + 1].Is("<") ? AfterTypeParameters(t, m + 1) : m + 1;
            if (open < 0 || open >= t.Count || !t[open].Is("(")) continue;
            var before = t[m - 1];
            // A declaration has its return type (or a modifier) before its name; a call has an operator or a keyword.
            if (!(before.IsIdent && !CSharpLexer.Keywords.Contains(before.Text) || before.Is(">") || before.Is("?") || before.Is("]"))) continue;
            int close = ClosingParen(t, open);
            if (close < 0 || close + 1 >= t.Count || close >= at) continue;
            if (!(t[close + 1].Is("=>") || t[close + 1].Is("{") || t[close + 1].Is(":") || t[close + 1].Is("where"))) continue;
            var parameters = Arguments(t, open).Select(p => p.TakeWhile(x => !x.Is("=")).LastOrDefault(x => x.IsIdent)?.Text ?? "").ToList();
            return new Method(t[m].Text, parameters, m);
        }
        return null;
    }

    /// <summary>Calls of a helper: by its bare name in its own file, or qualified by a type its file declares.</summary>
    private IEnumerable<(SourceFile File, int At, List<List<Token>> Args)> Callers(SourceFile declaring, Method method)
    {
        var types = DeclaredTypes(declaring.Tokens);
        foreach (var file in _files)
        {
            var t = file.Tokens;
            for (int i = 1; i + 1 < t.Count; i++)
            {
                if (!t[i].Is(method.Name)) continue;
                int open = t[i + 1].Is("<") ? AfterTypeParameters(t, i + 1) : i + 1;
                if (open < 0 || open >= t.Count || !t[open].Is("(")) continue;
                if (file == declaring && i == method.NameAt) continue;
                bool qualified = t[i - 1].Is(".");
                if (qualified ? !(i >= 2 && types.Contains(t[i - 2].Text)) : file != declaring) continue;
                if (!qualified && (t[i - 1].IsIdent && !CSharpLexer.Keywords.Contains(t[i - 1].Text) || t[i - 1].Is(">"))) continue; // another declaration
                yield return (file, i, Arguments(t, open));
            }
        }
    }

    private static HashSet<string> DeclaredTypes(List<Token> t)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < t.Count; i++)
            if ((t[i].Is("class") || t[i].Is("struct") || t[i].Is("record") || t[i].Is("interface")) && t[i + 1].IsIdent) types.Add(t[i + 1].Text);
        return types;
    }

    /// <summary>The top-level, comma-separated items between the parenthesis at <paramref name="open"/> and its match.</summary>
    internal static List<List<Token>> Arguments(List<Token> t, int open)
    {
        var args = new List<List<Token>>();
        var current = new List<Token>();
        int depth = 0;
        for (int i = open + 1; i < t.Count; i++)
        {
            if (t[i].Is("(") || t[i].Is("[") || t[i].Is("{")) depth++;
            else if (t[i].Is(")") || t[i].Is("]") || t[i].Is("}"))
            {
                if (depth == 0) break;
                depth--;
            }
            else if (t[i].Is(",") && depth == 0)
            {
                args.Add(current);
                current = [];
                continue;
            }
            current.Add(t[i]);
        }
        if (current.Count > 0 || args.Count > 0) args.Add(current);
        return args;
    }

    // The token after a method's <T, U>, or -1 when the angle brackets do not close.
    private static int AfterTypeParameters(List<Token> t, int open)
    {
        int depth = 0;
        for (int i = open; i < t.Count; i++)
        {
            if (t[i].Is("<")) depth++;
            else if (t[i].Is(">") && --depth == 0) return i + 1;
            else if (!(t[i].IsIdent || t[i].Is(",") || t[i].Is("?") || t[i].Is("[") || t[i].Is("]") || t[i].Is("."))) return -1;
        }
        return -1;
    }

    private static int ClosingParen(List<Token> t, int open)
    {
        int depth = 0;
        for (int i = open; i < t.Count; i++)
        {
            if (t[i].Is("(")) depth++;
            else if (t[i].Is(")") && --depth == 0) return i;
        }
        return -1;
    }

    /// <summary>The unmatched '(' before <paramref name="at"/>, when only one item (the id) lies between them.</summary>
    private static int OpeningParen(List<Token> t, int comma)
    {
        int depth = 0;
        for (int i = comma - 1; i >= 0; i--)
        {
            if (t[i].Is(")") || t[i].Is("]") || t[i].Is("}")) depth++;
            else if (t[i].Is("(") || t[i].Is("[") || t[i].Is("{"))
            {
                if (depth == 0) return t[i].Is("(") ? i : -1;
                depth--;
            }
            else if (depth == 0 && (t[i].Is(",") || t[i].Is(";") || t[i].Is("=>") || t[i].Is("="))) return -1;
        }
        return -1;
    }

    private static string Join(List<Token> tokens) => string.Concat(tokens.Select(x => x.IsString ? $"\"{x.Value}\"" : x.Text));

    private sealed record SourceFile(string Path, List<Token> Tokens)
    {
        public string Where(Token token) => $"{Path}:{token.Line}";
    }
}

internal enum TokenKind { Identifier, String, Punctuation, Other }

internal sealed record Token(TokenKind Kind, string Text, int Line, string? Value = null)
{
    public bool IsIdent => Kind == TokenKind.Identifier;

    /// <summary>A plain (not interpolated) string literal, whose <see cref="Value"/> is known.</summary>
    public bool IsString => Kind == TokenKind.String && Value is not null;

    public bool Is(string text) => Kind != TokenKind.String && Text == text;
}

/// <summary>
/// Just enough of C#'s lexical grammar to find identifiers, punctuation and literal strings: comments are dropped,
/// and interpolated and raw strings (with their holes) become one opaque token, so a comma or a quote inside them
/// never reads as code.
/// </summary>
internal static class CSharpLexer
{
    public static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "if", "while", "for", "foreach", "switch", "catch", "using", "lock", "return", "throw", "new", "await", "else",
        "case", "in", "is", "as", "yield", "when", "nameof", "typeof", "sizeof", "default", "checked", "unchecked", "fixed",
        "base", "this", "not", "and", "or", "out", "ref", "var", "get", "set", "init", "with",
    };

    public static List<Token> Lex(string s)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1;
        while (i < s.Length)
        {
            char c = s[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c == '/' && At(s, i + 1) == '/') { while (i < s.Length && s[i] != '\n') i++; continue; }
            if (c == '/' && At(s, i + 1) == '*')
            {
                int end = s.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? s.Length : end + 2;
                line += Count(s, i, end);
                i = end;
                continue;
            }
            int startLine = line;
            if (IsStringStart(s, i))
            {
                int end = SkipString(s, i, out string? value);
                line += Count(s, i, end);
                tokens.Add(new Token(TokenKind.String, s[i..end], startLine, value));
                i = end;
                continue;
            }
            if (c == '\'') { int end = SkipChar(s, i); tokens.Add(new Token(TokenKind.Other, s[i..end], line)); i = end; continue; }
            if (char.IsLetter(c) || c == '_' || c == '@' && (char.IsLetter(At(s, i + 1)) || At(s, i + 1) == '_'))
            {
                int start = c == '@' ? i + 1 : i;
                i = start;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_')) i++;
                tokens.Add(new Token(TokenKind.Identifier, s[start..i], line));
                continue;
            }
            if (char.IsDigit(c))
            {
                int start = i;
                while (i < s.Length && (char.IsLetterOrDigit(s[i]) || s[i] == '_' || s[i] == '.' && char.IsDigit(At(s, i + 1)))) i++;
                tokens.Add(new Token(TokenKind.Other, s[start..i], line));
                continue;
            }
            string two = i + 1 < s.Length ? s.Substring(i, 2) : "";
            if (two is "=>" or "==" or "!=")
            {
                tokens.Add(new Token(TokenKind.Punctuation, two, line));
                i += 2;
                continue;
            }
            tokens.Add(new Token(TokenKind.Punctuation, c.ToString(), line));
            i++;
        }
        return tokens;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static int Count(string s, int from, int to)
    {
        int n = 0;
        for (int k = from; k < to; k++) if (s[k] == '\n') n++;
        return n;
    }

    private static bool IsStringStart(string s, int i)
    {
        int k = i;
        while (k < s.Length && (s[k] == '$' || s[k] == '@')) k++;
        return k < s.Length && s[k] == '"' && (k == i || s[i] is '$' or '@');
    }

    /// <summary>The end of the string literal at <paramref name="i"/>; <paramref name="value"/> is its text when it has no holes.</summary>
    private static int SkipString(string s, int i, out string? value)
    {
        int dollars = 0;
        bool verbatim = false;
        while (s[i] != '"')
        {
            if (s[i] == '$') dollars++; else verbatim = true;
            i++;
        }
        value = null;
        int quotes = 0;
        while (At(s, i + quotes) == '"') quotes++;
        if (quotes >= 3)
        {
            // Raw string: it ends at the same run of quotes; its holes cannot hold that run.
            int end = s.IndexOf(new string('"', quotes), i + quotes, StringComparison.Ordinal);
            return end < 0 ? s.Length : end + quotes;
        }
        if (quotes == 2 && !verbatim) { value = dollars == 0 ? "" : null; return i + 2; }
        var text = new StringBuilder();
        int k = i + 1;
        while (k < s.Length)
        {
            char c = s[k];
            if (verbatim && c == '"' && At(s, k + 1) == '"') { text.Append('"'); k += 2; continue; }
            if (c == '"') { value = dollars == 0 ? text.ToString() : null; return k + 1; }
            if (!verbatim && c == '\\') { text.Append(At(s, k + 1)); k += 2; continue; }
            if (dollars > 0 && c == '{')
            {
                if (At(s, k + 1) == '{') { k += 2; continue; }
                k = SkipHole(s, k + 1);
                continue;
            }
            text.Append(c);
            k++;
        }
        return s.Length;
    }

    // An interpolation hole: code up to its closing brace, with strings, chars and nested braces inside.
    private static int SkipHole(string s, int i)
    {
        int depth = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (IsStringStart(s, i)) { i = SkipString(s, i, out _); continue; }
            if (c == '\'') { i = SkipChar(s, i); continue; }
            if (c is '(' or '[' or '{') depth++;
            else if (c is ')' or ']') depth--;
            else if (c == '}')
            {
                if (depth == 0) return i + 1;
                depth--;
            }
            i++;
        }
        return s.Length;
    }

    private static int SkipChar(string s, int i)
    {
        int k = i + 1;
        if (At(s, k) == '\\') k += 2; else k++;
        while (k < s.Length && s[k] != '\'') k++;
        return k + 1;
    }
}

/// <summary>The README's error table: each row's ErrorIds and its category.</summary>
internal static partial class ReadmeErrorTable
{
    public sealed record Row(int Line, IReadOnlyList<string> ErrorIds, string Category);

    /// <summary>The rows of the table under "### Errors"; <paramref name="problems"/> gets cells that do not read as ids or a category.</summary>
    public static List<Row> Parse(string markdown, List<string> problems)
    {
        var lines = markdown.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        int heading = Array.FindIndex(lines, l => l.Trim() == "### Errors");
        var rows = new List<Row>();
        if (heading < 0) { problems.Add("README has no '### Errors' section"); return rows; }
        bool inTable = false;
        for (int n = heading + 1; n < lines.Length && !lines[n].StartsWith('#'); n++)
        {
            string line = lines[n].Trim();
            if (!line.StartsWith('|')) { if (inTable) break; continue; }
            bool header = !inTable;
            inTable = true;
            var cells = line.Trim('|').Split('|');
            if (header || cells[0].Trim().All(ch => ch is '-' or ':' or ' ')) continue;
            if (cells.Length < 2) { problems.Add($"README line {n + 1}: a row without a category"); continue; }
            // "(and the pattern ErrorIds above)" is a remark, not an id.
            var ids = Remark().Replace(cells[0], " ")
                .Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
                .Select(w => w.Trim('`', '*'))
                .Where(w => w.Length > 0).ToList();
            foreach (string bad in ids.Where(w => !Identifier().IsMatch(w)))
                problems.Add($"README line {n + 1}: '{bad}' in the ErrorId column is not an ErrorId");
            string category = cells[1].Trim().Trim('`', '*').Trim();
            if (!Identifier().IsMatch(category)) problems.Add($"README line {n + 1}: '{category}' is not a category");
            rows.Add(new Row(n + 1, ids.Where(w => Identifier().IsMatch(w)).ToList(), category));
        }
        if (rows.Count == 0) problems.Add("README's '### Errors' section has no table rows");
        return rows;
    }

    [GeneratedRegex(@"\([^)]*\)")]
    private static partial Regex Remark();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*$")]
    private static partial Regex Identifier();
}
