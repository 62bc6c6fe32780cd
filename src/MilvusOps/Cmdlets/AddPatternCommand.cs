using System.Diagnostics;
using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Migration;
using MilvusOps.Engine.Session;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Upserts patterns from the pipeline into a collection, in batches (one transaction each). A bad
/// object is reported and skipped; everything before it is written first, so -ErrorAction Stop
/// leaves exactly the objects ahead of the failure in the store. A line of an Import-SqlitePattern rejects
/// file that still carries its ErrorId is refused (UnfixedReject), so piping the file back unchanged lands
/// nothing: fix the line and remove its ErrorId, or fix the fields and pass -Force.
/// </summary>
/// <example>
/// <code>
/// [pscustomobject]@{
///     PatternId        = 'test_pattern_001'
///     Vector           = $vector
///     PatternType      = 'quantum_correlation'
///     CoherenceMetrics = @{ quantum_coherence = 0.95; quantum_stability = 0.94; pattern_coherence = 0.93 }
///     TemporalContext  = @{ created = '2026-01-15T09:30:00Z' }
/// } | Add-Pattern correlation_patterns
/// </code>
/// <para>Upserts one pattern; $vector holds its 512 float values. The two JSON documents can be hashtables, objects or JSON text.</para>
/// </example>
/// <example>
/// <code>
/// Get-Pattern legacy | Add-Pattern current
/// </code>
/// <para>Copies every pattern of the collection legacy into current: the Pattern objects bind by property name.</para>
/// </example>
/// <example>
/// <code>
/// Get-Content ./legacy.current.1a2b3c4d.rejects.jsonl | ConvertFrom-Json | Select-Object * -ExcludeProperty ErrorId, Reason | Add-Pattern current
/// </code>
/// <para>Re-imports rejected rows after fixing them in the file: removing ErrorId says a line is fixed. Lines piped back unchanged are refused with UnfixedReject.</para>
/// </example>
[Cmdlet(VerbsCommon.Add, "Pattern", SupportsShouldProcess = true)]
[OutputType(typeof(Pattern))]
public sealed class AddPatternCommand : MilvusOpsCmdlet
{
    private WriteBatcher<Pattern>? _batcher;
    private long _written;
    private long _received;
    private PatternCollection? _target;
    private readonly Stopwatch _clock = new();

    /// <summary>The collection to write to.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string Collection { get; set; } = "";

    /// <summary>The piped object; its properties bind to the parameters below.</summary>
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>The pattern's primary key (pattern_id); an existing pattern with this id is replaced.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "pattern_id")]
    public string? PatternId { get; set; }

    /// <summary>The embedding, stored bit-exactly as float32; its length must be the collection's dimension.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Embedding")]
    [VectorInput]
    public float[]? Vector { get; set; }

    /// <summary>The pattern type (pattern_type), for example quantum_correlation.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("pattern_type")]
    public string? PatternType { get; set; }

    /// <summary>A hashtable, an object or JSON text.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("coherence_metrics")]
    public object? CoherenceMetrics { get; set; }

    /// <summary>A hashtable, an object or JSON text.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("temporal_context")]
    public object? TemporalContext { get; set; }

    /// <summary>Patterns per transaction (batches are also capped at 8 MB).</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>Emit each pattern once its batch is committed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>
    /// Land rejects-file lines that still carry their ErrorId: use it when you fixed the fields of the lines and
    /// kept ErrorId and Reason. Without it such a line is refused (UnfixedReject). Even with it, a line is refused
    /// while a field that its Undecoded list names is still empty, and a DuplicatePatternId line is always refused:
    /// it would silently replace the first occurrence that the import wrote. Give it another PatternId, or remove its
    /// ErrorId to replace the first occurrence on purpose.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void BeginProcessing()
    {
        _target = Call(() => Session.Describe(Collection));
        _clock.Start();
    }

    protected override void ProcessRecord()
    {
        _received++;
        Pattern pattern;
        try
        {
            if (UnfixedReject() is { } refusal) throw refusal;
            string id = PatternId ?? throw new MilvusOpsException("MissingPatternId", ErrorKind.InvalidData,
                $"Input object {_received} has no PatternId (or Id / pattern_id) property.", _received);
            pattern = PatternSession.Check(new Pattern(id, Vector ?? [], PatternType,
                MetadataInput.ToJson(CoherenceMetrics, PatternSchema.CoherenceMetrics, id),
                MetadataInput.ToJson(TemporalContext, PatternSchema.TemporalContext, id), Collection), _target!);
        }
        catch (MilvusOpsException ex)
        {
            Flush();   // what came before the bad object lands, even if this error stops the pipeline
            WriteEngineError(ex, InputObject ?? (object?)PatternId);
            return;
        }
        if (!ShouldProcess($"pattern '{pattern.PatternId}' -> collection '{Collection}' in {Target}", "Add pattern")) return;
        _batcher ??= WriteBatcher<Pattern>.ForWriters(BatchSize);
        if (_batcher.Add(pattern, pattern) is { } full) Write(full);
    }

    protected override void EndProcessing()
    {
        Flush();
        if (_written > 0)
            WriteProgress(new ProgressRecord(1, $"Adding patterns to {Collection}", "Done") { RecordType = ProgressRecordType.Completed });
        WriteVerbose($"Wrote {_written} of {_received} patterns to '{Collection}' in {_clock.Elapsed.TotalSeconds:F1} s.");
    }

    /// <summary>Why the input, a rejects line that still carries its ErrorId, may not land (<see cref="RejectLine.Refusal"/>); null when it may.</summary>
    private MilvusOpsException? UnfixedReject()
    {
        if (InputObject?.Properties[RejectLine.ErrorIdProperty]?.Value is not { } errorId) return null;
        object? undecoded = InputObject.Properties[RejectLine.UndecodedProperty]?.Value;
        var fields = (LanguagePrimitives.GetEnumerable(undecoded)?.Cast<object?>() ?? (undecoded is null ? [] : [undecoded]))
            .Select(f => f?.ToString() ?? "").ToList();
        bool IsNull(string field) => field switch
        {
            nameof(Pattern.PatternId) => string.IsNullOrEmpty(PatternId),
            nameof(Pattern.Vector) => Vector is null or { Length: 0 },
            nameof(Pattern.PatternType) => PatternType is null,
            nameof(Pattern.CoherenceMetrics) => CoherenceMetrics is null,
            nameof(Pattern.TemporalContext) => TemporalContext is null,
            _ => false,
        };
        return RejectLine.Refusal(PatternId, errorId.ToString(), InputObject.Properties[RejectLine.SourceRowProperty]?.Value, fields, IsNull, Force);
    }

    /// <summary>Writes the patterns batched so far.</summary>
    private void Flush()
    {
        if (_batcher?.TakeRest() is { } rest) Write(rest);
    }

    private void Write(List<Pattern> batch)
    {
        Call(() => Session.Upsert(Collection, batch));
        _written += batch.Count;
        if (PassThru) batch.ForEach(WriteStoreObject);
        double rate = _written / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        WriteProgress(new ProgressRecord(1, $"Adding patterns to {Collection}", $"{_written:N0} written, {rate:N0} patterns/s"));
    }
}
