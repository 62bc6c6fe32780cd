using System.Management.Automation;
using MilvusOps.Engine.Pipelines.Correlation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Finds kinds of pattern that keep occurring together in time: alike patterns (within -Threshold) are one kind, a burst
/// of near-duplicates counts once, and kinds that begin within -Window of each other form an occurrence. Each group has
/// its kinds (named by their representatives), support (how many times it occurred), confidence (that share of its rarest
/// kind's occurrences), lift (against chance), members and time span. A group of one kind is a pattern that recurs.
/// </summary>
/// <example>
/// <code>
/// Find-PatternCorrelation alerts -Threshold 0.98 -Window 00:10:00 -TimeKey observed_at | Format-Table Support, Kinds, FirstSeen, LastSeen
/// </code>
/// <para>Lists the alert kinds that keep firing within 10 minutes of each other, most frequent first.</para>
/// </example>
/// <example>
/// <code>
/// New-PatternCollection correlations -Metric COSINE -IfNotExists | Out-Null
/// Find-PatternCorrelation patterns -Threshold 0.9 -Since (Get-Date).AddDays(-7) | Add-Pattern correlations
/// </code>
/// <para>Stores last week's groups as patterns of type correlation, so they can be searched (a group's vector is the mean
/// of its kinds', so use the same metric).</para>
/// </example>
[Cmdlet(VerbsCommon.Find, "PatternCorrelation")]
[OutputType(typeof(CorrelationGroup))]
public sealed class FindPatternCorrelationCommand : TimeScopeCmdlet
{
    /// <summary>The fewest occurrences a group needs to be reported. Default 2: once is not a correlation.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MinSupport { get; set; } = 2;

    /// <summary>
    /// The least confidence a group needs: its support over the occurrences of its rarest kind. Default 0.1; with -MinLift
    /// it left only true groups in the correlation benchmark at 100,000 and 1M patterns (docs/benchmarks.md). 0 reports every
    /// group.
    /// </summary>
    [Parameter]
    [ValidateRange(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.1;

    /// <summary>
    /// The least lift a group of several kinds needs: how many times more often its kinds occur together than chance would
    /// put them together (1 is chance), for the split of its kinds into two parts that explains them best. Default 2. Lift is
    /// at most all occurrences over those of the more common part, so kinds in half of all occurrences reach 2 at most: on a
    /// small collection that is mostly one chain, lower it.
    /// </summary>
    [Parameter]
    [ValidateRange(0.0, double.MaxValue)]
    public double MinLift { get; set; } = 2;

    protected override void ProcessRecord()
    {
        var groups = Call(() => CorrelationFinder.Find(Session, Scope(), new CorrelationThresholds(MinSupport, MinConfidence, MinLift), WriteUnparseable, WriteVerbose));
        foreach (var group in groups) WriteStoreObject(group);
    }
}
