using System.Collections;
using System.Collections.ObjectModel;
using System.Management.Automation.Runspaces;

namespace MilvusOps.Module.Tests;

/// <summary>
/// A fresh runspace with the built module imported from out/MilvusOps, working in a temporary folder
/// that is also the PowerShell location. Each test gets its own.
/// </summary>
public sealed class ModuleSession : IDisposable
{
    private readonly StringWriter _output = new();
    private readonly StringWriter _diagnostics = new();
    private readonly Runspace _runspace;

    // Every HNSW collection in these tests gets its graph, however small, so the module's searches go through it as they
    // do on a large collection (the variable is read when a store is opened).
    static ModuleSession() => Environment.SetEnvironmentVariable("MILVUSOPS_EXACT_SEARCH_BELOW", "0");

    public ModuleSession()
    {
        Folder = Directory.CreateTempSubdirectory("milvusops-test-").FullName;
        var state = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(new RenderingHost(_output, _diagnostics, 160), state);
        _runspace.Open();
        Run("Import-Module $args[0] -ErrorAction Stop; $ExecutionContext.SessionState.Path.SetLocation($args[1]) | Out-Null", ModuleManifest, Folder);
    }

    /// <summary>The temporary folder, also the session's current location.</summary>
    public string Folder { get; }

    public string StorePath => Path.Combine(Folder, "patterns.db");

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ModuleManifest => Path.Combine(RepoRoot, "out", "MilvusOps", "MilvusOps.psd1");

    /// <summary>What Out-Default rendered through the host so far.</summary>
    public string Rendered => _output.ToString();

    /// <summary>What the host's error, warning, verbose and debug lines carried so far.</summary>
    public string Diagnostics => _diagnostics.ToString();

    /// <summary>Runs a script; its arguments are $args. Throws when the script has a terminating error.</summary>
    public Collection<PSObject> Run(string script, params object?[] arguments) => Invoke(script, arguments).Output;

    /// <summary>Runs a script and returns its output and its non-terminating errors.</summary>
    public Result Invoke(string script, params object?[] arguments)
    {
        using var shell = PowerShell.Create(_runspace);
        shell.AddScript(script);
        foreach (var argument in arguments) shell.AddArgument(argument);
        var output = shell.Invoke();
        return new Result(output, shell.Streams.Error.ToList(), shell.Streams.Verbose.Select(v => v.Message).ToList(), shell.Streams.Progress.ToList(),
            shell.Streams.Debug.Select(d => d.Message).Concat(shell.Streams.Warning.Select(w => w.Message)).Concat(shell.Streams.Information.Select(i => i.ToString())).ToList());
    }

    /// <summary>Runs a script expecting a terminating error, and returns its ErrorRecord.</summary>
    public ErrorRecord Fail(string script, params object?[] arguments)
    {
        var output = Run($"try {{\n{script}\n}} catch {{ return $_ }}\nthrow 'The script ended without a terminating error.'", arguments);
        return Assert.IsType<ErrorRecord>(output[^1].BaseObject);
    }

    public void Dispose()
    {
        _runspace.Dispose();
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MilvusOps.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("MilvusOps.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Holds the write lock of a store file, as another writer would, until disposed. It uses the module's own SQLite:
    /// POSIX locks taken by a second copy of SQLite in the same process would not be seen (other processes' locks are).
    /// </summary>
    public IDisposable HoldWriteLock(string storePath)
    {
        Run("""
            $sqlite = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'MilvusOps' |
                ForEach-Object { $_.Assemblies } | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }
            $global:lockHolder = [Activator]::CreateInstance($sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection'), "Data Source=$($args[0]);Pooling=False")
            $global:lockHolder.Open()
            $command = $global:lockHolder.CreateCommand(); $command.CommandText = 'BEGIN EXCLUSIVE'; $command.ExecuteNonQuery() | Out-Null
            """, storePath);
        return new Release(() => Run("$global:lockHolder.Dispose()"));
    }

    private sealed class Release(Action release) : IDisposable
    {
        public void Dispose() => release();
    }

    /// <summary>Starts a script without waiting, for tests that stop it (as Ctrl+C does) part-way.</summary>
    public (PowerShell Shell, IAsyncResult Running) Start(string script, params object?[] arguments)
    {
        var shell = PowerShell.Create(_runspace);
        shell.AddScript(script);
        foreach (var argument in arguments) shell.AddArgument(argument);
        return (shell, shell.BeginInvoke());
    }

    /// <summary>A script's streams; <c>Other</c> holds its debug, warning and information messages.</summary>
    public sealed record Result(Collection<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, IReadOnlyList<string> Verbose, IReadOnlyList<ProgressRecord> Progress,
        IReadOnlyList<string> Other);
}

/// <summary>Deterministic test vectors, and the brute force the tests check search against.</summary>
public static class Vectors
{
    /// <summary>A pattern's Vector (a FloatVector, which these tests see only through PowerShell) as float32 values.</summary>
    public static float[] Of(object? vector) => LanguagePrimitives.ConvertTo<float[]>(vector);

    public static float[] Random(int seed, int dimension = 512)
    {
        var random = new Random(seed);
        var vector = new float[dimension];
        for (int i = 0; i < dimension; i++) vector[i] = (float)(random.NextDouble() * 2 - 1);
        return vector;
    }

    /// <summary>Milvus semantics in double precision: squared L2, inner product, cosine similarity.</summary>
    public static double Distance(string metric, float[] a, float[] b)
    {
        double dot = 0, l2 = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            l2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }
        return metric switch { "L2" => l2, "IP" => dot, _ => dot / Math.Sqrt(na * nb) };
    }

    public static Hashtable Pattern(string id, float[] vector, string type = "test", double coherence = 0.95) => new()
    {
        ["PatternId"] = id,
        ["Vector"] = vector,
        ["PatternType"] = type,
        ["CoherenceMetrics"] = new Hashtable { ["quantum_coherence"] = coherence, ["quantum_stability"] = 0.94, ["pattern_coherence"] = 0.93 },
        ["TemporalContext"] = new Hashtable { ["created"] = "2026-01-01T00:00:00Z" },
    };
}
