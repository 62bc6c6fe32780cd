namespace MilvusOps.Engine.Filtering;

/// <summary>The type of a collection field, as far as filter expressions care.</summary>
public enum FilterFieldKind
{
    VarChar,
    Json,
    FloatVector,
}

/// <summary>
/// A field a filter expression may name. <paramref name="Name"/> is the Milvus field name
/// (case-sensitive); <paramref name="SqlColumn"/> is the unquoted SQLite column that stores it.
/// </summary>
public sealed record FilterField(string Name, string SqlColumn, FilterFieldKind Kind);

/// <summary>
/// A boolean SQLite expression for <c>WHERE</c>, and the values of the parameters it names.
/// Parameter names include their prefix (e.g. <c>@f0</c>); the SQL never holds literal text. Its logic is
/// three-valued, as Milvus's is: it is NULL (unknown) on a row whose field is null, and WHERE treats that as false.
/// </summary>
public sealed record SqlFilter(string Sql, IReadOnlyList<KeyValuePair<string, object?>> Parameters);
