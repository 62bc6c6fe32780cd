namespace MilvusOps.Module.Tests;

/// <summary>
/// Get-Help against the built module folder: the MAML help that tools/MilvusOps.HelpGenerator writes to
/// out/MilvusOps/en-US is found, describes every cmdlet and parameter, and agrees with the real signatures.
/// </summary>
public sealed class HelpTests : IDisposable
{
    // One record per cmdlet: what Get-Help -Full says, and what the binder says (common parameters left out).
    private const string Describe = """
        $common = [System.Management.Automation.Cmdlet]::CommonParameters
        foreach ($name in (Get-Module MilvusOps).ExportedCmdlets.Keys) {
            $help = Get-Help $name -Full
            [pscustomobject]@{
                Name        = $name
                HelpName    = [string]$help.Name
                Synopsis    = [string]$help.Synopsis
                Description = (@($help.description | ForEach-Object Text) -join ' ').Trim()
                Parameters  = @($help.parameters.parameter | Where-Object { $_ } | ForEach-Object { [string]$_.name + '=' + (@($_.description | ForEach-Object Text) -join ' ').Trim() })
                Examples    = @($help.examples.example | Where-Object { $_ } | ForEach-Object { ([string]$_.code).Trim() })
                Real        = @((Get-Command $name).Parameters.Keys | Where-Object { $_ -notin $common })
            }
        }
        """;

    private readonly ModuleSession _session = new();

    public void Dispose() => _session.Dispose();

    /// <summary>The cmdlets the manifest exports: every one must be documented.</summary>
    private int ExportedCmdlets => ((object[])_session.Run("(Import-PowerShellDataFile $args[0]).CmdletsToExport", Path.Combine(ModuleSession.RepoRoot, "MilvusOps.psd1"))
        .Select(o => o.BaseObject).ToArray()).Length;

    [Fact]
    public void The_help_file_ships_in_the_module_folder_beside_the_manifest()
    {
        string help = Path.Combine(ModuleSession.RepoRoot, "out", "MilvusOps", "en-US", "MilvusOps.dll-Help.xml");
        Assert.True(File.Exists(help), help + " is missing: the build runs tools/MilvusOps.HelpGenerator");
        var document = System.Xml.Linq.XDocument.Load(help);
        Assert.Equal("{http://msh}helpItems", document.Root!.Name.ToString());
    }

    [Fact]
    public void The_about_topic_ships_with_the_module_and_lists_what_each_backend_supports()
    {
        var text = string.Join("\n", _session.Run("Get-Help about_MilvusOps | Out-String").Select(o => o.ToString()));
        Assert.Contains("NotSupportedByBackend", text);
        Assert.Contains("compaction and segments", text);
        Assert.True(File.Exists(Path.Combine(ModuleSession.RepoRoot, "out", "MilvusOps", "en-US", "about_MilvusOps.help.txt")));
    }

    [Fact]
    public void Every_exported_cmdlet_has_a_synopsis_a_description_parameter_descriptions_and_an_example()
    {
        var cmdlets = _session.Run(Describe);
        Assert.Equal(ExportedCmdlets, cmdlets.Count);
        var problems = new List<string>();
        foreach (var cmdlet in cmdlets)
        {
            string name = (string)cmdlet.Properties["Name"].Value;
            string synopsis = (string)cmdlet.Properties["Synopsis"].Value;
            // Without MAML, Get-Help makes up a synopsis out of the syntax line ("Add-Pattern [-Collection] <string> ...").
            if (string.IsNullOrWhiteSpace(synopsis) || synopsis.StartsWith(name, StringComparison.OrdinalIgnoreCase) || synopsis.Contains("[-", StringComparison.Ordinal))
                problems.Add($"{name}: no synopsis from the help file: '{synopsis}'");
            if (string.IsNullOrWhiteSpace((string)cmdlet.Properties["Description"].Value))
                problems.Add($"{name}: no description");
            var documented = Strings(cmdlet, "Parameters").Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
            foreach (string parameter in Strings(cmdlet, "Real"))
            {
                if (!documented.TryGetValue(parameter, out string? text) || text.Length == 0)
                    problems.Add($"{name} -{parameter}: no description");
            }
            var examples = Strings(cmdlet, "Examples");
            if (examples.Count == 0 || examples.Any(string.IsNullOrWhiteSpace)) problems.Add($"{name}: no example");
            else if (!examples.Any(e => e.Contains(name, StringComparison.OrdinalIgnoreCase) || name == "Test-PatternCoherence" && e.Contains("Test-Coherence")))
                problems.Add($"{name}: no example uses the cmdlet");
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void The_help_documents_exactly_the_parameters_and_parameter_sets_the_binder_has()
    {
        var problems = new List<string>();
        foreach (var cmdlet in _session.Run(Describe))
        {
            string name = (string)cmdlet.Properties["Name"].Value;
            var documented = Strings(cmdlet, "Parameters").Select(p => p.Split('=', 2)[0]).Order(StringComparer.OrdinalIgnoreCase).ToList();
            var real = Strings(cmdlet, "Real").Order(StringComparer.OrdinalIgnoreCase).ToList();
            if (!documented.SequenceEqual(real, StringComparer.OrdinalIgnoreCase))
                problems.Add($"{name}: help has [{string.Join(", ", documented)}], the cmdlet has [{string.Join(", ", real)}]");
        }
        Assert.Empty(problems);

        // Per parameter: type, required, pipeline input and aliases as the binder sees them.
        var mismatches = _session.Run("""
            $common = [System.Management.Automation.Cmdlet]::CommonParameters
            foreach ($name in (Get-Module MilvusOps).ExportedCmdlets.Keys) {
                $help = Get-Help $name -Full
                foreach ($parameter in (Get-Command $name).Parameters.Values | Where-Object Name -notin $common) {
                    $doc = $help.parameters.parameter | Where-Object name -eq $parameter.Name
                    if (-not $doc) { continue }
                    $sets = @($parameter.ParameterSets.Values)
                    $required = ([bool](@($sets | Where-Object { -not $_.IsMandatory }).Count -eq 0)).ToString().ToLowerInvariant()
                    $byValue = [bool]@($sets | Where-Object ValueFromPipeline).Count
                    $byName = [bool]@($sets | Where-Object ValueFromPipelineByPropertyName).Count
                    $pipeline = if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
                    $aliases = if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }
                    $expected = '{0} {1} {2} {3}' -f $parameter.ParameterType.FullName, $required, $pipeline, $aliases
                    $actual = '{0} {1} {2} {3}' -f $doc.type.name, $doc.required, $doc.pipelineInput, $doc.aliases
                    if ($expected -cne $actual) { "$name -$($parameter.Name): help says '$actual', the binder '$expected'" }
                }
            }
            """).Select(o => o.ToString()).ToList();
        Assert.Empty(mismatches);

        // Per parameter set: the syntax lines list the set's parameters, each with its own required and position.
        // The hosted engine has no Sort-Object: the script emits one line per set, and C# compares them.
        var lines = _session.Run("""
            $common = [System.Management.Automation.Cmdlet]::CommonParameters
            foreach ($name in (Get-Module MilvusOps).ExportedCmdlets.Keys) {
                foreach ($set in (Get-Command $name).ParameterSets) {
                    "$name`tbinder`t" + (@($set.Parameters | Where-Object Name -notin $common | ForEach-Object {
                        $position = if ($_.Position -ge 0) { $_.Position } else { 'named' }
                        '{0}:{1}:{2}' -f $_.Name, $_.IsMandatory.ToString().ToLowerInvariant(), $position
                    }) -join ' ')
                }
                foreach ($item in (Get-Help $name -Full).syntax.syntaxItem) {
                    "$name`thelp`t" + (@($item.parameter | Where-Object { $_ } | ForEach-Object { '{0}:{1}:{2}' -f $_.name, $_.required, $_.position }) -join ' ')
                }
            }
            """).Select(o => o.ToString().Split('\t')).ToList();
        string Signature(string parameters) => string.Join(' ', parameters.Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        var syntax = new List<string>();
        foreach (var cmdlet in lines.GroupBy(l => l[0]))
        {
            var binder = cmdlet.Where(l => l[1] == "binder").Select(l => Signature(l[2])).Order(StringComparer.Ordinal).ToList();
            var help = cmdlet.Where(l => l[1] == "help").Select(l => Signature(l[2])).Order(StringComparer.Ordinal).ToList();
            Assert.NotEmpty(binder);
            if (!binder.SequenceEqual(help))
                syntax.Add($"{cmdlet.Key}\n  binder: {string.Join(" | ", binder)}\n  help:   {string.Join(" | ", help)}");
        }
        Assert.Equal(ExportedCmdlets, lines.Select(l => l[0]).Distinct().Count());
        Assert.Empty(syntax);
    }

    [Theory]
    [InlineData("Test-Coherence", "Test-PatternCoherence")]
    [InlineData("Import-SqlitePatterns", "Import-SqlitePattern")]
    public void A_cmdlet_alias_resolves_to_the_cmdlets_help(string alias, string cmdlet)
    {
        var help = _session.Run("$h = Get-Help $args[0] -Full; [string]$h.Name; [string]$h.Synopsis; @($h.examples.example).Count; [string](Get-Help $args[1]).Synopsis", alias, cmdlet);
        Assert.Equal(cmdlet, help[0].ToString());
        Assert.False(string.IsNullOrWhiteSpace(help[1].ToString()));
        Assert.Equal(help[3].ToString(), help[1].ToString());
        Assert.True(Convert.ToInt32(help[2].BaseObject) > 0);
        string notes = _session.Run("(Get-Help $args[0] -Full).alertSet.alert.Text -join ' '", cmdlet)[0].ToString();
        Assert.Contains(alias, notes);
    }

    [Fact]
    public void Defaults_and_pipeline_input_come_from_the_cmdlet()
    {
        var values = _session.Run("""
            $p = (Get-Help Add-Pattern -Full).parameters.parameter
            ($p | Where-Object name -eq BatchSize).defaultValue
            ($p | Where-Object name -eq PatternId).pipelineInput
            ($p | Where-Object name -eq InputObject).pipelineInput
            ((Get-Help New-PatternCollection -Full).parameters.parameter | Where-Object name -eq Metric).defaultValue
            ((Get-Help Test-PatternCoherence -Full).parameters.parameter | Where-Object name -eq Metric).defaultValue
            """).Select(o => o.ToString()).ToList();
        Assert.Equal(["1000", "True (ByPropertyName)", "True (ByValue)", "L2", "quantum_coherence, quantum_stability, pattern_coherence"], values);
    }

    private static List<string> Strings(PSObject record, string property)
    {
        object? value = record.Properties[property].Value;
        if (value is PSObject wrapped) value = wrapped.BaseObject;
        return value is System.Collections.IEnumerable items and not string
            ? items.Cast<object?>().Select(o => o?.ToString() ?? "").ToList()
            : value is null ? [] : [value.ToString() ?? ""];
    }
}
