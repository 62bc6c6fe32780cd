using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace MilvusOps.Engine.Sources.Legacy;

/// <summary>
/// The checks a -Query passes before it runs. The connection is read-only already (and
/// query_only), so no statement could change the file; these checks refuse anything that is not a
/// single SELECT or WITH statement up front, with a clear error instead of a SQLite one.
/// </summary>
internal static class SourceQuery
{
    /// <summary>Returns the one statement, without a trailing semicolon or comments after it.</summary>
    public static string CheckReadOnly(SqliteConnection connection, string query)
    {
        if (string.IsNullOrWhiteSpace(query))
            throw new MilvusOpsException("SourceQueryInvalid", ErrorKind.InvalidArgument, "-Query is empty.");
        string keyword = FirstKeyword(query);
        if (!keyword.Equals("SELECT", StringComparison.OrdinalIgnoreCase) && !keyword.Equals("WITH", StringComparison.OrdinalIgnoreCase))
            throw NotReadOnly(query, $"it starts with '{VectorCodec.Abbreviate(keyword, 20)}'");

        var db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        string tail;
        int rc = raw.sqlite3_prepare_v2(db, query, out sqlite3_stmt statement, out tail);
        using (statement)
        {
            if (rc != raw.SQLITE_OK)
                throw new MilvusOpsException("SourceQueryInvalid", ErrorKind.InvalidArgument,
                    $"-Query does not compile: {raw.sqlite3_errmsg(db).utf8_to_string()}", query);
            if (statement is null || statement.IsInvalid)
                throw new MilvusOpsException("SourceQueryInvalid", ErrorKind.InvalidArgument, "-Query holds no statement.", query);
            if (raw.sqlite3_stmt_readonly(statement) == 0)
                throw NotReadOnly(query, "it would write to the database");
        }
        tail ??= "";
        if (!string.IsNullOrWhiteSpace(tail))
        {
            rc = raw.sqlite3_prepare_v2(db, tail, out sqlite3_stmt next, out _);
            using (next)
            {
                if (rc != raw.SQLITE_OK || (next is not null && !next.IsInvalid))
                    throw NotReadOnly(query, "it holds more than one statement");
            }
        }
        string first = query[..(query.Length - tail.Length)].TrimEnd();
        while (first.EndsWith(';')) first = first[..^1].TrimEnd();
        return first;
    }

    // The first word after whitespace and comments.
    private static string FirstKeyword(string sql)
    {
        int i = 0;
        while (i < sql.Length)
        {
            if (char.IsWhiteSpace(sql[i])) i++;
            else if (sql.AsSpan(i).StartsWith("--"))
            {
                int end = sql.IndexOf('\n', i);
                i = end < 0 ? sql.Length : end + 1;
            }
            else if (sql.AsSpan(i).StartsWith("/*"))
            {
                int end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? sql.Length : end + 2;
            }
            else break;
        }
        int start = i;
        while (i < sql.Length && (char.IsLetter(sql[i]) || sql[i] == '_')) i++;
        return i > start ? sql[start..i] : i < sql.Length ? sql[i].ToString() : "";
    }

    private static MilvusOpsException NotReadOnly(string query, string why) =>
        new("SourceQueryNotReadOnly", ErrorKind.InvalidArgument,
            $"-Query must be a single read-only SELECT (or WITH … SELECT) statement, but {why}. The legacy source is opened read-only and is never changed.", query);
}
