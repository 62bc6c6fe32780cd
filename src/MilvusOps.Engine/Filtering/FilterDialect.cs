namespace MilvusOps.Engine.Filtering;

/// <summary>
/// The filter language of one Milvus release line: what its plan parser takes that another line refuses. The
/// embedded store speaks 2.5; a Milvus store speaks the line its server reports (<see cref="Of"/>), so that a filter
/// is refused before a call only where that server would refuse it. Each difference is a case of the conformance
/// corpus (tests/MilvusOps.Engine.Tests/Filtering/Corpus) and a row of the README's filter section.
/// </summary>
public sealed class FilterDialect
{
    private FilterDialect(string line) => Line = line;

    /// <summary>Milvus 2.5 (9d8edf94): the baseline, and the embedded store's language.</summary>
    public static FilterDialect Milvus25 { get; } = new("2.5");

    /// <summary>Milvus 2.6 (f15a9962).</summary>
    public static FilterDialect Milvus26 { get; } = new("2.6")
    {
        RunsFoldedConstants = true,
        TakesLeastInt64 = true,
        TakesLikePlaceholder = true,
        MixesNumbersOnJson = true,
    };

    /// <summary>Milvus 3.0 (master, 88f357a3).</summary>
    public static FilterDialect Milvus30 { get; } = new("3.0")
    {
        RunsFoldedConstants = true,
        RunsWrittenConstants = true,
        TakesLeastInt64 = true,
        TakesLikePlaceholder = true,
        MixesNumbersOnJson = true,
    };

    /// <summary>The newest line known: it refuses nothing an older line takes, so a structural check uses it.</summary>
    internal static FilterDialect Newest => Milvus30;

    /// <summary>The release line: "2.5", "2.6" or "3.0".</summary>
    public string Line { get; }

    /// <summary>A comparison or logic of constants (<c>1 == 1</c>, <c>true and false</c>) is a filter that matches every
    /// row or none; 2.5 folds it into a value its query nodes cannot run.</summary>
    internal bool RunsFoldedConstants { get; private init; }

    /// <summary>A written <c>true</c> or <c>false</c> is a filter, and beside a condition it short-circuits
    /// (<c>x or true</c> matches every row, <c>x and true</c> is <c>x</c>).</summary>
    internal bool RunsWrittenConstants { get; private init; }

    /// <summary><c>-9223372036854775808</c> is the least Int64; 2.5 reads 9223372036854775808 first and refuses it.</summary>
    internal bool TakesLeastInt64 { get; private init; }

    /// <summary>A template placeholder as the pattern of <c>like</c>; 2.5's grammar takes a string literal only.</summary>
    internal bool TakesLikePlaceholder { get; private init; }

    /// <summary>Integers and floats mixed in an <c>in</c> list or the bounds of a range on a JSON value compare as
    /// floats (milvus-io/milvus#46588); 2.5 fails such a filter when it runs.</summary>
    internal bool MixesNumbersOnJson { get; private init; }

    /// <summary>
    /// The dialect of a server that reports <paramref name="serverVersion"/>: 2.5 and older lines (and a version that
    /// cannot be read) speak 2.5, 2.6 speaks 2.6, anything newer speaks the newest line known.
    /// </summary>
    public static FilterDialect Of(string? serverVersion) => MilvusVersion.Parse(serverVersion) switch
    {
        null => Milvus25,
        { } v when v.IsBefore(2, 6, 0) => Milvus25,
        { } v when v.IsBefore(2, 7, 0) => Milvus26,
        _ => Milvus30,
    };

    public override string ToString() => $"Milvus {Line}";
}
