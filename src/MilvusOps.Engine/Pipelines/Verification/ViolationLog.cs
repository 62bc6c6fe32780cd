namespace MilvusOps.Engine.Pipelines.Verification;

/// <summary>Counts every violation and keeps the first few, so a check's memory stays flat.</summary>
internal sealed class ViolationLog(int keep)
{
    private readonly List<CoherenceViolation> _kept = [];

    public long Count { get; private set; }
    public IReadOnlyList<CoherenceViolation> Kept => _kept;

    public void Add(string patternId, string field, object? value, string detail)
    {
        Count++;
        if (_kept.Count < keep) _kept.Add(new CoherenceViolation(patternId, field, value, detail));
    }
}
