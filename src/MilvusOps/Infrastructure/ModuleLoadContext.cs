using System.Reflection;
using System.Runtime.Loader;

namespace MilvusOps.Infrastructure;

/// <summary>
/// The private load context for the engine and its dependencies (lib/deps). Managed and native files
/// resolve through the engine's deps.json, so e_sqlite3 comes from deps/runtimes/&lt;rid&gt;/native
/// whatever other modules have loaded.
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private const string EngineAssemblyName = "MilvusOps.Engine";

    // The contract assembly is shared with the cmdlets, so it always comes from the default context.
    private const string ContractAssemblyName = "MilvusOps.Model";
    private readonly AssemblyDependencyResolver _resolver;

    private ModuleLoadContext(string engineAssemblyPath) : base("MilvusOps", isCollectible: false)
    {
        EnginePath = engineAssemblyPath;
        _resolver = new AssemblyDependencyResolver(engineAssemblyPath);
    }

    private string EnginePath { get; }

    private static readonly Lazy<ModuleLoadContext> Instance = new(() =>
    {
        string moduleLib = Path.GetDirectoryName(typeof(ModuleLoadContext).Assembly.Location)!;
        return new ModuleLoadContext(Path.Combine(moduleLib, "deps", EngineAssemblyName + ".dll"));
    });

    /// <summary>Lets the default context find the engine: called only for names it cannot resolve itself.</summary>
    internal static Assembly? ResolveFromDefault(AssemblyLoadContext defaultContext, AssemblyName name) =>
        name.Name == EngineAssemblyName ? Instance.Value.LoadFromAssemblyPath(Instance.Value.EnginePath) : null;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Anything the engine ships comes from deps/; the framework, PowerShell and the contract come from the default context.
        if (assemblyName.Name == ContractAssemblyName) return null;
        string? path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
