using System.Management.Automation;
using System.Runtime.Loader;

namespace MilvusOps.Infrastructure;

/// <summary>Connects the private load context when the module is imported, and disconnects it on removal.</summary>
public sealed class ModuleLifecycle : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    public void OnImport()
    {
        // Importing into a second runspace runs this again: keep exactly one handler.
        AssemblyLoadContext.Default.Resolving -= ModuleLoadContext.ResolveFromDefault;
        AssemblyLoadContext.Default.Resolving += ModuleLoadContext.ResolveFromDefault;
    }

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ModuleLoadContext.ResolveFromDefault;
}
