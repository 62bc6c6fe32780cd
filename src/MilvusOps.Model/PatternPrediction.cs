namespace MilvusOps.Model;

/// <summary>
/// What tends to follow a pattern (Get-PatternPrediction): a kind of pattern that followed past patterns alike to the
/// one asked about, within the window. <see cref="Support"/> counts the past occurrences it followed,
/// <see cref="Confidence"/> is that share of all of them, and <see cref="Evidence"/> names each.
/// </summary>
public sealed class PatternPrediction : StoreObject
{
    public required string Collection { get; init; }

    /// <summary>The pattern asked about, or "vector" for a vector.</summary>
    public required string Query { get; init; }

    public required int Rank { get; init; }

    /// <summary>The follower kind's representative: the first pattern of that kind seen after a past occurrence.</summary>
    public required string Follower { get; init; }

    public string? FollowerType { get; init; }

    /// <summary>Past occurrences alike to the query that this kind followed within the window.</summary>
    public required int Support { get; init; }

    /// <summary>Support over the past occurrences alike to the query that had a whole window after them.</summary>
    public required double Confidence { get; init; }

    /// <summary>The median time from a past occurrence to the follower.</summary>
    public required TimeSpan TypicalDelay { get; init; }

    public required IReadOnlyList<PredictionEvidence> Evidence { get; init; }
}

/// <summary>One past occurrence behind a prediction: the pattern alike to the query, the pattern that followed, and when.</summary>
public sealed record PredictionEvidence(string Past, DateTimeOffset PastTime, string Followed, DateTimeOffset FollowedTime)
{
    public TimeSpan Delay => FollowedTime - PastTime;
}
