using System.Collections;
using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Correlation;

namespace MilvusOps.Infrastructure;

/// <summary>
/// A cmdlet over a collection's patterns in time (Find-PatternCorrelation, Get-PatternPrediction): which key holds the
/// time, the range, the window, when two patterns are alike, and a filter. A pattern whose time does not parse is written
/// as an UnparseableTime error, and the command goes on.
/// </summary>
public abstract class TimeScopeCmdlet : CollectionCmdlet
{
    /// <summary>
    /// When two patterns are alike: a score in the collection's metric, as Find-SimilarPattern shows it. For L2, the
    /// largest squared distance; for IP and COSINE, the smallest similarity (0.9 is a close COSINE match).
    /// </summary>
    [Parameter(Mandatory = true)]
    public double Threshold { get; set; }

    /// <summary>How close in time patterns must be to occur together, or for one to follow another. Default 5 minutes.</summary>
    [Parameter]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The temporal_context key that holds each pattern's ISO-8601 time. Default: timestamp.</summary>
    [Parameter]
    public string TimeKey { get; set; } = PatternTime.DefaultKey;

    /// <summary>The earliest time to look at (inclusive); an ISO-8601 string without an offset is UTC.</summary>
    [Parameter]
    [TimeInput]
    public DateTimeOffset? Since { get; set; }

    /// <summary>The time to stop before (exclusive); an ISO-8601 string without an offset is UTC.</summary>
    [Parameter]
    [TimeInput]
    public DateTimeOffset? Until { get; set; }

    /// <summary>A Milvus boolean expression the patterns must match, e.g. pattern_type == "alert".</summary>
    [Parameter]
    [ArgumentCompleter(typeof(FilterFieldCompleter))]
    public string? Filter { get; set; }

    /// <summary>Values for the {name} placeholders of -Filter.</summary>
    [Parameter]
    public Hashtable? FilterParameter { get; set; }

    private protected TimeScope Scope() => new(Collection, Threshold)
    {
        TimeKey = TimeKey, Window = Window, Since = Since, Until = Until, Filter = FilterInput.From(Filter, FilterParameter),
    };

    private protected void WriteUnparseable(Pattern pattern, string problem) => WriteEngineError(Unparseable(Collection, pattern, problem));

    /// <summary>A pattern read by time whose time does not parse: it is left out of the result, and said so.</summary>
    internal static MilvusOpsException Unparseable(string collection, Pattern pattern, string problem) =>
        new("UnparseableTime", ErrorKind.InvalidData,
            $"Pattern '{pattern.PatternId}' in '{collection}' {problem}; it is left out. Test-PatternCoherence checks every timestamp.", pattern.PatternId);
}
