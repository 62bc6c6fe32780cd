using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace MilvusOps.HelpGenerator;

/// <summary>An example from a doc comment: the command (code) and what it does (paragraphs).</summary>
public sealed record DocExample(string Code, IReadOnlyList<string> Remarks);

/// <summary>The compiler's XML documentation file, read by member id (T:Type, P:Type.Property).</summary>
public sealed partial class DocComments
{
    private readonly Dictionary<string, XElement> _members;

    private DocComments(Dictionary<string, XElement> members) => _members = members;

    public static DocComments Load(string path)
    {
        var members = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var member in XDocument.Load(path, LoadOptions.PreserveWhitespace).Descendants("member"))
        {
            if (member.Attribute("name")?.Value is { } name) members[name] = member;
        }
        return new DocComments(members);
    }

    public static string TypeId(Type type) => "T:" + DocName(type);

    public static string PropertyId(Type declaringType, string property) => "P:" + DocName(declaringType) + "." + property;

    /// <summary>The paragraphs of a member's summary (or of another top-level element, e.g. remarks).</summary>
    public IReadOnlyList<string> Paragraphs(string memberId, string element = "summary") =>
        _members.TryGetValue(memberId, out var member) && member.Element(element) is { } node ? RenderParagraphs(node) : [];

    public IReadOnlyList<DocExample> Examples(string memberId)
    {
        if (!_members.TryGetValue(memberId, out var member)) return [];
        var examples = new List<DocExample>();
        foreach (var example in member.Elements("example"))
        {
            string code = string.Join("\n", example.Elements("code").Select(c => Dedent(c.Value)));
            var remarks = new List<string>();
            var loose = new StringBuilder();
            foreach (var node in example.Nodes())
            {
                if (node is XElement { Name.LocalName: "code" }) continue;
                if (node is XElement { Name.LocalName: "para" } para)
                {
                    Flush(loose, remarks);
                    remarks.Add(Inline(para));
                }
                else
                {
                    loose.Append(node is XElement e ? Inline(e) : node is XText t ? t.Value : "");
                }
            }
            Flush(loose, remarks);
            examples.Add(new DocExample(code, remarks.Where(r => r.Length > 0).ToList()));
        }
        return examples;
    }

    /// <summary>The first sentence: up to the first period that ends a sentence (not "e.g." and the like).</summary>
    public static string FirstSentence(string text)
    {
        foreach (Match match in SentenceEnd().Matches(text))
        {
            string before = text[..match.Index];
            if (before.EndsWith("e.g", StringComparison.Ordinal) || before.EndsWith("i.e", StringComparison.Ordinal)) continue;
            return text[..(match.Index + 1)];
        }
        return text;
    }

    private static string DocName(Type type) => (type.FullName ?? type.Name).Replace('+', '.');

    private static List<string> RenderParagraphs(XElement element)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            switch (node)
            {
                case XElement { Name.LocalName: "para" } para:
                    Flush(current, paragraphs);
                    paragraphs.Add(Inline(para));
                    break;
                case XElement { Name.LocalName: "code" } code:
                    Flush(current, paragraphs);
                    paragraphs.Add(Dedent(code.Value));
                    break;
                case XElement inline:
                    current.Append(Inline(inline));
                    break;
                case XText text:
                    current.Append(text.Value);
                    break;
            }
        }
        Flush(current, paragraphs);
        return paragraphs.Where(p => p.Length > 0).ToList();
    }

    private static void Flush(StringBuilder text, List<string> paragraphs)
    {
        string paragraph = Collapse(text.ToString());
        if (paragraph.Length > 0) paragraphs.Add(paragraph);
        text.Clear();
    }

    /// <summary>An element's text on one line: see/cref become the short name, c and paramref their text.</summary>
    private static string Inline(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            if (node is XText t) text.Append(t.Value);
            else if (node is XElement e) text.Append(e.Name.LocalName switch
            {
                "see" or "seealso" when e.Attribute("cref")?.Value is { } cref => ShortName(cref),
                "see" when e.Attribute("langword")?.Value is { } word => word,
                "paramref" or "typeparamref" => e.Attribute("name")?.Value ?? "",
                _ => Inline(e),
            });
        }
        return Collapse(text.ToString());
    }

    private static string ShortName(string cref)
    {
        string name = cref.Contains(':') ? cref[(cref.IndexOf(':') + 1)..] : cref;
        int paren = name.IndexOf('(');
        if (paren >= 0) name = name[..paren];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    private static string Collapse(string text) => Whitespace().Replace(text, " ").Trim();

    /// <summary>Code as written: blank edge lines dropped, the common indentation removed.</summary>
    private static string Dedent(string code)
    {
        var lines = code.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd()).ToList();
        while (lines.Count > 0 && lines[0].Length == 0) lines.RemoveAt(0);
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        int indent = lines.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join("\n", lines.Select(l => l.Length >= indent ? l[indent..] : l));
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"\.(\s|$)")]
    private static partial Regex SentenceEnd();
}
