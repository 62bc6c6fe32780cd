using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// Renders a checked filter (<see cref="ParsedFilter"/>) as a parameterized SQLite boolean expression (JSON1
/// functions) with the semantics of Milvus 2.5's query nodes (internal/core/src/exec/expression). Whether the filter
/// means something is <see cref="FilterChecker"/>'s question; the only errors here are the embedded store's own:
/// FilterNotSupported for what SQLite cannot evaluate, FilterTooComplex past its parameter limit. Invariants of the SQL:
/// <list type="bullet">
/// <item>every literal, every JSON path and every like pattern is a parameter (equal values share one; a long
/// <c>in</c> list is one JSON array); the only identifiers are <see cref="FilterField.SqlColumn"/> values, double-quoted;</item>
/// <item>logic is three-valued, as in Milvus: a predicate on a row whose field is null is NULL (unknown), which
/// <c>not</c> keeps unknown, <c>and</c> and <c>or</c> combine as SQL does, and WHERE treats as false;</item>
/// <item>on a row whose JSON field is not null, a predicate is 0 or 1: a comparison with a missing key or a value of
/// another JSON type is false, except <c>!=</c>, which is true there (Milvus's UnaryRangeExpr and
/// BinaryArithOpEvalRangeExpr); <c>exists</c> is false for a JSON null, even on a null row;</item>
/// <item>an integer constant compares with JSON integers and floats; <c>json_contains</c> with an integer matches JSON
/// integers only, as Milvus's query nodes read them.</item>
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

    /// <summary>
    /// The key a Milvus key names in a stored document. Milvus keeps the key's text as written (<c>key\"q</c>) and its
    /// JSON reader compares that text with the key as the document writes it, escapes and all; SQLite compares decoded
    /// keys, so the text is decoded as a JSON string's body (<c>key"q</c>). Text that is no such body stays as it is.
    /// </summary>
    private static string AsInDocument(string key)
    {
        if (!key.Contains('\\', StringComparison.Ordinal)) return key;
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<string>("\"" + key + "\"") ?? key;
        }
        catch (System.Text.Json.JsonException)
        {
            return key;
        }
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
            foreach (char c in AsInDocument(segment.Key!))
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

    /// <summary>How Milvus 2.5 evaluates a like pattern (planparserv2/pattern_match.go): one of the string tests, or a full match.</summary>
    internal enum LikeKind
    {
        Equal,
        Prefix,
        Suffix,
        Infix,
        Match,
    }

    /// <summary>
    /// Milvus 2.5's reading of a like pattern (optimizeLikePattern): a pattern that is a literal text with % at its
    /// start, its end or both becomes an equality, prefix, suffix or infix test on that text, where \% and \_ stand
    /// for % and _ and every other character, a backslash included, stands for itself; any other pattern is a full
    /// match (<see cref="LikeToGlob"/>).
    /// </summary>
    internal static (LikeKind Kind, string Operand) AnalyzeLike(string pattern)
    {
        if (pattern.Length == 0)
        {
            return (LikeKind.Equal, "");
        }

        if (pattern is "%" or "%%")
        {
            return (LikeKind.Prefix, "");
        }

        static string? Literal(string s)
        {
            var sb = new StringBuilder(s.Length);
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '\\' && i + 1 < s.Length && s[i + 1] is '%' or '_')
                {
                    sb.Append(s[++i]);
                    continue;
                }

                if (c is '%' or '_')
                {
                    return null;
                }

                sb.Append(c);
            }

            return sb.ToString();
        }

        bool leading = pattern[0] == '%';
        bool trailing = pattern[^1] == '%';
        (LikeKind, string)? result = (leading, trailing) switch
        {
            (true, true) => Literal(pattern[1..^1].Trim('%')) is { } s ? (s.Length == 0 ? LikeKind.Prefix : LikeKind.Infix, s) : null,
            (true, false) => Literal(pattern[1..].TrimStart('%')) is { } s ? (LikeKind.Suffix, s) : null,
            (false, true) => Literal(pattern[..^1].TrimEnd('%')) is { } s ? (LikeKind.Prefix, s) : null,
            _ => Literal(pattern) is { } s ? (LikeKind.Equal, s) : null,
        };
        return result ?? (LikeKind.Match, pattern);
    }

    /// <summary>
    /// Turns a Milvus like pattern into a GLOB pattern (GLOB is case-sensitive, as Milvus' like is), as Milvus 2.5
    /// turns it into a regular expression (common/RegexQuery.cpp): % -> *, _ -> ?, a backslash makes the next character
    /// literal (a last lone backslash is dropped), and the GLOB metacharacters *, ? and [ are matched literally through
    /// one-character classes ([*], [?], [[]).
    /// </summary>
    internal static string LikeToGlob(string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 8);
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 < pattern.Length)
                {
                    AppendLiteral(sb, pattern[++i]);
                }
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

    /// <summary>SQLite's limit on a GLOB pattern, in bytes (SQLITE_MAX_LIKE_PATTERN_LENGTH).</summary>
    internal const int MaxGlobBytes = 50_000;

    /// <summary>An <c>in</c> list longer than this is bound as one JSON array, searched through json_each.</summary>
    internal const int InlineListItems = 16;

    private sealed class Translator(IReadOnlyList<FilterField> fields, string prefix, string? expression)
    {
        // Columns of the json_each table-valued function: inside its subquery they would shadow an
        // outer column of the same name.
        private static readonly HashSet<string> JsonEachColumns = new(StringComparer.OrdinalIgnoreCase)
        {
            "key", "value", "type", "atom", "id", "parent", "fullkey", "path", "json", "root",
        };

        private readonly Dictionary<(Type, object), string> _byValue = [];

        public List<KeyValuePair<string, object?>> Parameters { get; } = [];

        /// <summary>A parameter for a value; equal values of one type share it, which keeps long filters within SQLite's limit.</summary>
        private string Param(object value)
        {
            if (_byValue.TryGetValue((value.GetType(), value), out string? existing))
            {
                return existing;
            }

            if (Parameters.Count >= FilterLimits.MaxSqlParameters)
            {
                throw FilterLimits.TooComplex("number of distinct values and JSON paths the embedded store binds", Parameters.Count + 1, FilterLimits.MaxSqlParameters, expression);
            }

            string name = prefix + Parameters.Count.ToString(CultureInfo.InvariantCulture);
            Parameters.Add(new KeyValuePair<string, object?>(name, value));
            _byValue[(value.GetType(), value)] = name;
            return name;
        }

        private static string Quote(string column) => "\"" + column.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

        private MilvusOpsException NotSupported(string construct, FilterNode node) =>
            FilterErrors.NotSupportedByEmbeddedStore(construct, node.Position, expression);

        // ---------------------------------------------------------------- predicates

        /// <summary>SQL that is 1, 0 or NULL (unknown) for a row.</summary>
        public string Predicate(FilterNode node)
        {
            if (FilterChecker.ConstantValue(node) is { } constant)
            {
                return constant ? "1" : "0";
            }

            return node switch
            {
                LogicalNode { Op: LogicalOp.Or } l => Or(l),
                LogicalNode l => "(" + Predicate(l.Left) + " AND " + Predicate(l.Right) + ")",
                NotNode n => "(NOT " + Predicate(n.Operand) + ")",
                ComparisonNode c => Compare(c),
                RangeNode r => Range(r),
                InNode i => In(i),
                LikeNode l => Like(l),
                ExistsNode e => Exists(e.Field),
                IsNullNode n => IsNull(n),
                FunctionNode { Function: FilterFunction.JsonContains or FilterFunction.JsonContainsAll or FilterFunction.JsonContainsAny } f => Contains(f),
                FunctionNode { Function: FilterFunction.Empty } f => "(" + StringValue(f.Arguments[0]) + " = '')",
                FunctionNode { Function: FilterFunction.StartsWith } f => StartsWith(StringValue(f.Arguments[0]), StringValue(f.Arguments[1])),
                _ => throw Unchecked(node),
            };
        }

        /// <summary>
        /// An or chain. Its <c>field == constant</c> terms on one field become one membership test (in Kleene logic
        /// <c>x == a or x == b</c> is <c>x in [a, b]</c>, null rows included), so that a long generated chain of
        /// values binds one JSON array instead of a parameter per value: SQLite looks parameters up by a linear scan,
        /// and tens of thousands of them take seconds. The other terms stay as they are, in a balanced tree.
        /// </summary>
        private string Or(LogicalNode node)
        {
            var terms = new List<FilterNode>();
            var pending = new Stack<FilterNode>();
            pending.Push(node);
            while (pending.Count > 0)
            {
                FilterNode term = pending.Pop();
                if (term is LogicalNode { Op: LogicalOp.Or } or && FilterChecker.ConstantValue(or) is null)
                {
                    pending.Push(or.Right);
                    pending.Push(or.Left);
                }
                else
                {
                    terms.Add(term);
                }
            }

            var sql = new List<string>();
            var groups = new Dictionary<string, (FieldNode Field, List<LiteralNode> Values)>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (FilterNode term in terms)
            {
                if (term is ComparisonNode { Op: ComparisonOp.Equal } c
                    && (c.Left, c.Right) is (FieldNode, LiteralNode and not ListLiteral) or (LiteralNode and not ListLiteral, FieldNode))
                {
                    var field = (FieldNode)(c.Left as FieldNode ?? c.Right);
                    var value = (LiteralNode)(c.Left as LiteralNode ?? c.Right);
                    string key = FilterFormatter.Format(field);
                    if (!groups.TryGetValue(key, out var group))
                    {
                        group = (field, []);
                        groups[key] = group;
                        order.Add(key);
                    }

                    group.Values.Add(value);
                    continue;
                }

                sql.Add(Predicate(term));
            }

            foreach (string key in order)
            {
                var (field, values) = groups[key];
                sql.Add(values.Count == 1 ? Compare(new ComparisonNode(field.Position, ComparisonOp.Equal, field, values[0])) : Membership(field, values));
            }

            return BalancedOr(sql, 0, sql.Count);
        }

        private static string BalancedOr(List<string> terms, int start, int end)
        {
            int count = end - start;
            if (count == 1)
            {
                return terms[start];
            }

            int middle = start + ((count + 1) / 2);
            return "(" + BalancedOr(terms, start, middle) + " OR " + BalancedOr(terms, middle, end) + ")";
        }

        /// <summary><c>field == v1 or field == v2 ...</c>: for a JSON value, one test per JSON type (numbers compare with numbers).</summary>
        private string Membership(FieldNode field, List<LiteralNode> values)
        {
            if (!IsJson(field))
            {
                return "(" + Members(Column(field), values) + ")";
            }

            var json = Json(field);
            var byType = values.GroupBy(v => v switch { IntegerLiteral or FloatLiteral => 0, StringLiteral => 1, _ => 2 }).ToList();
            string tests = string.Join(" OR ", byType.Select(g => "(" + Guard(json, g.First()) + " AND " + Members(ValueOf(json), g.ToList()) + ")"));
            return OnJsonRow(json.Column, byType.Count == 1 ? tests : "(" + tests + ")");
        }

        private static InvalidOperationException Unchecked(FilterNode node) =>
            new($"The filter tree was not checked: {FilterFormatter.Format(node)} at position {node.Position}.");

        private string StringValue(FilterNode node) => node is StringLiteral s ? Param(s.Value) : Column((FieldNode)node);

        // Milvus: str.find(prefix) == 0; unknown when either is null.
        private static string StartsWith(string value, string prefix) =>
            "(substr(" + value + ", 1, length(" + prefix + ")) = " + prefix + ")";

        private FilterField FieldOf(FieldNode node) => FilterChecker.Resolve(node.Name, fields);

        private string Column(FieldNode node) => Quote(FieldOf(node).SqlColumn);

        private bool IsJson(FieldNode node) => FieldOf(node).Kind == FilterFieldKind.Json;

        /// <summary>A JSON field's column and the parameter of a path in it.</summary>
        private (string Column, string Path) Json(FieldNode node) => (Column(node), Param(JsonPath(node.Path)));

        /// <summary>
        /// A predicate on a JSON value, unknown (NULL) on a row whose JSON field is null, as Milvus marks such rows
        /// invalid; <paramref name="sql"/> is 0 or 1 on the other rows.
        /// </summary>
        private static string OnJsonRow(string column, string sql) =>
            "(CASE WHEN " + column + " IS NULL OR json_type(" + column + ") = 'null' THEN NULL ELSE " + sql + " END)";

        private static string TypeOf((string Column, string Path) json) => "json_type(" + json.Column + ", " + json.Path + ")";

        private static string ValueOf((string Column, string Path) json) => "json_extract(" + json.Column + ", " + json.Path + ")";

        /// <summary>The never-NULL condition that a JSON value has the type Milvus reads a constant's type as.</summary>
        private static string Guard((string Column, string Path) json, LiteralNode constant) =>
            "IFNULL(" + TypeOf(json) + constant switch
            {
                IntegerLiteral or FloatLiteral => " IN ('integer', 'real')",
                StringLiteral => " = 'text'",
                BoolLiteral => " IN ('true', 'false')",
                _ => " = 'array'",
            } + ", 0)";

        private static string SqlOperator(ComparisonOp op) => op switch
        {
            ComparisonOp.Equal => "=",
            ComparisonOp.NotEqual => "<>",
            ComparisonOp.Less => "<",
            ComparisonOp.LessOrEqual => "<=",
            ComparisonOp.Greater => ">",
            _ => ">=",
        };

        private static ComparisonOp Reverse(ComparisonOp op) => op switch
        {
            ComparisonOp.Less => ComparisonOp.Greater,
            ComparisonOp.LessOrEqual => ComparisonOp.GreaterOrEqual,
            ComparisonOp.Greater => ComparisonOp.Less,
            ComparisonOp.GreaterOrEqual => ComparisonOp.LessOrEqual,
            _ => op,
        };

        private static object ValueOf(LiteralNode literal) => literal switch
        {
            IntegerLiteral i => i.Value,
            FloatLiteral f => f.Value,
            StringLiteral s => s.Value,
            BoolLiteral b => b.Value,
            _ => throw new InvalidOperationException("A list has no scalar value."),
        };

        private string Compare(ComparisonNode node)
        {
            // field op constant, with the constant on the right.
            ComparisonOp op = node.Op;
            FilterNode value = node.Left;
            LiteralNode? constant = node.Right as LiteralNode;
            if (node.Left is LiteralNode left)
            {
                op = Reverse(op);
                value = node.Right;
                constant = left;
            }

            if (constant is null)
            {
                // Two VarChar fields.
                return "(" + Column((FieldNode)node.Left) + " " + SqlOperator(op) + " " + Column((FieldNode)node.Right) + ")";
            }

            switch (value)
            {
                case FieldNode field when !IsJson(field):
                    return "(" + Column(field) + " " + SqlOperator(op) + " " + Param(ValueOf(constant)) + ")";
                case FieldNode field:
                    if (constant is ListLiteral)
                    {
                        CheckJsonEachColumn(field, "comparing a JSON value with a list", node);
                    }

                    return OnJsonRow(Column(field), JsonCompare(Json(field), op, constant));
                case FunctionNode { Function: FilterFunction.ArrayLength } f:
                {
                    // Milvus counts a missing key, a JSON null and a value that is not an array as length 0.
                    var json = Json((FieldNode)f.Arguments[0]);
                    string length = "IFNULL(json_array_length(" + json.Column + ", " + json.Path + "), 0)";
                    return OnJsonRow(json.Column, "(" + length + " " + SqlOperator(op) + " " + Param(ValueOf(constant)) + ")");
                }

                case ArithmeticNode a:
                    return Arithmetic(a, op, constant);
                default:
                    throw Unchecked(node);
            }
        }

        /// <summary>A JSON value compared with a constant, on a row whose field is not null.</summary>
        private string JsonCompare((string Column, string Path) json, ComparisonOp op, LiteralNode constant)
        {
            if (constant is ListLiteral list)
            {
                // Milvus compares a JSON array element by element (CompareTwoJsonArray); ordering an array is false.
                string equal = ArrayEquals(json, list);
                return op switch
                {
                    ComparisonOp.Equal => equal,
                    ComparisonOp.NotEqual => "(" + Guard(json, list) + " AND NOT " + equal + ")",
                    _ => "0",
                };
            }

            string match = "(" + Guard(json, constant) + " AND " + ValueOf(json) + " " + SqlOperator(op == ComparisonOp.NotEqual ? ComparisonOp.Equal : op) + " " + Param(ValueOf(constant)) + ")";

            // != is true where the value is missing, null or of another type.
            return op == ComparisonOp.NotEqual ? "(NOT " + match + ")" : match;
        }

        /// <summary>
        /// <c>x op c1 cmp c2</c> on a JSON value, as Milvus's BinaryArithOpEvalRangeExpr: the value must be a number;
        /// with integer constants an integer value is computed in integers (/ truncates), a float one in floats; % of a
        /// float keeps the integer part of the remainder, which is what SQLite's % gives.
        /// </summary>
        private string Arithmetic(ArithmeticNode node, ComparisonOp op, LiteralNode compared)
        {
            bool constantFirst = node.Left is LiteralNode;
            var field = (FieldNode)(constantFirst ? node.Right : node.Left);
            var operand = (LiteralNode)(constantFirst ? node.Left : node.Right);
            var json = Json(field);
            string sql = "(" + ValueOf(json) + " " + FilterFormatter.Symbol(node.Op) + " " + Param(ValueOf(operand)) + ")";
            string match = "(" + Guard(json, operand) + " AND " + sql + " "
                + SqlOperator(op == ComparisonOp.NotEqual ? ComparisonOp.Equal : op) + " " + Param(ValueOf(compared)) + ")";
            return OnJsonRow(json.Column, op == ComparisonOp.NotEqual ? "(NOT " + match + ")" : match);
        }

        private string Range(RangeNode r)
        {
            string lowerOp = r.LowerInclusive ? " <= " : " < ";
            string upperOp = r.UpperInclusive ? " <= " : " < ";
            string lower = Param(ValueOf(r.Lower)), upper = Param(ValueOf(r.Upper));
            if (!IsJson(r.Field))
            {
                string column = Column(r.Field);
                return "(" + lower + lowerOp + column + " AND " + column + upperOp + upper + ")";
            }

            var json = Json(r.Field);
            string value = ValueOf(json);
            return OnJsonRow(json.Column, "(" + Guard(json, r.Lower) + " AND " + lower + lowerOp + value + " AND " + value + upperOp + upper + ")");
        }

        /// <summary>Membership in a list of scalars: a few parameters, or one JSON array for a long list.</summary>
        private string Members(string value, IReadOnlyList<LiteralNode> items)
        {
            if (items.Count <= InlineListItems)
            {
                return value + " IN (" + string.Join(", ", items.Select(i => Param(ValueOf(i))).Distinct()) + ")";
            }

            return value + " IN (SELECT value FROM json_each(" + Param(JsonArray(items)) + "))";
        }

        private string In(InNode node)
        {
            var field = (FieldNode)node.Value;
            string core;
            if (!IsJson(field))
            {
                string column = Column(field);

                // An empty list: false, but unknown on a null row, as Milvus's TermExpr keeps a null row invalid.
                core = node.Items.Count == 0
                    ? "(CASE WHEN " + column + " IS NULL THEN NULL ELSE 0 END)"
                    : "(" + Members(column, node.Items) + ")";
            }
            else if (node.Items.Count == 0)
            {
                core = "0"; // Milvus answers an empty list on a JSON value before it looks at any row.
            }
            else
            {
                var json = Json(field);
                core = OnJsonRow(json.Column, "(" + Guard(json, node.Items[0]) + " AND " + Members(ValueOf(json), node.Items) + ")");
            }

            return node.Negated ? "(NOT " + core + ")" : core;
        }

        private string Like(LikeNode node)
        {
            var field = (FieldNode)node.Value;
            if (!IsJson(field))
            {
                return "(" + LikeMatch(Column(field), node) + ")";
            }

            var json = Json(field);
            return OnJsonRow(json.Column, "(IFNULL(" + TypeOf(json) + " = 'text', 0) AND " + LikeMatch(ValueOf(json), node) + ")");
        }

        private string LikeMatch(string value, LikeNode node)
        {
            var (kind, operand) = AnalyzeLike(node.Pattern.Value);
            switch (kind)
            {
                case LikeKind.Equal:
                    return value + " = " + Param(operand);
                case LikeKind.Prefix:
                {
                    string p = Param(operand);
                    return "substr(" + value + ", 1, length(" + p + ")) = " + p;
                }

                case LikeKind.Suffix:
                {
                    string p = Param(operand);
                    return "substr(" + value + ", -length(" + p + ")) = " + p;
                }

                case LikeKind.Infix:
                    return "instr(" + value + ", " + Param(operand) + ") > 0";
                default:
                    string glob = LikeToGlob(operand);
                    if (Encoding.UTF8.GetByteCount(glob) > MaxGlobBytes)
                    {
                        throw NotSupported(
                            $"a like pattern with wildcards inside it longer than SQLite's {MaxGlobBytes:N0}-byte GLOB limit (a long pattern with % only at its start or end is fine)",
                            node);
                    }

                    return value + " GLOB " + Param(glob);
            }
        }

        private string Exists(FieldNode field)
        {
            // Milvus: a key exists when it is there and not JSON null; never unknown, even on a null row.
            var json = Json(field);
            return "IFNULL(" + TypeOf(json) + " <> 'null', 0)";
        }

        private string IsNull(IsNullNode node)
        {
            FieldNode field = node.Field;
            if (!IsJson(field))
            {
                return "(" + Column(field) + (node.Negated ? " IS NOT NULL)" : " IS NULL)");
            }

            string column = Column(field);
            if (field.Path.Count == 0)
            {
                // The whole JSON field is null when the column is NULL or holds the JSON null.
                return node.Negated
                    ? "(" + column + " IS NOT NULL AND json_type(" + column + ") <> 'null')"
                    : "(" + column + " IS NULL OR json_type(" + column + ") = 'null')";
            }

            // Milvus reads x["k"] is null as not exists x["k"], x["k"] is not null as exists x["k"].
            string exists = Exists(field);
            return node.Negated ? exists : "(NOT " + exists + ")";
        }

        /// <summary>Binds literals (scalars, or flat lists of scalars) as one JSON array.</summary>
        private static string JsonArray(IEnumerable<LiteralNode> items)
        {
            using var stream = new MemoryStream();
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartArray();
                foreach (LiteralNode item in items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
            }

            return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);

            static void Write(Utf8JsonWriter writer, LiteralNode literal)
            {
                switch (literal)
                {
                    case IntegerLiteral i:
                        writer.WriteNumberValue(i.Value);
                        break;
                    case FloatLiteral f:
                        // Written with a '.' or an exponent, so that SQLite reads a float ('real'), never an integer.
                        writer.WriteRawValue(FilterExpression.FormatDouble(f.Value).Replace("E", "e", StringComparison.Ordinal), skipInputValidation: true);
                        break;
                    case StringLiteral s:
                        writer.WriteStringValue(s.Value);
                        break;
                    case BoolLiteral b:
                        writer.WriteBooleanValue(b.Value);
                        break;
                    case ListLiteral l:
                        writer.WriteStartArray();
                        foreach (LiteralNode item in l.Items)
                        {
                            Write(writer, item);
                        }

                        writer.WriteEndArray();
                        break;
                }
            }
        }

        /// <summary>
        /// Whether element <paramref name="e"/> of a JSON array (a json_each row) equals the literal <paramref name="l"/>
        /// (a json_each row of the bound literals), as Milvus's query nodes compare them: an integer matches a JSON
        /// integer, a float any JSON number, a string a string, a boolean a boolean, a flat list an array of the same
        /// length whose elements match in order. Never NULL.
        /// </summary>
        private static string ElementMatches(string e, string l, bool lists)
        {
            string scalar =
                "WHEN 'integer' THEN " + e + ".type = 'integer' AND " + e + ".value = " + l + ".value "
                + "WHEN 'real' THEN " + e + ".type IN ('integer', 'real') AND " + e + ".value = " + l + ".value "
                + "WHEN 'text' THEN " + e + ".type = 'text' AND " + e + ".value = " + l + ".value "
                + "WHEN 'true' THEN " + e + ".type = 'true' "
                + "WHEN 'false' THEN " + e + ".type = 'false' ";
            string array = !lists
                ? ""
                : "WHEN 'array' THEN " + e + ".type = 'array' AND json_array_length(" + e + ".value) = json_array_length(" + l + ".value) "
                  + "AND NOT EXISTS (SELECT 1 FROM json_each(" + e + ".value) AS " + e + "x JOIN json_each(" + l + ".value) AS " + l + "x ON "
                  + e + "x.key = " + l + "x.key WHERE NOT (" + ElementMatches(e + "x", l + "x", lists: false) + ")) ";
            return "CASE " + l + ".type " + scalar + array + "ELSE 0 END";
        }

        /// <summary>SQL that reads a JSON array through json_each names the outer column inside the subquery.</summary>
        private void CheckJsonEachColumn(FieldNode field, string construct, FilterNode node)
        {
            string column = FieldOf(field).SqlColumn;
            if (JsonEachColumns.Contains(column))
            {
                throw NotSupported($"{construct} on the column \"{column}\" (its name clashes with a json_each column)", node);
            }
        }

        /// <summary>A JSON array equal to a flat list literal, element by element.</summary>
        private string ArrayEquals((string Column, string Path) json, ListLiteral list)
        {
            string literals = Param(JsonArray(list.Items));
            return "(" + Guard(json, list) + " AND json_array_length(" + json.Column + ", " + json.Path + ") = " + Param((long)list.Items.Count)
                + " AND NOT EXISTS (SELECT 1 FROM json_each(" + json.Column + ", " + json.Path + ") AS e JOIN json_each(" + literals
                + ") AS l ON e.key = l.key WHERE NOT (" + ElementMatches("e", "l", lists: false) + ")))";
        }

        private string Contains(FunctionNode node)
        {
            var field = (FieldNode)node.Arguments[0];
            var list = node.Arguments[1] as ListLiteral;
            IReadOnlyList<LiteralNode> elements = node.Function == FilterFunction.JsonContains
                ? [(LiteralNode)node.Arguments[1]]
                : list!.Items;

            // Milvus answers an empty list before it looks at any row: all contains every row, any none.
            if (elements.Count == 0)
            {
                _ = Column(field);
                return node.Function == FilterFunction.JsonContainsAll ? "1" : "0";
            }

            CheckJsonEachColumn(field, node.Name, node);
            var json = Json(field);
            string literals = Param(JsonArray(elements));
            bool lists = elements.Any(e => e is ListLiteral);
            string isArray = "IFNULL(" + TypeOf(json) + " = 'array', 0)";
            string inArray = "SELECT 1 FROM json_each(" + json.Column + ", " + json.Path + ") AS e WHERE " + ElementMatches("e", "l", lists);
            string sql = node.Function == FilterFunction.JsonContainsAll
                ? "(" + isArray + " AND NOT EXISTS (SELECT 1 FROM json_each(" + literals + ") AS l WHERE NOT EXISTS (" + inArray + ")))"
                : "(" + isArray + " AND EXISTS (SELECT 1 FROM json_each(" + literals + ") AS l WHERE EXISTS (" + inArray + ")))";
            return OnJsonRow(json.Column, sql);
        }
    }
}
