using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// Recursive-descent parser for Milvus boolean filter expressions, following the grammar of Milvus 2.5
/// (internal/parser/planparserv2/Plan.g4) and the constant folding of its visitor (parser_visitor.go, operators.go).
/// Precedence, loosest first: or; and; == !=; &lt; &lt;= &gt; &gt;= and ranges; in / not in; + -; * / %;
/// prefix - + not !; **; like; primaries (literals, lists, fields and JSON paths, <c>x is null</c>, calls, exists).
/// As in Milvus, <c>not</c> binds tighter than a comparison (<c>not x == 1</c> is <c>(not x) == 1</c>) but looser than
/// <c>like</c> (<c>not x like "a%"</c> is <c>not (x like "a%")</c>), and <c>-2 ** 2</c> is <c>-(2 ** 2)</c>.
/// Arithmetic and powers of constants are folded into one literal, as Milvus folds them, so <c>x in [1 + 1]</c> is
/// <c>x in [2]</c>; a comparison or logic of constants stays in the tree (Milvus tells a folded condition from a
/// written <c>true</c>), and becomes a literal only where a value is expected.
/// </summary>
internal sealed class FilterParser
{
    private readonly string _expression;
    private readonly FilterLexer _lexer;
    private readonly List<FilterToken> _lookahead = [];
    private int _head;
    private long _consumed;      // tokens advanced past, in all
    private FilterToken _previous;
    private int _nesting;   // ParseUnary and bracket frames open: every recursive path of the grammar passes through one
    private readonly FilterTemplates _templates;
    private readonly FilterDialect _dialect;

    private FilterParser(string expression, FilterTemplates templates, FilterDialect dialect)
    {
        _expression = expression;
        _lexer = new FilterLexer(expression);
        _templates = templates;
        _dialect = dialect;
    }

    /// <summary>
    /// Parses an expression. Returns null for null, empty or whitespace-only text ("no filter").
    /// Throws <see cref="FilterParseException"/> (FilterSyntaxError) for invalid syntax, FilterNotSupported for valid
    /// Milvus syntax that neither backend takes (bitwise operators, other functions...), and
    /// FilterTypeMismatch or FilterInvalidLiteral for constants Milvus cannot fold (<c>1 / 0</c>, <c>"a" + 1</c>).
    /// </summary>
    public static FilterNode? Parse(string? expression) => Parse(expression, null, FilterDialect.Milvus25, out _);

    /// <summary>
    /// Parses an expression whose {name} placeholders take their values from <paramref name="parameters"/>
    /// (FilterParameterInvalid for a placeholder without a value, a value without a placeholder, or a value that is no
    /// string, number, bool or list); <paramref name="templates"/> tells which literal of the tree each one became.
    /// The grammar is <paramref name="dialect"/>'s.
    /// </summary>
    public static FilterNode? Parse(string? expression, IReadOnlyDictionary<string, object?>? parameters, FilterDialect dialect,
        out IReadOnlyDictionary<object, string> templates)
    {
        templates = new Dictionary<object, string>();
        if (string.IsNullOrWhiteSpace(expression))
        {
            if (parameters is { Count: > 0 })
                throw new MilvusOpsException(PatternFilter.InvalidParameterId, ErrorKind.InvalidArgument,
                    "-FilterParameter was given without a -Filter for its values.", parameters.Keys.First());
            return null;
        }

        FilterLimits.CheckLength(expression);
        var placeholders = new FilterTemplates(parameters, expression);
        var parser = new FilterParser(expression, placeholders, dialect);
        FilterNode node = parser.ParseOr();
        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Unexpected(parser.Current.Kind == TokenKind.RParen
                ? "end of expression (this ')' has no matching '(')"
                : "an operator or end of expression");
        }

        FilterLimits.CheckDepth(node, expression);
        placeholders.CheckAllUsed();
        templates = placeholders.Names;
        return node;
    }

    // ---------------------------------------------------------------- tokens

    private FilterToken Current => Peek(0);

    private FilterToken Peek(int offset = 1)
    {
        while (_lookahead.Count - _head <= offset)
        {
            if (_lookahead.Count > 0 && _lookahead[^1].Kind == TokenKind.End)
            {
                return _lookahead[^1];
            }

            _lookahead.Add(_lexer.Next());
        }

        return _lookahead[_head + offset];
    }

    private FilterToken Advance()
    {
        FilterToken token = Current;
        _head++;
        _consumed++;
        _previous = token;
        if (_head >= 64 && _head * 2 >= _lookahead.Count)
        {
            _lookahead.RemoveRange(0, _head);
            _head = 0;
        }

        return token;
    }

    private string TextOf(FilterToken token) => token.Source(_expression);

    private bool IsKeyword(FilterToken token, string lower) =>
        token.Kind == TokenKind.Identifier && token.Length == lower.Length
        && (string.CompareOrdinal(_expression, token.Position, lower, 0, lower.Length) == 0
            || string.CompareOrdinal(_expression, token.Position, lower.ToUpperInvariant(), 0, lower.Length) == 0);

    private bool IsBoolKeyword(FilterToken token, out bool value)
    {
        value = false;
        if (token.Kind != TokenKind.Identifier || token.Length is not (4 or 5))
        {
            return false;
        }

        switch (TextOf(token))
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                return true;
            default:
                return false;
        }
    }

    // Keywords of Plan.g4 that cannot start an operand. ("is" and "null" are names unless they spell "is null".)
    private static readonly string[] ReservedWords = ["and", "or", "not", "in", "like"];

    private bool IsReserved(FilterToken token) => ReservedWords.Any(w => IsKeyword(token, w));

    private bool IsNot(FilterToken token) => token.Kind == TokenKind.Bang || IsKeyword(token, "not");

    /// <summary>A syntax error at the current token (or a FilterNotSupported one if it is a valid but unsupported operator).</summary>
    private MilvusOpsException Unexpected(string expected)
    {
        FilterToken token = Current;
        string? unsupported = token.Kind switch
        {
            TokenKind.BitAnd or TokenKind.BitOr or TokenKind.BitXor or TokenKind.BitNot
                or TokenKind.ShiftLeft or TokenKind.ShiftRight => $"the bitwise operator '{TextOf(token)}'",
            TokenKind.Placeholder => _dialect.TakesLikePlaceholder
                ? $"the template placeholder '{TextOf(token)}' here (Milvus {_dialect.Line} takes a template where a value goes)"
                : $"the template placeholder '{TextOf(token)}' here (Milvus {_dialect.Line} takes a template where a value goes, not as a like pattern)",
            _ => null,
        };

        return unsupported is not null
            ? FilterErrors.NotSupported(unsupported, token.Position, _expression)
            : new FilterParseException(_expression, token.Position, expected, token.Describe(_expression));
    }

    private FilterParseException ErrorAt(FilterNode node, string expected, string found) =>
        new(_expression, node.Position, expected, found);

    /// <summary>The source text of a node that was just parsed (it ends with the previous token).</summary>
    private string SourceOf(FilterNode node) => SourceOf(node, _previous.End);

    private string SourceOf(FilterNode node, int end) =>
        FilterToken.Quote(_expression[node.Position..Math.Max(node.Position, end)].Trim());

    private void Expect(TokenKind kind, string expected)
    {
        if (Current.Kind != kind)
        {
            throw Unexpected(expected);
        }

        Advance();
    }

    private void Enter()
    {
        // The limit keeps the recursion well inside a 1 MB stack; a thread with less still gets FilterTooComplex.
        if (++_nesting > FilterLimits.MaxNesting || !System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw FilterLimits.TooComplex("nesting of parentheses, brackets, calls and prefix operators", _nesting, FilterLimits.MaxNesting, _expression);
        }
    }

    private void Leave() => _nesting--;

    // ---------------------------------------------------------------- logic

    private FilterNode ParseOr() => ParseChain(LogicalOp.Or, ParseAnd);

    private FilterNode ParseAnd() => ParseChain(LogicalOp.And, ParseEquality);

    private bool AtLogical(LogicalOp op) => op == LogicalOp.Or
        ? Current.Kind == TokenKind.OrOr || IsKeyword(Current, "or")
        : Current.Kind == TokenKind.AndAnd || IsKeyword(Current, "and");

    /// <summary>
    /// Reads <c>t1 op t2 op ...</c> in a loop and builds a balanced tree, so that a chain of thousands
    /// of terms is a few levels deep for every walker (and for SQLite) instead of one level per term.
    /// and/or are associative, so the grouping does not change the result.
    /// </summary>
    private FilterNode ParseChain(LogicalOp op, Func<FilterNode> parseTerm)
    {
        FilterNode first = parseTerm();
        if (!AtLogical(op))
        {
            return first;
        }

        var terms = new List<FilterNode> { first };
        while (AtLogical(op))
        {
            Advance();
            terms.Add(parseTerm());
        }

        return Balanced(op, terms, 0, terms.Count);
    }

    // The left half takes the extra term, so a chain of three stays ((a op b) op c).
    private static FilterNode Balanced(LogicalOp op, List<FilterNode> terms, int start, int end)
    {
        int count = end - start;
        if (count == 1)
        {
            return terms[start];
        }

        int middle = start + ((count + 1) / 2);
        FilterNode left = Balanced(op, terms, start, middle);
        return new LogicalNode(left.Position, op, left, Balanced(op, terms, middle, end));
    }

    // ---------------------------------------------------------------- comparisons

    private static ComparisonOp? ComparisonOf(FilterToken token) => token.Kind switch
    {
        TokenKind.Equal => ComparisonOp.Equal,
        TokenKind.NotEqual => ComparisonOp.NotEqual,
        TokenKind.Less => ComparisonOp.Less,
        TokenKind.LessOrEqual => ComparisonOp.LessOrEqual,
        TokenKind.Greater => ComparisonOp.Greater,
        TokenKind.GreaterOrEqual => ComparisonOp.GreaterOrEqual,
        _ => null,
    };

    private static bool IsAscending(ComparisonOp op) => op is ComparisonOp.Less or ComparisonOp.LessOrEqual;

    private static bool IsDescending(ComparisonOp op) => op is ComparisonOp.Greater or ComparisonOp.GreaterOrEqual;

    private static bool IsRelational(ComparisonOp op) => IsAscending(op) || IsDescending(op);

    /// <summary>
    /// <c>==</c> and <c>!=</c>, which bind looser than the relational operators. Milvus's grammar would chain them
    /// (<c>a == b == c</c> is <c>(a == b) == c</c>), but it refuses every such chain of a field, so a second operator is
    /// a syntax error here.
    /// </summary>
    private FilterNode ParseEquality()
    {
        FilterNode left = ParseRelational();
        if (ComparisonOf(Current) is { } op && !IsRelational(op))
        {
            Advance();
            FilterNode right = ParseRelational();
            left = new ComparisonNode(left.Position, op, Value(left), Value(right));
            if (ComparisonOf(Current) is not null)
            {
                throw Unexpected("'and', 'or' or end of expression (comparisons cannot be chained)");
            }
        }

        return left;
    }

    /// <summary>
    /// <c>&lt; &lt;= &gt; &gt;=</c>, and ranges: <c>literal &lt;(=) field &lt;(=) literal</c> or the same with &gt;, where
    /// the field is written as one token (a name or a JSON path with no spaces), as Plan.g4's Range rule requires.
    /// </summary>
    private FilterNode ParseRelational()
    {
        FilterNode left = ParseTerm();
        if (ComparisonOf(Current) is not { } op1 || !IsRelational(op1))
        {
            return left;
        }

        int op1Position = Advance().Position;
        long middleStart = _consumed;
        FilterToken middleToken = Current;
        bool startsWithName = middleToken.Kind == TokenKind.Identifier;
        FilterNode middle = ParseTerm();
        bool bareField = startsWithName && middle is FieldNode f && _consumed - middleStart == 1 + (3L * f.Path.Count);
        if (ComparisonOf(Current) is not { } op2 || !IsRelational(op2))
        {
            return new ComparisonNode(left.Position, op1, Value(left), Value(middle));
        }

        bool sameDirection = (IsAscending(op1) && IsAscending(op2)) || (IsDescending(op1) && IsDescending(op2));
        if (!sameDirection)
        {
            throw Unexpected(IsAscending(op1)
                ? "'and', 'or' or end of expression (a range must continue with '<' or '<=')"
                : "'and', 'or' or end of expression (a range must continue with '>' or '>=')");
        }

        if (!bareField)
        {
            throw new FilterParseException(_expression, middleToken.Position, "a field in the middle of a range (literal < field < literal)",
                FilterToken.Quote(_expression[middleToken.Position.._previous.End].Trim()));
        }

        if (Value(left) is not LiteralNode lowerOrUpper || lowerOrUpper is ListLiteral)
        {
            throw ErrorAt(left, "a literal as the first bound of a range (literal < field < literal)", SourceOf(left, op1Position));
        }

        Advance();
        FilterNode third = ParseTerm();
        if (Value(third) is not LiteralNode other || other is ListLiteral)
        {
            throw ErrorAt(third, "a literal as the second bound of a range (literal < field < literal)", SourceOf(third));
        }

        if (ComparisonOf(Current) is not null)
        {
            throw Unexpected("'and', 'or' or end of expression (a range has exactly two operators)");
        }

        var field = (FieldNode)middle;
        return IsAscending(op1)
            ? new RangeNode(left.Position, lowerOrUpper, op1 == ComparisonOp.LessOrEqual, field, other, op2 == ComparisonOp.LessOrEqual)
            : new RangeNode(left.Position, other, op2 == ComparisonOp.GreaterOrEqual, field, lowerOrUpper, op1 == ComparisonOp.GreaterOrEqual);
    }

    /// <summary><c>x in [...]</c> and <c>x not in [...]</c> (<c>!</c> spells not here too, as in Plan.g4).</summary>
    private FilterNode ParseTerm()
    {
        FilterNode left = ParseShift();
        while (true)
        {
            bool negated;
            if (IsKeyword(Current, "in"))
            {
                negated = false;
                Advance();
            }
            else if (IsNot(Current) && IsKeyword(Peek(), "in"))
            {
                negated = true;
                Advance();
                Advance();
            }
            else
            {
                return left;
            }

            FilterToken listStart = Current;
            FilterNode list = Value(ParseShift());
            if (list is not ListLiteral items)
            {
                if (listStart.Kind == TokenKind.Placeholder)
                    throw FilterErrors.TypeMismatch($"'in' needs a list, but the value of {TextOf(listStart)} is not one.", listStart.Position);
                throw new FilterParseException(_expression, listStart.Position, "'[' to start the list after 'in'", listStart.Describe(_expression));
            }

            left = new InNode(left.Position, Value(left), _templates.Items(items), negated);
        }
    }

    private FilterNode ParseShift()
    {
        FilterNode left = ParseAdditive();
        if (Current.Kind is TokenKind.ShiftLeft or TokenKind.ShiftRight)
        {
            throw Unexpected("an operator");
        }

        return left;
    }

    // ---------------------------------------------------------------- arithmetic

    private FilterNode ParseAdditive()
    {
        FilterNode left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            FilterToken op = Advance();
            FilterNode right = ParseMultiplicative();
            RefuseTemplateFolding(op.Position, left, right);
            left = FilterConstants.Arithmetic(op.Kind == TokenKind.Plus ? ArithmeticOp.Add : ArithmeticOp.Subtract, left, right, op.Position, _expression);
        }

        return left;
    }

    private FilterNode ParseMultiplicative()
    {
        FilterNode left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            FilterToken op = Advance();
            ArithmeticOp arithmetic = op.Kind switch
            {
                TokenKind.Star => ArithmeticOp.Multiply,
                TokenKind.Slash => ArithmeticOp.Divide,
                _ => ArithmeticOp.Modulo,
            };
            FilterNode right = ParseUnary();
            RefuseTemplateFolding(op.Position, left, right);
            left = FilterConstants.Arithmetic(arithmetic, left, right, op.Position, _expression);
        }

        return left;
    }

    private bool AtPrefixOperator() => Current.Kind is TokenKind.Minus or TokenKind.Plus or TokenKind.BitNot || IsNot(Current);

    private FilterNode ParseUnary()
    {
        if (!AtPrefixOperator())
        {
            return ParsePower();
        }

        Enter();
        try
        {
            FilterToken token = Advance();
            if (token.Kind == TokenKind.BitNot)
            {
                throw FilterErrors.NotSupported("the bitwise operator '~'", token.Position, _expression);
            }

            if (token.Kind == TokenKind.Minus && Current is { Kind: TokenKind.Integer, ValueError: not null } && Peek().Kind != TokenKind.Power)
            {
                return new IntegerLiteral(token.Position, IntegerValue(Advance(), negated: true));
            }

            FilterNode operand = ParseUnary();
            if (token.Kind is TokenKind.Minus or TokenKind.Plus) RefuseTemplateFolding(token.Position, operand);
            return token.Kind switch
            {
                TokenKind.Minus => FilterConstants.Negate(operand, token.Position, _expression),

                // Milvus drops a unary plus, whatever its operand.
                TokenKind.Plus => operand is IntegerLiteral or FloatLiteral ? operand with { Position = token.Position } : operand,
                _ => new NotNode(token.Position, operand),
            };
        }
        finally
        {
            Leave();
        }
    }

    /// <summary><c>a ** b</c>, left-associative and tighter than the prefix operators; Milvus evaluates it on constants only.</summary>
    private FilterNode ParsePower()
    {
        FilterNode left = ParseLike();
        while (Current.Kind == TokenKind.Power)
        {
            FilterToken op = Advance();
            FilterNode right = AtPrefixOperator() ? ParseUnary() : ParseLike();
            RefuseTemplateFolding(op.Position, left, right);
            left = FilterConstants.Power(left, right, op.Position, _expression);
        }

        return left;
    }

    /// <summary><c>x like "pattern"</c>: the tightest binary operator of Plan.g4, whose pattern is a string literal
    /// (or, from 2.6, a placeholder whose value is a string).</summary>
    private FilterNode ParseLike()
    {
        FilterNode left = ParsePrimary();
        while (IsKeyword(Current, "like"))
        {
            Advance();
            FilterToken pattern = Current;
            if (pattern.Kind == TokenKind.Placeholder && _dialect.TakesLikePlaceholder)
            {
                Advance();
                left = new LikeNode(left.Position, left, _templates.Literal(pattern.Text!, pattern.Position) as StringLiteral
                    ?? throw FilterErrors.TypeMismatch($"the like pattern {{{pattern.Text}}} needs a string value.", pattern.Position));
                continue;
            }

            if (pattern.Kind != TokenKind.String)
            {
                throw Unexpected(_dialect.TakesLikePlaceholder ? "a quoted pattern or a placeholder after 'like'" : "a quoted pattern after 'like'");
            }

            left = new LikeNode(left.Position, left, new StringLiteral(pattern.Position, StringValue(Advance())));
        }

        if (IsKeyword(Current, "is") && left is not FieldNode)
        {
            throw ErrorAt(left, "a field before 'is null'", SourceOf(left));
        }

        return left;
    }

    /// <summary>The value of a string token, or the error Milvus would give for it.</summary>
    private static string StringValue(FilterToken token) => token.Text ?? throw token.ValueError!;

    /// <summary>The value of an integer token, negated when a minus came before it, or the error Milvus would give for
    /// it: 9223372036854775808 is an Int64 only as -9223372036854775808, and only from 2.6.</summary>
    private long IntegerValue(FilterToken token, bool negated)
    {
        if (token.ValueError is { } error)
            return negated && _dialect.TakesLeastInt64 ? long.MinValue : throw error;
        return negated ? unchecked(-token.Integer) : token.Integer;
    }

    /// <summary>
    /// A constant where a value is expected: a literal, or a comparison or logic of constants folded to a boolean
    /// literal, as Milvus folds them. Anything else is returned unchanged.
    /// </summary>
    private FilterNode Value(FilterNode node)
    {
        LiteralNode? folded = FilterConstants.TryFold(node, _expression);
        if (folded is null || ReferenceEquals(folded, node)) return node;
        if (node is ComparisonNode or LogicalNode or NotNode) RefuseTemplateFolding(node.Position, Operands(node).ToArray());
        return folded;

        static IEnumerable<FilterNode> Operands(FilterNode n) => n switch
        {
            ComparisonNode c => [c.Left, c.Right],
            LogicalNode l => Operands(l.Left).Concat(Operands(l.Right)),
            NotNode not => Operands(not.Operand),
            _ => [n],
        };
    }

    /// <summary>
    /// Milvus 2.5 fills a placeholder's value in where a value goes, and refuses one that an operation on constants
    /// would fold ("placeholder was not supported between two constants"), so that a value never becomes text.
    /// </summary>
    private void RefuseTemplateFolding(int position, params FilterNode[] operands)
    {
        if (operands.All(o => o is LiteralNode) && operands.FirstOrDefault(o => _templates.Names.ContainsKey(o)) is { } placeholder)
        {
            throw FilterErrors.NotSupported(
                $"the template placeholder {{{_templates.Names[placeholder]}}} in an operation on constants (Milvus 2.5 takes a placeholder where a value goes, beside a field)",
                position, _expression);
        }
    }

    // ---------------------------------------------------------------- primaries

    private FilterNode ParsePrimary()
    {
        if (AtPrefixOperator())
        {
            return ParseUnary();
        }

        FilterToken token = Current;
        switch (token.Kind)
        {
            case TokenKind.Integer:
                Advance();
                return new IntegerLiteral(token.Position, IntegerValue(token, negated: false));
            case TokenKind.Float:
                Advance();
                return new FloatLiteral(token.Position, token.Float);
            case TokenKind.String:
                Advance();
                return new StringLiteral(token.Position, StringValue(token));
            case TokenKind.LBracket:
                return ParseList();
            case TokenKind.Placeholder:
                Advance();
                return _templates.Literal(token.Text!, token.Position);
            case TokenKind.LParen:
                Enter();
                try
                {
                    Advance();
                    FilterNode inner = ParseOr();
                    Expect(TokenKind.RParen, "')'");
                    return inner;
                }
                finally
                {
                    Leave();
                }

            case TokenKind.Identifier:
                return ParseIdentifier();
            default:
                throw Unexpected("a field name, a literal, '(' or 'not'");
        }
    }

    private FilterNode ParseIdentifier()
    {
        FilterToken token = Current;
        if (IsBoolKeyword(token, out bool value))
        {
            Advance();
            return new BoolLiteral(token.Position, value);
        }

        if (IsKeyword(token, "exists"))
        {
            Enter();
            try
            {
                Advance();

                // EXISTS binds tighter than every binary operator: its operand is a primary.
                FilterNode operand = AtPrefixOperator() ? ParseUnary() : ParsePrimary();
                return operand is FieldNode path
                    ? new ExistsNode(token.Position, path)
                    : throw ErrorAt(operand, "a JSON field path after 'exists', such as meta[\"key\"]", SourceOf(operand));
            }
            finally
            {
                Leave();
            }
        }

        if (IsReserved(token))
        {
            throw Unexpected("a field name, a literal, '(' or 'not'");
        }

        if (Peek().Kind == TokenKind.LParen)
        {
            return ParseFunction();
        }

        if (TextOf(token).StartsWith('$'))
        {
            throw FilterErrors.NotSupported($"the dynamic field '{TextOf(token)}'", token.Position, _expression);
        }

        FieldNode field = ParseField();
        return AtIsNull(out bool negated) ? new IsNullNode(field.Position, field, negated) : field;
    }

    /// <summary>
    /// A field and its JSON path, written as one token as Plan.g4's JSONIdentifier is: <c>meta["a"][0]</c>, no spaces,
    /// keys quoted, indexes decimal. A key is its text as written with only \uXXXX decoded, as Milvus reads it.
    /// </summary>
    private FieldNode ParseField()
    {
        FilterToken name = Advance();
        var path = new List<JsonPathSegment>();
        while (Current.Kind == TokenKind.LBracket && Current.Position == _previous.End)
        {
            Advance();
            FilterToken key = Current;
            if (key.Position != _previous.End || key.Kind is not (TokenKind.String or TokenKind.Integer)
                || (key.Kind == TokenKind.Integer && !IsDecimal(key)))
            {
                throw Unexpected("a quoted key or a non-negative decimal array index inside '[ ]', with no spaces");
            }

            Advance();
            if (Current.Kind != TokenKind.RBracket || Current.Position != _previous.End)
            {
                throw Unexpected("']' right after the key");
            }

            if (key.Kind == TokenKind.Integer)
            {
                path.Add(JsonPathSegment.ForIndex(IntegerValue(key, negated: false)));
            }
            else
            {
                string source = TextOf(key);
                string keyText = DecodeUnicodeEscapes(source[1..^1]);
                if (keyText.Length == 0)
                {
                    throw new FilterParseException(_expression, key.Position, "a non-empty JSON key (Milvus refuses [\"\"])", key.Describe(_expression));
                }

                if (keyText.Contains("][", StringComparison.Ordinal))
                {
                    throw new FilterParseException(_expression, key.Position, "a JSON key without \"][\" (Milvus splits a JSON path at \"][\")", key.Describe(_expression));
                }

                path.Add(new JsonPathSegment(keyText, -1, DoubleQuoted(source)));
            }

            Advance();
        }

        return new FieldNode(name.Position, TextOf(name), path);
    }

    /// <summary>
    /// A quoted key's text in double quotes, naming the same key: Milvus takes the text between the quotes as it is, so
    /// a single-quoted key keeps its text, escapes and all, and a bare " in it becomes \u0022, which Milvus decodes.
    /// </summary>
    private static string DoubleQuoted(string source)
    {
        if (source[0] == '"')
        {
            return source;
        }

        var sb = new StringBuilder(source.Length + 8).Append('"');
        for (int i = 1; i < source.Length - 1; i++)
        {
            char c = source[i];
            if (c == '\\')
            {
                sb.Append(c).Append(source[++i]);
            }
            else if (c == '"')
            {
                sb.Append("\\u0022");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('"').ToString();
    }

    // Plan.g4's DecimalConstant: 0, or a non-zero digit and digits.
    private bool IsDecimal(FilterToken token)
    {
        ReadOnlySpan<char> text = _expression.AsSpan(token.Position, token.Length);
        return text.Length > 0 && (text is "0" || (text[0] is >= '1' and <= '9' && text.IndexOfAnyExceptInRange('0', '9') < 0));
    }

    /// <summary>
    /// Milvus decodes \uXXXX (and nothing else) in a field name and its JSON path, left to right, wherever it appears;
    /// a surrogate code becomes U+FFFD, as Go's string(rune) makes it.
    /// </summary>
    internal static string DecodeUnicodeEscapes(string text)
    {
        if (!text.Contains("\\u", StringComparison.Ordinal))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 6 <= text.Length && text[i + 1] == 'u'
                && int.TryParse(text.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
            {
                sb.Append(code is >= 0xD800 and <= 0xDFFF ? '\uFFFD' : (char)code);
                i += 5;
                continue;
            }

            sb.Append(text[i]);
        }

        return sb.ToString();
    }

    /// <summary>
    /// <c>is null</c>, <c>is not null</c>, <c>IS NULL</c>, <c>IS NOT NULL</c>: single tokens of Plan.g4, so written with
    /// one space between the words and in one case.
    /// </summary>
    private bool AtIsNull(out bool negated)
    {
        negated = false;
        FilterToken isToken = Current;
        if (!IsKeyword(isToken, "is"))
        {
            return false;
        }

        bool upper = _expression[isToken.Position] == 'I';
        Advance();
        if (IsKeyword(Current, "not"))
        {
            if (!IsKeyword(Peek(), "null"))
            {
                Advance();
                throw Unexpected("'null' after 'is not'");
            }

            CheckWord(isToken, isToken, Current, upper ? "NOT" : "not");
            FilterToken not = Advance();
            CheckWord(isToken, not, Current, upper ? "NULL" : "null");
            negated = true;
        }
        else if (IsKeyword(Current, "null"))
        {
            CheckWord(isToken, isToken, Current, upper ? "NULL" : "null");
        }
        else
        {
            throw Unexpected("'null' or 'not null' after 'is'");
        }

        Advance(); // null
        if (_expression[isToken.Position + 1] != (upper ? 'S' : 's'))
        {
            throw new FilterParseException(_expression, isToken.Position, "'is null' or 'IS NULL' (one case for all the words)", FilterToken.Quote(_expression, isToken.Position, 2));
        }

        return true;
    }

    /// <summary>One word of <c>is [not] null</c>: exactly one space after the word before it, and the case of 'is'.</summary>
    private void CheckWord(FilterToken isToken, FilterToken before, FilterToken word, string spelling)
    {
        if (word.Position != before.End + 1 || _expression[before.End] != ' ')
        {
            throw new FilterParseException(_expression, isToken.Position,
                "'is null', 'is not null', 'IS NULL' or 'IS NOT NULL' with one space between the words",
                FilterToken.Quote(_expression, isToken.Position, word.End - isToken.Position));
        }

        if (string.CompareOrdinal(_expression, word.Position, spelling, 0, spelling.Length) != 0)
        {
            throw new FilterParseException(_expression, word.Position, $"'{spelling}' (one case for all the words of 'is null')", word.Describe(_expression));
        }
    }

    // ---------------------------------------------------------------- functions

    private static readonly Dictionary<string, FilterFunction> Functions = new(StringComparer.Ordinal)
    {
        ["json_contains"] = FilterFunction.JsonContains,
        ["json_contains_all"] = FilterFunction.JsonContainsAll,
        ["json_contains_any"] = FilterFunction.JsonContainsAny,
        ["array_contains"] = FilterFunction.JsonContains,
        ["array_contains_all"] = FilterFunction.JsonContainsAll,
        ["array_contains_any"] = FilterFunction.JsonContainsAny,
        ["array_length"] = FilterFunction.ArrayLength,
    };

    // Called through Plan.g4's generic Call rule, whose name Milvus lower-cases: any casing works.
    private static readonly Dictionary<string, (FilterFunction Function, int Arity)> RegisteredFunctions = new(StringComparer.Ordinal)
    {
        ["empty"] = (FilterFunction.Empty, 1),
        ["starts_with"] = (FilterFunction.StartsWith, 2),
    };

    private const string SupportedFunctions =
        "json_contains, json_contains_all, json_contains_any, array_contains, array_contains_all, array_contains_any, array_length, empty, starts_with";

    private FilterNode ParseFunction()
    {
        Enter();
        try
        {
            FilterToken name = Advance();
            string text = TextOf(name);
            string lower = text.ToLowerInvariant();

            // The built-in functions are keywords of Plan.g4, spelled all lower case or all upper case.
            if (Functions.TryGetValue(lower, out FilterFunction function) && (text == lower || text == text.ToUpperInvariant()))
            {
                Advance(); // (
                if (function == FilterFunction.ArrayLength)
                {
                    // ArrayLength '(' (Identifier | JSONIdentifier) ')': a field token, not an expression.
                    if (Current.Kind != TokenKind.Identifier || IsReserved(Current) || IsBoolKeyword(Current, out _) || Peek().Kind == TokenKind.LParen)
                    {
                        throw Unexpected($"a field or JSON path as the argument of {text}");
                    }

                    FieldNode argument = ParseField();
                    Expect(TokenKind.RParen, $"')' ({text} takes one argument)");
                    return new FunctionNode(name.Position, function, text, [argument]);
                }

                FilterNode first = ParseOr();
                Expect(TokenKind.Comma, $"',' and a second argument to {text}");
                FilterNode second = Value(ParseOr());
                Expect(TokenKind.RParen, $"')' ({text} takes two arguments)");
                return new FunctionNode(name.Position, function, text, [first, second]);
            }

            if (RegisteredFunctions.TryGetValue(lower, out var registered))
            {
                Advance(); // (
                var arguments = new List<FilterNode>();
                while (Current.Kind != TokenKind.RParen)
                {
                    arguments.Add(Value(ParseOr()));
                    if (Current.Kind == TokenKind.Comma)
                    {
                        Advance();
                        continue;
                    }

                    if (Current.Kind != TokenKind.RParen)
                    {
                        throw Unexpected("',' or ')'");
                    }
                }

                Advance(); // )
                if (arguments.Count != registered.Arity)
                {
                    throw FilterErrors.NotSupportedByMilvus(
                        $"{text} with {arguments.Count} argument{(arguments.Count == 1 ? "" : "s")} (Milvus 2.5 registers {lower}({(registered.Arity == 1 ? "VarChar" : "VarChar, VarChar")}))",
                        name.Position, _expression);
                }

                return new FunctionNode(name.Position, registered.Function, text, arguments);
            }

            throw FilterErrors.NotSupported($"the function '{text}' (supported: {SupportedFunctions})", name.Position, _expression);
        }
        finally
        {
            Leave();
        }
    }

    // ---------------------------------------------------------------- lists

    /// <summary>A literal (a number, maybe negative, a string or a boolean) followed by ',' or ']', consumed up to that token; else null.</summary>
    private LiteralNode? TryPlainLiteral()
    {
        FilterToken token = Current;
        bool negative = token.Kind == TokenKind.Minus;
        FilterToken value = negative ? Peek(1) : token;
        if (Peek(negative ? 2 : 1).Kind is not (TokenKind.Comma or TokenKind.RBracket))
        {
            return null;
        }

        LiteralNode? literal = value.Kind switch
        {
            TokenKind.Integer => new IntegerLiteral(token.Position, IntegerValue(value, negative)),
            TokenKind.Float => new FloatLiteral(token.Position, negative ? -value.Float : value.Float),
            TokenKind.String when !negative && value.Text is not null => new StringLiteral(token.Position, value.Text),
            TokenKind.Identifier when !negative && IsBoolKeyword(value, out bool b) => new BoolLiteral(token.Position, b),
            _ => null,
        };

        if (literal is not null)
        {
            Advance();
            if (negative)
            {
                Advance();
            }
        }

        return literal;
    }

    /// <summary><c>[a, b, ...]</c>, a trailing comma allowed: each item is an expression that folds to a constant.</summary>
    private FilterNode ParseList()
    {
        Enter();
        try
        {
            FilterToken open = Advance(); // [
            var items = new List<LiteralNode>();
            while (Current.Kind != TokenKind.RBracket)
            {
                // Most items are plain literals: take them without the descent through every precedence level, so
                // that a list of a million values parses in a second.
                if (TryPlainLiteral() is { } plain)
                {
                    items.Add(plain);
                    if (Current.Kind == TokenKind.Comma)
                    {
                        Advance();
                    }

                    continue;
                }

                FilterNode item = Value(ParseOr());
                if (item is not LiteralNode literal)
                {
                    throw ErrorAt(item, "a literal value in the list", SourceOf(item));
                }

                if (_templates.Names.ContainsKey(literal))
                {
                    throw FilterErrors.NotSupported(
                        $"the template placeholder {{{_templates.Names[literal]}}} inside a list (Milvus 2.5 takes a whole list as one placeholder: x in {{list}})",
                        literal.Position, _expression);
                }

                items.Add(literal);
                if (Current.Kind == TokenKind.Comma)
                {
                    Advance();
                    if (Current.Kind == TokenKind.RBracket)
                    {
                        break;
                    }

                    continue;
                }

                if (Current.Kind != TokenKind.RBracket)
                {
                    throw Unexpected("',' or ']'");
                }
            }

            Advance(); // ]
            return new ListLiteral(open.Position, items);
        }
        finally
        {
            Leave();
        }
    }
}
