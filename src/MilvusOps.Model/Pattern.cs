namespace MilvusOps.Model;

/// <summary>
/// One pattern: the entity every collection holds. The JSON documents are kept as the exact text
/// that was stored (so a migration stays bit-exact) and surface as dictionaries on first use.
/// </summary>
public sealed class Pattern : StoreObject
{
    private readonly MetadataField _coherenceMetrics;
    private readonly MetadataField _temporalContext;

    public Pattern(string patternId, float[] vector, string? patternType,
        string? coherenceMetricsJson, string? temporalContextJson, string? collection = null)
    {
        PatternId = patternId;
        Vector = new FloatVector(vector);
        PatternType = patternType;
        _coherenceMetrics = new MetadataField(coherenceMetricsJson);
        _temporalContext = new MetadataField(temporalContextJson);
        Collection = collection;
    }

    public string PatternId { get; }
    public FloatVector Vector { get; }
    public string? PatternType { get; }
    public MetadataDictionary? CoherenceMetrics => _coherenceMetrics.Value;
    public MetadataDictionary? TemporalContext => _temporalContext.Value;
    public string? Collection { get; }

    /// <summary>For a pattern read from a legacy file: its rowid there (or row number, for a query).</summary>
    public long? SourceRow { get; init; }

    /// <summary>The stored JSON text of <see cref="CoherenceMetrics"/>.</summary>
    public string? CoherenceMetricsJson => _coherenceMetrics.Json;

    /// <summary>The stored JSON text of <see cref="TemporalContext"/>.</summary>
    public string? TemporalContextJson => _temporalContext.Json;

    public Pattern WithCollection(string collection) =>
        new(PatternId, Vector.Values, PatternType, CoherenceMetricsJson, TemporalContextJson, collection);

    public override string ToString() => PatternId;
}

/// <summary>A JSON document held as text and parsed once, on first read.</summary>
internal sealed class MetadataField(string? json)
{
    private MetadataDictionary? _value;
    private bool _parsed;

    public string? Json { get; } = json;

    public MetadataDictionary? Value
    {
        get
        {
            if (!_parsed)
            {
                _value = Metadata.Parse(Json);
                _parsed = true;
            }
            return _value;
        }
    }
}
