using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace MilvusOps.Infrastructure;

/// <summary>The default connection of each runspace, set by Connect-Milvus and cleared by Disconnect-Milvus.</summary>
internal static class SessionConnection
{
    private static readonly ConditionalWeakTable<Runspace, MilvusConnection> Defaults = new();

    public static MilvusConnection? Current =>
        Runspace.DefaultRunspace is { } runspace && Defaults.TryGetValue(runspace, out var connection) ? connection : null;

    public static void Set(MilvusConnection connection) => Defaults.AddOrUpdate(Runspace.DefaultRunspace, connection);

    public static bool Clear() => Runspace.DefaultRunspace is { } runspace && Defaults.Remove(runspace);
}
