namespace MilvusOps.Model;

/// <summary>
/// Kinds of pattern that keep occurring together in time (Find-PatternCorrelation): each kind is a set of alike patterns,
/// named by its representative; an occurrence is one time they occurred together, near-duplicates in a burst counted
/// once. A group of one kind is a pattern that recurs, its bursts collapsed. It carries a pattern's properties
/// (PatternId, Vector, PatternType, TemporalContext), so Add-Pattern stores it as a searchable pattern of type
/// <see cref="PatternType"/>.
/// </summary>
public sealed class CorrelationGroup : StoreObject
{
    public const string Type = "correlation";

    public required string Collection { get; init; }

    /// <summary>"correlation-" and a hash of the kinds' representatives: the same group found again over the same range has
    /// the same id. A range that starts later can have other representatives, and so another id.</summary>
    public required string PatternId { get; init; }

    /// <summary>The representative of each kind, in the order the kinds first occurred.</summary>
    public required IReadOnlyList<string> Kinds { get; init; }

    /// <summary>The representative of the group's first kind.</summary>
    public string Representative => Kinds[0];

    /// <summary>The pattern types of the kinds' representatives, in the kinds' order (null where one has none).</summary>
    public required IReadOnlyList<string?> KindTypes { get; init; }

    /// <summary>How many times the group occurred.</summary>
    public required int Support { get; init; }

    /// <summary>Support over the occurrences of the group's rarest kind: 1 when that kind never occurs without the others;
    /// low for kinds that met by chance.</summary>
    public required double Confidence { get; init; }

    /// <summary>For a group of several kinds, how many times more often its kinds occur together than chance would put them
    /// together, for the split of them into two parts that explains them best: support × occurrences ÷ (one part's support ×
    /// the other's). Near 1 for kinds, or groups, that met by chance. Null for a group of one kind.</summary>
    public double? Lift { get; init; }

    /// <summary>Patterns in its occurrences, near-duplicates included.</summary>
    public required int Count { get; init; }

    public required DateTimeOffset FirstSeen { get; init; }
    public required DateTimeOffset LastSeen { get; init; }
    public TimeSpan Span => LastSeen - FirstSeen;

    /// <summary>Every pattern of every occurrence.</summary>
    public required IReadOnlyList<string> Members { get; init; }

    public required IReadOnlyList<CorrelationOccurrence> Occurrences { get; init; }

    /// <summary>The mean of the kinds' representatives' vectors: a search near any of them finds the group.</summary>
    public required FloatVector Vector { get; init; }

    public string PatternType => Type;

    /// <summary>The group as a temporal_context: its time (under the key it was found by), last time, support and kinds.</summary>
    public required string TemporalContext { get; init; }
}

/// <summary>One occurrence of a correlation group: when it began and ended, and how many patterns it held.</summary>
public sealed record CorrelationOccurrence(DateTimeOffset Start, DateTimeOffset End, int Count);
