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

    [Fact]
    public void Export_Csv_writes_the_vector_as_exact_text_and_Import_Csv_into_Add_Pattern_restores_it_bit_for_bit()
    {
        // Values whose text is easy to get wrong: a tenth, a third, the smallest subnormal, the largest float, minus zero.
        var rows = _session.Invoke("""
            [pscustomobject]@{ PatternId = 'tricky'; Vector = [float[]](0.1, (1/3), [float]::Epsilon); PatternType = 't'
                CoherenceMetrics = @{ quantum_coherence = 0.95 } } | Add-Pattern p
            [pscustomobject]@{ PatternId = 'edges'; Vector = [float[]]([float]::MaxValue, -0.0, -2.5e-8) } | Add-Pattern p
            Get-Pattern p | Export-Csv ./p.csv
            Get-Content ./p.csv
            New-PatternCollection q -Dimension 3 | Out-Null
            Import-Csv ./p.csv | Add-Pattern q
            $bits = { param($c) Get-Pattern $c | ForEach-Object { $_.PatternId + ':' + (([float[]]$_.Vector | ForEach-Object { [BitConverter]::SingleToInt32Bits($_) }) -join ',') + ':' + $_.CoherenceMetricsJson } }
            (& $bits p) -join ';'
            (& $bits q) -join ';'
            """);
        Assert.Empty(rows.Errors);
        var lines = rows.Output.Select(o => o.ToString()).ToList();
        Assert.Contains(lines, line => line.Contains("\"[0.1,0.33333334,1E-45]\""));
        Assert.Contains(lines, line => line.Contains("\"[3.4028235E+38,-0,-2.5E-08]\""));
        Assert.Equal(lines[^2], lines[^1]);
        Assert.Contains("tricky:", lines[^1]);
    }

    [Fact]
    public void A_vector_cell_that_is_no_array_of_numbers_is_refused_with_the_parameter_named()
    {
        var refused = _session.Fail("[pscustomobject]@{ PatternId = 'x'; Vector = '[0.1, oops]' } | Add-Pattern p -ErrorAction Stop");
        Assert.Contains("is not a vector", refused.Exception.Message);
        Assert.Contains("Vector", refused.Exception.Message);
    }
}
