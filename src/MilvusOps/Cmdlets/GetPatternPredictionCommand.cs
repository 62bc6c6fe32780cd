using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Correlation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Predicts what follows a pattern or a vector: finds the past patterns alike to it (within -Threshold; a burst counts
/// once), looks at what followed each within -Window, sorts the followers into kinds of alike patterns, and ranks the
/// kinds by support (how many past occurrences each followed) and confidence (that share of the past occurrences), with
/// the evidence. For a stored pattern, its past is what came before it.
/// </summary>
/// <example>
/// <code>
/// Get-PatternPrediction alerts -Id alert-2041 -Threshold 0.98 -Window 00:10:00 -TimeKey observed_at
/// </code>
/// <para>What usually follows alerts like alert-2041 within 10 minutes, and how often.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "PatternPrediction", DefaultParameterSetName = IdSet)]
[OutputType(typeof(PatternPrediction))]
public sealed class GetPatternPredictionCommand : TimeScopeCmdlet
{
    private const string IdSet = "Id";
    private const string VectorSet = "Vector";

    /// <summary>The stored pattern to predict from.</summary>
    [Parameter(Mandatory = true, Position = 1, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PatternId")]
    public string Id { get; set; } = "";

    /// <summary>A vector to predict from; its past is the whole range.</summary>
    [Parameter(Mandatory = true, ParameterSetName = VectorSet)]
    [Alias("Embedding")]
    [VectorInput]
    public float[] Vector { get; set; } = [];

    /// <summary>How many follower kinds to return, best first. Default 5.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int Top { get; set; } = 5;

    protected override void ProcessRecord()
    {
        var query = ParameterSetName == IdSet ? Stored() : new FollowerPredictor.Query("vector", Vector, null);
        if (query is null) return;
        var predictions = Call(() => FollowerPredictor.Predict(Session, Scope(), query, Top, WriteUnparseable, WriteVerbose, WriteWarning));
        foreach (var prediction in predictions) WriteStoreObject(prediction);
    }

    /// <summary>The stored pattern and its time; null, with an error written, when it is missing or has no time.</summary>
    private FollowerPredictor.Query? Stored()
    {
        var pattern = Call(() => Session.Get(Collection, [Id])).SingleOrDefault();
        if (pattern is null)
        {
            WriteEngineError(new MilvusOpsException("PatternNotFound", ErrorKind.ObjectNotFound, $"Pattern '{Id}' is not in collection '{Collection}'.", Id));
            return null;
        }
        string key = Call(() => PatternTime.CheckKey(TimeKey));
        if (PatternTime.Of(pattern, key, out string? problem) is not { } at)
        {
            WriteUnparseable(pattern, problem!);
            return null;
        }
        return new FollowerPredictor.Query(pattern.PatternId, pattern.Vector.ToArray(), at);
    }
}
