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
    shell.AddCommand(script);
    foreach (string argument in args.Skip(1)) shell.AddArgument(argument);
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
return host.ExitCode ?? (shell.HadErrors ? 1 : 0);
