using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// Renders a checked filter (<see cref="ParsedFilter"/>) as a parameterized SQLite boolean expression (JSON1
/// functions) with Milvus semantics. Whether the filter means something is <see cref="FilterChecker"/>'s question;
/// the only errors here are FilterNotSupported, for what SQLite itself cannot evaluate. Invariants of the generated SQL:
/// <list type="bullet">
/// <item>every literal, every JSON path and every like pattern is a parameter; the only identifiers
/// are <see cref="FilterField.SqlColumn"/> values, double-quoted;</item>
/// <item>every predicate evaluates to 0 or 1, never NULL, so that NOT behaves as in Milvus
/// (a comparison with a missing JSON key, a NULL column or a value of another JSON type is false,
/// and its negation is true);</item>
/// <item>a comparison with a JSON value is true only when the JSON value has the literal's type
/// (number: integer or real; string: text; boolean: true or false).</item>
/// </list>
/// </summary>
internal static class SqliteFilterTranslator
{
    public static SqlFilter Translate(ParsedFilter filter, string parameterPrefix = "@f")
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(parameterPrefix);
        if (parameterPrefix.Length < 2 || parameterPrefix[0] is not ('@' or ':' or '$')
            || !parameterPrefix.Skip(1).All(FilterLexer.IsIdentifierPart) || !FilterLexer.IsIdentifierStart(parameterPrefix[1]))
        {
            throw new ArgumentException("The parameter prefix must be '@', ':' or '$' followed by an identifier, such as \"@f\".", nameof(parameterPrefix));
        }

        var translator = new Translator(filter.Fields, parameterPrefix, filter.Expression);
        string sql = translator.Predicate(filter.Tree);
        return new SqlFilter(sql, translator.Parameters);
    }

    /// <summary>Builds the SQLite JSON path for a Milvus path: ["a"]["b"][0] -> $."a"."b"[0].</summary>
    internal static string JsonPath(IReadOnlyList<JsonPathSegment> path)
    {
        var sb = new StringBuilder("$");
        foreach (JsonPathSegment segment in path)
        {
            if (!segment.IsKey)
            {
                sb.Append('[').Append(segment.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
                continue;
            }

            sb.Append(".\"");
            foreach (char c in segment.Key!)
            {
                if (c is '"' or '\\')
                {
                    sb.Append('\\').Append(c);
                }
                else if (c < ' ')
                {
                    sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append(c);
                }
            }

            sb.Append('"');
        }

        return sb.ToString();
    }

    /// <summary>
    /// Turns a Milvus like pattern into a GLOB pattern (GLOB is case-sensitive, as Milvus' like is):
    /// % -> *, _ -> ?, a backslash makes the next character literal, and the GLOB metacharacters
    /// *, ? and [ are matched literally through one-character classes ([*], [?], [[]).
    /// </summary>
    internal static string LikeToGlob(string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 8);
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\' && i + 1 < pattern.Length)
            {
                AppendLiteral(sb, pattern[++i]);
            }
            else if (c == '%')
            {
                sb.Append('*');
            }
            else if (c == '_')
            {
                sb.Append('?');
            }
            else
            {
                AppendLiteral(sb, c);
            }
        }

        return sb.ToString();

        static void AppendLiteral(StringBuilder sb, char c) => sb.Append(c switch
        {
            '*' => "[*]",
            '?' => "[?]",
            '[' => "[[]",
            _ => c.ToString(),
        });
    }

    private enum ValueKind
    {
        Number,
        String,
        Bool,
        Json,
        List,
    }

    /// <summary>
    /// A translated value. <see cref="Present"/> is a never-NULL SQL condition that holds when the value
    /// exists (null = always); for <see cref="ValueKind.Json"/> values the type guard is built per
    /// comparison from <see cref="Column"/> and <see cref="PathParameter"/> instead.
    /// </summary>
    private sealed record Operand(
        ValueKind Kind,
        string Sql,
        string? Present,
        bool MayBeNull = false,
        string? Column = null,
        string? PathParameter = null);

    private sealed class Translator(IReadOnlyList<FilterField> fields, string prefix, string? expression)
    {
        // Columns of the json_each table-valued function: inside its subquery they would shadow an
        // outer column of the same name.
        private static readonly HashSet<string> JsonEachColumns = new(StringComparer.OrdinalIgnoreCase)
        {
            "key", "value", "type", "atom", "id", "parent", "fullkey", "path", "json", "root",
        };

        public List<KeyValuePair<string, object?>> Parameters { get; } = [];

        // FilterChecker has counted the values and JSON paths against FilterLimits.MaxSqlParameters.
        private string Param(object? value)
        {
            string name = prefix + Parameters.Count.ToString(CultureInfo.InvariantCulture);
            Parameters.Add(new KeyValuePair<string, object?>(name, value));
            return name;
        }

        private static string Quote(string column) => "\"" + column.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

        private static string And(params string?[] parts)
        {
            string[] present = parts.Where(p => p is not null).Select(p => p!).ToArray();
            return present.Length == 1 ? present[0] : "(" + string.Join(" AND ", present) + ")";
        }

        private MilvusOpsException NotSupported(string construct, FilterNode node) =>
            FilterErrors.NotSupportedByEmbeddedStore(construct, node.Position, expression);

        // ---------------------------------------------------------------- predicates

        public string Predicate(FilterNode node) => node switch
        {
            LogicalNode l => "(" + Predicate(l.Left) + (l.Op == LogicalOp.And ? " AND " : " OR ") + Predicate(l.Right) + ")",
            NotNode n => "(NOT " + Predicate(n.Operand) + ")",
            BoolLiteral b => "(" + Param(b.Value) + " <> 0)",
            ComparisonNode c => Compare(c.Op, Value(c.Left), Value(c.Right)),
            RangeNode r => Range(r),
            InNode i => In(i),
            LikeNode l => Like(l),
            ExistsNode e => Exists(e),
            IsNullNode n => IsNull(n),
            FunctionNode { Function: not FilterFunction.ArrayLength } f => Contains(f),
            _ => throw Unchecked(node),
        };

        private static InvalidOperationException Unchecked(FilterNode node) =>
            new($"The filter tree was not checked: {FilterFormatter.Format(node)} at position {node.Position}.");

        private string Range(RangeNode r)
        {
            Operand field = Value(r.Field);
            string lower = Compare(r.LowerInclusive ? ComparisonOp.LessOrEqual : ComparisonOp.Less, Value(r.Lower), field);
            string upper = Compare(r.UpperInclusive ? ComparisonOp.LessOrEqual : ComparisonOp.Less, field, Value(r.Upper));
            return "(" + lower + " AND " + upper + ")";
        }

        private static string SqlOperator(ComparisonOp op) => op switch
        {
            ComparisonOp.Equal => "=",
            ComparisonOp.NotEqual => "<>",
            ComparisonOp.Less => "<",
            ComparisonOp.LessOrEqual => "<=",
            ComparisonOp.Greater => ">",
            _ => ">=",
        };

        private static string Compare(ComparisonOp op, Operand left, Operand right)
        {
            string comparison = left.Sql + " " + SqlOperator(op) + " " + right.Sql;
            if (left.MayBeNull || right.MayBeNull)
            {
                comparison = "IFNULL(" + comparison + ", 0)";
            }

            bool equality = op is ComparisonOp.Equal or ComparisonOp.NotEqual;
            if (left.Kind == ValueKind.Json && right.Kind == ValueKind.Json)
            {
                // Two JSON values: equal types only (number with number, string with string, ...).
                ValueKind[] kinds = equality ? [ValueKind.Number, ValueKind.String, ValueKind.Bool] : [ValueKind.Number, ValueKind.String];
                return "(" + string.Join(" OR ", kinds.Select(k => And(JsonGuard(left, k), JsonGuard(right, k), comparison))) + ")";
            }

            ValueKind kind = left.Kind == ValueKind.Json ? right.Kind : left.Kind;
            return "(" + And(Guard(left, kind), Guard(right, kind), comparison) + ")";
        }

        /// <summary>The never-NULL condition under which an operand is a present value of <paramref name="kind"/>.</summary>
        private static string? Guard(Operand operand, ValueKind kind) =>
            operand.Kind == ValueKind.Json ? JsonGuard(operand, kind) : operand.Present;

        private static string JsonGuard(Operand json, ValueKind kind)
        {
            string type = "json_type(" + json.Column + ", " + json.PathParameter + ")";
            return kind switch
            {
                ValueKind.Number => "IFNULL(" + type + " IN ('integer', 'real'), 0)",
                ValueKind.String => "IFNULL(" + type + " = 'text', 0)",
                ValueKind.Bool => "IFNULL(" + type + " IN ('true', 'false'), 0)",
                _ => throw new InvalidOperationException("No JSON guard for " + kind),
            };
        }

        private static ValueKind KindOf(LiteralNode literal) => literal switch
        {
            IntegerLiteral or FloatLiteral => ValueKind.Number,
            StringLiteral => ValueKind.String,
            BoolLiteral => ValueKind.Bool,
            _ => ValueKind.List,
        };

        private static object ValueOf(LiteralNode literal) => literal switch
        {
            IntegerLiteral i => i.Value,
            FloatLiteral f => f.Value,
            StringLiteral s => s.Value,
            BoolLiteral b => b.Value,
            _ => throw new InvalidOperationException("A list has no scalar value."),
        };

        private string In(InNode node)
        {
            Operand value = Value(node.Value);
            string core;
            if (node.Items.Count == 0)
            {
                core = "0";
            }
            else
            {
                var parts = new List<string>();
                foreach (IGrouping<ValueKind, LiteralNode> group in node.Items.GroupBy(KindOf))
                {
                    string list = string.Join(", ", group.Select(item => Param(ValueOf(item))));
                    string membership = value.Sql + " IN (" + list + ")";
                    if (value.MayBeNull)
                    {
                        membership = "IFNULL(" + membership + ", 0)";
                    }

                    parts.Add(And(Guard(value, group.Key), membership));
                }

                core = parts.Count == 1 ? "(" + parts[0] + ")" : "(" + string.Join(" OR ", parts) + ")";
            }

            return node.Negated ? "(NOT " + core + ")" : core;
        }

        private string Like(LikeNode node)
        {
            Operand value = Value(node.Value);
            string pattern = Param(LikeToGlob(node.Pattern));
            return "(" + And(Guard(value, ValueKind.String), value.Sql + " GLOB " + pattern) + ")";
        }

        private string Exists(ExistsNode node)
        {
            Operand field = Value(node.Field);
            return "(json_type(" + field.Column + ", " + field.PathParameter + ") IS NOT NULL)";
        }

        private string IsNull(IsNullNode node)
        {
            Operand field = Value(node.Field);
            if (field.Kind != ValueKind.Json)
            {
                // A VarChar column: SQL NULL is the Milvus null.
                return "(" + field.Sql + (node.Negated ? " IS NOT NULL)" : " IS NULL)");
            }

            if (node.Field.Path.Count == 0)
            {
                // The whole JSON field is null when the column is NULL or holds the JSON null.
                return node.Negated
                    ? "(" + field.Column + " IS NOT NULL AND json_type(" + field.Column + ") <> 'null')"
                    : "(" + field.Column + " IS NULL OR json_type(" + field.Column + ") = 'null')";
            }

            // A JSON key is null when it is missing or holds the JSON null.
            return "(IFNULL(json_type(" + field.Column + ", " + field.PathParameter + "), 'null') " + (node.Negated ? "<>" : "=") + " 'null')";
        }

        private Operand JsonArgument(FunctionNode node) => Value((FieldNode)node.Arguments[0]);

        private string Contains(FunctionNode node)
        {
            Operand array = JsonArgument(node);
            FilterField field = FilterChecker.Resolve(((FieldNode)node.Arguments[0]).Name, fields);
            if (JsonEachColumns.Contains(field.SqlColumn))
            {
                throw NotSupported($"{node.Name} on the column \"{field.SqlColumn}\" (its name clashes with a json_each column)", node);
            }

            string isArray = "IFNULL(json_type(" + array.Column + ", " + array.PathParameter + ") = 'array', 0)";
            FilterNode second = node.Arguments[1];

            // Milvus matches arrays of arrays; json_each compares scalars only.
            if (node.Function == FilterFunction.JsonContains)
            {
                if (second is ListLiteral)
                {
                    throw NotSupported($"{node.Name} with a list as the element to find (arrays of arrays)", second);
                }

                return "(" + isArray + " AND " + ElementExists(array, [(LiteralNode)second]) + ")";
            }

            var list = (ListLiteral)second;
            if (list.Items.FirstOrDefault(i => i is ListLiteral) is { } nested)
            {
                throw NotSupported($"{node.Name} with a list as an element to find (arrays of arrays)", nested);
            }

            if (node.Function == FilterFunction.JsonContainsAll)
            {
                // Every element present; an empty list is contained in any array.
                return list.Items.Count == 0
                    ? "(" + isArray + ")"
                    : "(" + isArray + " AND " + string.Join(" AND ", list.Items.Select(i => ElementExists(array, [i]))) + ")";
            }

            // Any element present; no array contains any element of an empty list.
            return list.Items.Count == 0 ? "0" : "(" + isArray + " AND " + ElementExists(array, list.Items) + ")";
        }

        /// <summary>EXISTS an element of the array that equals (same JSON type) one of the literals.</summary>
        private string ElementExists(Operand array, IReadOnlyList<LiteralNode> literals)
        {
            var parts = new List<string>();
            foreach (IGrouping<ValueKind, LiteralNode> group in literals.GroupBy(KindOf))
            {
                string type = group.Key switch
                {
                    ValueKind.Number => "je.type IN ('integer', 'real')",
                    ValueKind.String => "je.type = 'text'",
                    _ => "je.type IN ('true', 'false')",
                };
                string[] values = group.Select(l => Param(ValueOf(l))).ToArray();
                string match = values.Length == 1 ? "je.value = " + values[0] : "je.value IN (" + string.Join(", ", values) + ")";
                parts.Add("(" + type + " AND " + match + ")");
            }

            return "EXISTS (SELECT 1 FROM json_each(" + array.Column + ", " + array.PathParameter + ") AS je WHERE "
                + string.Join(" OR ", parts) + ")";
        }

        // ---------------------------------------------------------------- values

        private Operand Value(FilterNode node)
        {
            switch (node)
            {
                case IntegerLiteral i:
                    return new Operand(ValueKind.Number, Param(i.Value), null);
                case FloatLiteral f:
                    return new Operand(ValueKind.Number, Param(f.Value), null);
                case StringLiteral s:
                    return new Operand(ValueKind.String, Param(s.Value), null);
                case BoolLiteral b:
                    return new Operand(ValueKind.Bool, Param(b.Value), null);
                case FieldNode f:
                    return Field(f);
                case ArithmeticNode a:
                    return Arithmetic(a);
                case NegateNode n:
                    Operand operand = Value(n.Operand);
                    return new Operand(ValueKind.Number, "(-" + operand.Sql + ")", Guard(operand, ValueKind.Number), operand.MayBeNull);
                case FunctionNode { Function: FilterFunction.ArrayLength } f:
                    Operand array = JsonArgument(f);
                    return new Operand(ValueKind.Number,
                        "json_array_length(" + array.Column + ", " + array.PathParameter + ")",
                        "IFNULL(json_type(" + array.Column + ", " + array.PathParameter + ") = 'array', 0)");
                default:
                    throw Unchecked(node);
            }
        }

        private Operand Field(FieldNode node)
        {
            FilterField field = FilterChecker.Resolve(node.Name, fields);
            string column = Quote(field.SqlColumn);
            if (field.Kind == FilterFieldKind.VarChar)
            {
                return new Operand(ValueKind.String, column, "(" + column + " IS NOT NULL)");
            }

            string path = Param(JsonPath(node.Path));
            return new Operand(ValueKind.Json, "json_extract(" + column + ", " + path + ")", null, Column: column, PathParameter: path);
        }

        private Operand Arithmetic(ArithmeticNode node)
        {
            string symbol = FilterFormatter.Symbol(node.Op);
            Operand left = Value(node.Left);
            Operand right = Value(node.Right);
            string sql = node.Op switch
            {
                // Milvus divides numbers as floating point here: 7 / 2 is 3.5, never integer division.
                // Division (or %) by zero yields SQL NULL, which makes the comparison false.
                ArithmeticOp.Divide => "(" + left.Sql + " * 1.0 / " + right.Sql + ")",
                _ => "(" + left.Sql + " " + symbol + " " + right.Sql + ")",
            };

            string? present = Guard(left, ValueKind.Number) is { } lg
                ? (Guard(right, ValueKind.Number) is { } rg ? "(" + lg + " AND " + rg + ")" : lg)
                : Guard(right, ValueKind.Number);

            return new Operand(ValueKind.Number, sql, present,
                MayBeNull: left.MayBeNull || right.MayBeNull || node.Op is ArithmeticOp.Divide or ArithmeticOp.Modulo);
        }
    }
}
