namespace MilvusOps.Module.Tests;

/// <summary>What the objects look like once they leave PowerShell: ConvertTo-Json and Export-Csv.</summary>
public sealed class SerializationTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public SerializationTests() => _session.Run("Connect-Milvus ./s.db -Create -WarningAction SilentlyContinue | Out-Null; New-PatternCollection p -Dimension 3 | Out-Null");

    public void Dispose() => _session.Dispose();

    [Fact]
    public void ConvertTo_Json_writes_enums_by_name_without_EnumsAsStrings()
    {
        string json = string.Join('\n', _session.Run("""
            (Get-PatternCollection p | Select-Object Name, Metric | ConvertTo-Json -Compress)
            (Test-MilvusHealth | Select-Object -First 1 Component, Severity | ConvertTo-Json -Compress)
            ((Get-PatternCollection p).Connection | Select-Object Backend, State | ConvertTo-Json -Compress)
            """).Select(o => o.ToString()));
        Assert.Contains("\"Metric\":\"L2\"", json);
        Assert.Contains("\"Severity\":\"None\"", json);
        Assert.Contains("\"Backend\":\"Embedded\",\"State\":\"Open\"", json);
    }

    [Fact]
    public void Every_enum_an_output_object_carries_is_serialized_by_name()
    {
        // Each enum that is the type of a public property of a contract type: a new one without the attribute fails here.
        var unmarked = _session.Run("""
            [MilvusOps.Model.Pattern].Assembly.GetExportedTypes() |
                ForEach-Object { $_.GetProperties() } |
                ForEach-Object { $t = $_.PropertyType; if ([Nullable]::GetUnderlyingType($t)) { [Nullable]::GetUnderlyingType($t) } else { $t } } |
                Where-Object IsEnum | Sort-Object FullName -Unique |
                Where-Object { -not ($_.CustomAttributes | Where-Object { $_.AttributeType.Name -eq 'JsonConverterAttribute' }) } |
                ForEach-Object FullName
            """).Select(o => o.ToString()).ToList();
        Assert.Empty(unmarked);
    }
}
