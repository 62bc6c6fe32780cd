using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;

namespace MilvusOps.HelpGenerator;

/// <summary>
/// Builds the MAML document (helpItems) PowerShell reads for binary cmdlets. The binding facts (parameter
/// sets, mandatory, positions, pipeline input, aliases) come from PowerShell's own CommandMetadata of
/// each cmdlet type, so the help cannot disagree with what the binder does; the prose comes from the
/// doc comments.
/// </summary>
public sealed class MamlWriter(DocComments docs)
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private const string AllSets = "__AllParameterSets";

    private static readonly Dictionary<string, string> ShouldProcessParameters = new()
    {
        ["WhatIf"] = "Shows what would happen if the cmdlet runs. The cmdlet is not run.",
        ["Confirm"] = "Prompts you for confirmation before running the cmdlet.",
    };

    public List<string> Warnings { get; } = [];

    public int CommandCount { get; private set; }

    public XDocument Write(Assembly assembly)
    {
        var cmdlets = assembly.GetExportedTypes()
            .Where(t => !t.IsAbstract && typeof(Cmdlet).IsAssignableFrom(t) && t.GetCustomAttribute<CmdletAttribute>() is not null)
            .Select(t => (Type: t, Attribute: t.GetCustomAttribute<CmdletAttribute>()!))
            .OrderBy(c => c.Attribute.NounName, StringComparer.Ordinal).ThenBy(c => c.Attribute.VerbName, StringComparer.Ordinal)
            .ToList();
        var root = new XElement(Msh + "helpItems", new XAttribute("schema", "maml"));
        foreach (var (type, attribute) in cmdlets) root.Add(WriteCommand(type, attribute, cmdlets.Select(c => c.Attribute)));
        CommandCount = cmdlets.Count;
        return new XDocument(new XDeclaration("1.0", "utf-8", null), root);
    }

    private XElement WriteCommand(Type type, CmdletAttribute cmdlet, IEnumerable<CmdletAttribute> all)
    {
        string name = cmdlet.VerbName + "-" + cmdlet.NounName;
        string typeId = DocComments.TypeId(type);
        var summary = docs.Paragraphs(typeId);
        if (summary.Count == 0) Warnings.Add($"{name}: the class has no <summary>");
        string synopsis = summary.Count > 0 ? DocComments.FirstSentence(summary[0]) : "";
        var description = summary.Concat(docs.Paragraphs(typeId, "remarks")).ToList();

        var parameters = Parameters(type, cmdlet);
        var defaults = DefaultValues(type);
        var commandElement = new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Command + "details",
                new XElement(Command + "name", name),
                new XElement(Command + "verb", cmdlet.VerbName),
                new XElement(Command + "noun", cmdlet.NounName),
                Description(synopsis.Length > 0 ? [synopsis] : [])),
            Description(description),
            new XElement(Command + "syntax", ParameterSets(parameters, cmdlet.DefaultParameterSetName).Select(set =>
                new XElement(Command + "syntaxItem",
                    new XElement(Maml + "name", name),
                    set.Parameters.Select(p => ParameterElement(p, set.Name, defaults, withDescription: false))))),
            new XElement(Command + "parameters", parameters.Select(p => ParameterElement(p, null, defaults, withDescription: true))),
            InputTypes(parameters),
            ReturnValues(type),
            Notes(type, cmdlet),
            Examples(name, typeId),
            RelatedLinks(name, cmdlet, all));
        return commandElement;
    }

    /// <summary>The cmdlet's parameters as the binder sees them, plus -WhatIf/-Confirm where it supports ShouldProcess.</summary>
    private List<HelpParameter> Parameters(Type type, CmdletAttribute cmdlet)
    {
        var metadata = new CommandMetadata(type);
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        var parameters = new List<HelpParameter>();
        int order = 0;
        foreach (var parameter in metadata.Parameters.Values)
        {
            var property = properties.GetValueOrDefault(parameter.Name);
            var text = property is null ? [] : docs.Paragraphs(DocComments.PropertyId(property.DeclaringType!, property.Name));
            if (text.Count == 0) Warnings.Add($"{cmdlet.VerbName}-{cmdlet.NounName} -{parameter.Name}: no <summary>");
            bool globbing = property?.GetCustomAttribute<SupportsWildcardsAttribute>() is not null;
            parameters.Add(new HelpParameter(parameter.Name, parameter.ParameterType, parameter.SwitchParameter, parameter.Aliases.ToList(),
                parameter.ParameterSets.ToDictionary(s => s.Key, s => s.Value), text, globbing, order++));
        }
        if (cmdlet.SupportsShouldProcess)
        {
            foreach (var (name, text) in ShouldProcessParameters)
            {
                if (parameters.Any(p => p.Name == name)) continue;
                var sets = new Dictionary<string, ParameterSetMetadata> { [AllSets] = null! };
                parameters.Add(new HelpParameter(name, typeof(SwitchParameter), true, [name == "WhatIf" ? "wi" : "cf"], sets, [text], false, order++, ShouldProcess: true));
            }
        }
        // Positional parameters first, by position; then the rest as declared, -WhatIf and -Confirm last.
        return parameters.OrderBy(p => p.ShouldProcess).ThenBy(p => p.FirstPosition ?? int.MaxValue).ThenBy(p => p.Order).ToList();
    }

    /// <summary>One syntax per parameter set, the default first. A default set that no parameter names (the form that
    /// takes only the common parameters, such as Connect-Milvus without credentials) is a syntax too.</summary>
    private static IEnumerable<(string Name, List<HelpParameter> Parameters)> ParameterSets(List<HelpParameter> parameters, string? defaultSet)
    {
        var names = parameters.SelectMany(p => p.Sets.Keys).Where(k => k != AllSets).Distinct().Order(StringComparer.Ordinal).ToList();
        if (names.Count > 0 && !string.IsNullOrEmpty(defaultSet))
        {
            names.Remove(defaultSet);
            names.Insert(0, defaultSet);
        }
        if (names.Count == 0) names.Add(AllSets);
        foreach (string set in names)
        {
            var members = parameters.Where(p => p.Sets.ContainsKey(set) || p.Sets.ContainsKey(AllSets))
                .OrderBy(p => p.ShouldProcess).ThenBy(p => p.PositionIn(set) ?? int.MaxValue).ThenBy(p => p.MandatoryIn(set) ? 0 : 1).ThenBy(p => p.Order)
                .ToList();
            yield return (set, members);
        }
    }

    private XElement ParameterElement(HelpParameter parameter, string? set, IReadOnlyDictionary<string, string> defaults, bool withDescription)
    {
        bool required = set is null ? parameter.MandatoryEverywhere : parameter.MandatoryIn(set);
        int? position = set is null ? parameter.FirstPosition : parameter.PositionIn(set);
        bool variableLength = parameter.Type.IsArray;
        var element = new XElement(Command + "parameter",
            new XAttribute("required", required ? "true" : "false"),
            new XAttribute("variableLength", variableLength ? "true" : "false"),
            new XAttribute("globbing", parameter.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", parameter.PipelineInput),
            new XAttribute("position", position?.ToString(CultureInfo.InvariantCulture) ?? "named"),
            new XAttribute("aliases", parameter.Aliases.Count > 0 ? string.Join(", ", parameter.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name));
        if (withDescription) element.Add(Description(parameter.Description));
        if (!parameter.IsSwitch || withDescription)
        {
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", parameter.IsSwitch ? "false" : "true"),
                new XAttribute("variableLength", variableLength ? "true" : "false"),
                FriendlyName(parameter.Type)));
        }
        element.Add(new XElement(Dev + "type", new XElement(Maml + "name", TypeName(parameter.Type)), new XElement(Maml + "uri")));
        element.Add(new XElement(Dev + "defaultValue", defaults.GetValueOrDefault(parameter.Name) ?? (parameter.IsSwitch ? "False" : "None")));
        return element;
    }

    private static XElement InputTypes(List<HelpParameter> parameters)
    {
        var inputs = new XElement(Command + "inputTypes");
        foreach (var byValue in parameters.Where(p => p.ByValue))
        {
            inputs.Add(InputType(TypeName(byValue.Type), $"Objects piped to the cmdlet bind to -{byValue.Name}."));
        }
        var byName = parameters.Where(p => p.ByPropertyName).Select(p => p.Name).ToList();
        if (byName.Count > 0)
        {
            inputs.Add(InputType("System.Management.Automation.PSObject",
                "Piped objects bind these parameters by property name (or alias): " + string.Join(", ", byName) + "."));
        }
        if (!inputs.HasElements) inputs.Add(InputType("None", "This cmdlet takes no pipeline input."));
        return inputs;
    }

    private static XElement InputType(string type, string text) =>
        new(Command + "inputType", new XElement(Dev + "type", new XElement(Maml + "name", type)), Description([text]));

    private static XElement ReturnValues(Type type)
    {
        var values = new XElement(Command + "returnValues");
        foreach (var output in type.GetCustomAttributes<OutputTypeAttribute>().SelectMany(a => a.Type))
        {
            string name = output.Type is null || output.Type == typeof(void) ? "None" : TypeName(output.Type);
            string text = name == "None" ? "This cmdlet writes no output." : $"The cmdlet writes {FriendlyName(output.Type!)} objects.";
            values.Add(new XElement(Command + "returnValue", new XElement(Dev + "type", new XElement(Maml + "name", name)), Description([text])));
        }
        return values;
    }

    private static XElement? Notes(Type type, CmdletAttribute cmdlet)
    {
        var notes = new List<string>();
        var aliases = type.GetCustomAttributes<AliasAttribute>().SelectMany(a => a.AliasNames).ToList();
        if (aliases.Count > 0) notes.Add("Aliases: " + string.Join(", ", aliases) + ".");
        if (cmdlet.SupportsShouldProcess && cmdlet.ConfirmImpact == ConfirmImpact.High)
        {
            notes.Add("ConfirmImpact is High: the cmdlet asks before it acts; pass -Confirm:$false in scripts.");
        }
        // No alertSet at all when there is nothing to note: Get-Help would print an empty NOTES section.
        return notes.Count == 0 ? null : new XElement(Maml + "alertSet", new XElement(Maml + "alert", notes.Select(n => new XElement(Maml + "para", n))));
    }

    private XElement Examples(string name, string typeId)
    {
        var examples = docs.Examples(typeId);
        if (examples.Count == 0) Warnings.Add($"{name}: no <example>");
        return new XElement(Command + "examples", examples.Select((example, i) =>
            new XElement(Command + "example",
                new XElement(Maml + "title", $"-------------------------- Example {i + 1} --------------------------"),
                new XElement(Dev + "code", example.Code),
                new XElement(Dev + "remarks", example.Remarks.Select(r => new XElement(Maml + "para", r))))));
    }

    private static XElement RelatedLinks(string name, CmdletAttribute cmdlet, IEnumerable<CmdletAttribute> all)
    {
        // The other cmdlets of the same noun: the operations on the same objects.
        var related = all.Where(c => c.NounName == cmdlet.NounName && c.VerbName != cmdlet.VerbName).Select(c => c.VerbName + "-" + c.NounName);
        return new XElement(Maml + "relatedLinks", related.Where(r => r != name).Select(r =>
            new XElement(Maml + "navigationLink", new XElement(Maml + "linkText", r), new XElement(Maml + "uri"))));
    }

    private static XElement Description(IEnumerable<string> paragraphs) =>
        new(Maml + "description", paragraphs.Select(p => new XElement(Maml + "para", p)));

    /// <summary>Defaults as the property initialisers set them, read from a new instance; none where there is nothing to show.</summary>
    private Dictionary<string, string> DefaultValues(Type type)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        object instance;
        try { instance = Activator.CreateInstance(type)!; }
        catch (Exception ex) when (ex is TargetInvocationException or MissingMethodException or TypeLoadException or FileNotFoundException)
        {
            Warnings.Add($"{type.Name}: no defaults ({ex.GetBaseException().Message})");
            return values;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.GetCustomAttributes<ParameterAttribute>().Any() || !property.CanRead) continue;
            object? value = property.GetValue(instance);
            string? text = value switch
            {
                null => null,
                SwitchParameter s => s.IsPresent ? "True" : "False",
                string s => s.Length > 0 ? s : null,
                Enum e => e.ToString(),
                IFormattable f when value.GetType().IsPrimitive => f.ToString(null, CultureInfo.InvariantCulture),
                IEnumerable list and not IDictionary => JoinList(list),
                _ => null,
            };
            if (text is not null) values[property.Name] = text;
        }
        return values;
    }

    private static string? JoinList(IEnumerable list)
    {
        var items = list.Cast<object?>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)).ToList();
        return items.Count > 0 ? string.Join(", ", items) : null;
    }

    private static string TypeName(Type type) => type.FullName ?? type.Name;

    /// <summary>The short form of a type, as a syntax line shows it: String, String[], Nullable`1 as its argument.</summary>
    private static string FriendlyName(Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return FriendlyName(inner);
        if (type.IsArray) return FriendlyName(type.GetElementType()!) + "[]";
        return type.Name;
    }

    private sealed record HelpParameter(
        string Name, Type Type, bool IsSwitch, List<string> Aliases, Dictionary<string, ParameterSetMetadata> Sets,
        IReadOnlyList<string> Description, bool Globbing, int Order, bool ShouldProcess = false)
    {
        private IEnumerable<ParameterSetMetadata> Known => Sets.Values.Where(s => s is not null);

        public bool ByValue => Known.Any(s => s.ValueFromPipeline);

        public bool ByPropertyName => Known.Any(s => s.ValueFromPipelineByPropertyName);

        public string PipelineInput => (ByValue, ByPropertyName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };

        public bool MandatoryEverywhere => Known.Any() && Known.All(s => s.IsMandatory);

        public int? FirstPosition => Known.Select(s => s.Position).Where(p => p != int.MinValue).Select(p => (int?)p).FirstOrDefault();

        private ParameterSetMetadata? In(string set) =>
            Sets.TryGetValue(set, out var own) && own is not null ? own : Sets.GetValueOrDefault(AllSets);

        public bool MandatoryIn(string set) => In(set)?.IsMandatory ?? false;

        public int? PositionIn(string set) => In(set) is { Position: not int.MinValue } s ? s.Position : null;
    }
}
