namespace MilvusOps.Model;

/// <summary>How embedded store and legacy file paths compare: by case only where the file system does (Linux).</summary>
public static class StorePath
{
    public static readonly StringComparer Comparer = OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;
}
