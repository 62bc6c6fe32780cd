namespace MilvusOps.Model;

/// <summary>How a collection's rows are partitioned beside its index.</summary>
[Newtonsoft.Json.JsonConverter(typeof(Newtonsoft.Json.Converters.StringEnumConverter))]   // ConvertTo-Json writes the name
public enum CollectionPartitioning
{
    /// <summary>No partitioning: every search considers every row.</summary>
    None,

    /// <summary>
    /// Hilbert cells: each vector is projected onto the collection's 4 principal axes, each axis is cut into 8 slices of
    /// equal share, and each of the 4,096 cells is numbered along a 4-d Hilbert curve. A search may then be limited to the
    /// cells nearest the query (the <c>cells</c> search parameter), trading recall for speed.
    /// </summary>
    Hilbert,
}

/// <summary>
/// The rules of Hilbert-cell partitioning that every layer shares: its shape, when its model is fitted, and the
/// <c>cells</c> search parameter, which is the partitioning's, not the index's.
/// </summary>
public static class CellPartitioning
{
    public const int Axes = 4;
    public const int BitsPerAxis = 3;
    public const int CellCount = 1 << (Axes * BitsPerAxis);

    /// <summary>A collection's cell model is fitted when it first holds this many rows (on Milvus, this many without a
    /// cell); until then a search by cells reads every row.</summary>
    public const int FitRows = 1_000;

    /// <summary>The most rows the model is fitted on.</summary>
    public const int SampleRows = 20_000;

    /// <summary>The search parameter that limits a search to the cells nearest each query.</summary>
    public const string CellsParameter = "cells";

    /// <summary>
    /// Takes <c>cells</c> out of a search's parameters: the rest are the index's. Fails with InvalidSearchParameter when
    /// the collection is not partitioned or the value is not a whole number from 1 to <see cref="CellCount"/>.
    /// </summary>
    public static (IReadOnlyDictionary<string, object?>? IndexParameters, int? Cells) Split(PatternCollection collection,
        IReadOnlyDictionary<string, object?>? parameters)
    {
        if (parameters is null || !parameters.TryGetValue(CellsParameter, out object? value)) return (parameters, null);
        if (collection.Partitioning != CollectionPartitioning.Hilbert)
            throw Invalid($"Collection '{collection.Name}' is not partitioned, so '{CellsParameter}' cannot limit its search. Create it with -Partitioning Hilbert.");
        // Integers as the index's parameters take them: integral numbers and strings of digits.
        long cells = IndexRules.TryInteger(value, out long number) ? number : 0;
        if (cells < 1 || cells > CellCount)
            throw Invalid($"Search parameter '{CellsParameter}' must be a whole number from 1 to {CellCount}; it was '{value}'.");
        var rest = parameters.Where(p => p.Key != CellsParameter).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        return (rest.Count == 0 ? null : rest, (int)cells);
    }

    private static MilvusOpsException Invalid(string message) =>
        new("InvalidSearchParameter", ErrorKind.InvalidArgument, message, CellsParameter);
}
