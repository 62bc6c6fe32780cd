namespace MilvusOps.Engine.Sources;

/// <summary>
/// Rows to import or to verify against: a legacy SQLite file (<see cref="Legacy.LegacySource"/>), an export set
/// (<see cref="ExportSets.ExportSetSource"/>) or a collection of any store (<see cref="Collections.CollectionSource"/>).
/// Rows are numbered from 1 in a stable order, so a checkpoint can name the last one done, and each becomes a pattern or
/// a reject with its reason.
/// </summary>
public interface IPatternSource : IDisposable
{
    /// <summary>The file or folder read (a full path), or the store a collection is read from (its file path or server
    /// URI); with <see cref="Table"/> and <see cref="Query"/> it is the source's part of a checkpoint's identity.</summary>
    string Path { get; }

    /// <summary>The legacy table read, or a collection as database/collection; null for other sources.</summary>
    string? Table { get; }

    /// <summary>The legacy query read, or the filter a collection is read through; null for other sources.</summary>
    string? Query { get; }

    /// <summary>The vector dimension, when the source knows it.</summary>
    int? Dimension { get; }

    /// <summary>How many rows there are (for progress).</summary>
    long RowCount { get; }

    /// <summary>How the source's columns become the pattern's fields, as a readable document.</summary>
    string DescribeMapping();

    /// <summary>The rows after <paramref name="afterSourceRow"/> (0: all), in source order.</summary>
    IEnumerable<SourceRecord> Read(long afterSourceRow = 0);

    /// <summary>Whether one row's id can be read back by its number cheaply (<see cref="Ids"/> of one row).</summary>
    bool ReadsIdsBack { get; }

    /// <summary>The readable ids of the rows after <paramref name="afterSourceRow"/> up to <paramref name="upToSourceRow"/>.</summary>
    IEnumerable<(long Row, string Id)> Ids(long afterSourceRow, long upToSourceRow);

    /// <summary>The raw values of one row, as a reject carries them; empty where the source cannot address a row.</summary>
    IReadOnlyDictionary<string, object?> ValuesOf(long sourceRow);
}
