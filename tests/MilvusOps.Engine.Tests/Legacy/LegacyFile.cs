using System.Buffers.Binary;
using Microsoft.Data.Sqlite;
using MilvusOps.Engine.Sources;
using MilvusOps.Engine.Sources.Legacy;

namespace MilvusOps.Engine.Tests.Legacy;

/// <summary>A throwaway legacy SQLite file, built with plain SQL, in its own temp folder.</summary>
public sealed class LegacyFile : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-legacy-").FullName;

    public LegacyFile() => Path = System.IO.Path.Combine(_folder, "legacy.db");

    public string Path { get; }

    public string Folder => _folder;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Runs SQL with positional parameters @p0, @p1, …</summary>
    public LegacyFile Sql(string sql, params object?[] parameters)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        for (int i = 0; i < parameters.Length; i++)
            command.Parameters.AddWithValue($"@p{i}", parameters[i] ?? DBNull.Value);
        command.ExecuteNonQuery();
        return this;
    }

    public long Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public LegacySource Open(string? table = null, string? query = null, ColumnMap? map = null, int? dimension = null) =>
        LegacySource.Open(new LegacySourceOptions(Path) { Table = table, Query = query, ColumnMap = map, Dimension = dimension });

    public List<SourceRecord> ReadAll(string? table = null, string? query = null, ColumnMap? map = null, int? dimension = null)
    {
        using var source = Open(table, query, map, dimension);
        return source.Read().ToList();
    }

    public static byte[] F32(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    public static byte[] F64(params double[] values)
    {
        var bytes = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(i * 8), values[i]);
        return bytes;
    }

    public static ColumnMap Map(params (string Field, ColumnSource Source)[] entries) =>
        ColumnMap.FromEntries(entries.Select(e => new KeyValuePair<string, ColumnSource>(e.Field, e.Source)));

    public static ColumnSource.Column Col(string name) => new(name);
}
