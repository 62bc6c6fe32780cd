using System.Management.Automation;
using System.Management.Automation.Runspaces;
using MilvusOps.Host;

// milvusops-host <script.ps1> [arguments...]    runs a script file
// milvusops-host -Command "<PowerShell text>"   runs a command line
if (args.Length == 0 || args[0] is "-h" or "--help" or "-?")
{
    Console.Error.WriteLine("usage: milvusops-host <script.ps1> [arguments...] | -Command \"<PowerShell>\"");
    return 2;
}

int width = Console.IsOutputRedirected ? 120 : Math.Max(80, Console.WindowWidth);
var host = new ScriptHost(Console.Out, Console.Error, width, plainText: Console.IsOutputRedirected);
var state = InitialSessionState.CreateDefault2();
if (OperatingSystem.IsWindows()) state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
using var runspace = RunspaceFactory.CreateRunspace(host, state);
runspace.Open();
using var shell = PowerShell.Create(runspace);

if (args[0].Equals("-Command", StringComparison.OrdinalIgnoreCase))
{
    shell.AddScript(string.Join(' ', args.Skip(1)));
}
else
{
    string script = Path.GetFullPath(args[0]);
    if (!File.Exists(script))
    {
        Console.Error.WriteLine($"Script not found: {script}");
        return 2;
    }
    // Arguments are parsed as pwsh -File parses them: -Name is a parameter, anything else a value.
    shell.AddScript("& " + Quote(script) + string.Concat(args.Skip(1).Select(a => " " + (IsParameterName(a) ? a : Quote(a)))));
}
// Errors join the output so Out-Default renders them in order, as pwsh would.
shell.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
shell.AddCommand("Out-Default");

try
{
    shell.Invoke();
}
catch (RuntimeException ex)
{
    Console.Error.WriteLine(ex.ErrorRecord?.ToString() ?? ex.Message);
    if (ex.ErrorRecord?.InvocationInfo?.PositionMessage is { } position) Console.Error.WriteLine(position);
    return 1;
}
// 'exit n' at the top level reaches the host; inside the script it leaves $LASTEXITCODE.
if (host.ExitCode is int exit) return exit;
if (runspace.SessionStateProxy.GetVariable("LASTEXITCODE") is int last && last != 0) return last;
return shell.HadErrors ? 1 : 0;

static string Quote(string text) => "'" + text.Replace("'", "''") + "'";

static bool IsParameterName(string text) => System.Text.RegularExpressions.Regex.IsMatch(text, @"^-[A-Za-z_][A-Za-z0-9_]*:?$");
