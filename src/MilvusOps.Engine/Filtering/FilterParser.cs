namespace MilvusOps.Engine.Filtering;

/// <summary>
/// Recursive-descent parser for Milvus boolean filter expressions (the Plan.g4 language of
/// Milvus 2.4/2.5). Precedence, loosest first: or, and, comparison (== != &lt; &lt;= &gt; &gt;=,
/// ranges, in, not in, like, is [not] null), + -, * / %, unary (- + not !), primary.
/// As in Milvus, <c>not</c> binds tighter than a comparison: write <c>not (x &gt; 1)</c>.
/// </summary>
internal sealed class FilterParser
{
    private readonly string _expression;
    private readonly List<FilterToken> _tokens;
    private int _index;
    private int _nesting;   // ParseUnary frames open: every recursive path of the grammar passes through one

    private FilterParser(string expression)
    {
        _expression = expression;
        _tokens = FilterLexer.Tokenize(expression);
    }

    /// <summary>
    /// Parses an expression. Returns null for null, empty or whitespace-only text ("no filter").
    /// Throws <see cref="FilterParseException"/> (FilterSyntaxError) for invalid syntax and a
    /// FilterNotSupported <see cref="MilvusOpsException"/> for valid Milvus syntax that has no node in
    /// the tree, so that neither backend takes it (template placeholders, bitwise operators, other functions...).
    /// </summary>
    public static FilterNode? Parse(string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return null;
        }

        FilterLimits.CheckLength(expression);
        var parser = new FilterParser(expression);
        FilterNode node = parser.ParseOr();
        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Unexpected(parser.Current.Kind == TokenKind.RParen
                ? "end of expression (this ')' has no matching '(')"
                : "an operator or end of expression");
        }

        FilterLimits.CheckDepth(node, expression);
        return node;
    }

    private FilterToken Current => _tokens[_index];

    private FilterToken Peek(int offset = 1) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private FilterToken Advance() => _tokens[_index++];

    private static bool IsKeyword(FilterToken token, string lower) =>
        token.Kind == TokenKind.Identifier
        && (token.Text == lower || token.Text == lower.ToUpperInvariant());

    private static bool IsBoolKeyword(FilterToken token, out bool value)
    {
        value = false;
        if (token.Kind != TokenKind.Identifier)
        {
            return false;
        }

        switch (token.Text)
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

    private static readonly string[] ReservedWords = ["and", "or", "not", "in", "like", "exists", "is", "null"];

    private static bool IsReserved(FilterToken token) => ReservedWords.Any(w => IsKeyword(token, w));

    /// <summary>A syntax error at the current token (or a FilterNotSupported one if it is a valid but unsupported operator).</summary>
    private MilvusOpsException Unexpected(string expected)
    {
        FilterToken token = Current;
        string? unsupported = token.Kind switch
        {
            TokenKind.Power => "the power operator '**'",
            TokenKind.BitAnd or TokenKind.BitOr or TokenKind.BitXor or TokenKind.BitNot
                or TokenKind.ShiftLeft or TokenKind.ShiftRight => $"the bitwise operator '{token.Text}'",
            TokenKind.Placeholder => $"the template placeholder '{token.Text}' (expression templates)",
            _ => null,
        };

        return unsupported is not null
            ? FilterErrors.NotSupported(unsupported, token.Position, _expression)
            : new FilterParseException(_expression, token.Position, expected, token.Describe());
    }

    private FilterParseException ErrorAt(FilterNode node, string expected, string found) =>
        new(_expression, node.Position, expected, found);

    /// <summary>The source text of a node that was just parsed (it ends with the previous token).</summary>
    private string SourceOf(FilterNode node)
    {
        FilterToken last = _tokens[Math.Max(0, _index - 1)];
        return SourceOf(node, last.Position + last.Text.Length);
    }

    private string SourceOf(FilterNode node, int end) =>
        FilterToken.Quote(_expression[node.Position..Math.Max(node.Position, end)].Trim());

    private void Expect(TokenKind kind, string expected)
    {
        if (Current.Kind != kind)
        {
            throw Unexpected(expected);
        }

        _index++;
    }

    private FilterNode ParseOr() => ParseChain(LogicalOp.Or, ParseAnd);

    private FilterNode ParseAnd() => ParseChain(LogicalOp.And, ParseComparison);

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
        var terms = new List<FilterNode> { parseTerm() };
        while (AtLogical(op))
        {
            Advance();
            terms.Add(parseTerm());
        }

        return Balanced(op, terms, 0, terms.Count);
    }

    // The left half takes the extra term, so a chain of three stays ((a op b) op c) as before.
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

    private FilterNode ParseComparison()
    {
        FilterNode left = ParseAdditive();

        if (ComparisonOf(Current) is { } op1)
        {
            int op1Position = Advance().Position;
            FilterNode middle = ParseAdditive();
            if (ComparisonOf(Current) is not { } op2)
            {
                return new ComparisonNode(left.Position, op1, left, middle);
            }

            // A chained comparison is only valid as a Milvus range: literal < field < literal,
            // with both operators pointing the same way.
            bool sameDirection = (IsAscending(op1) && IsAscending(op2)) || (IsDescending(op1) && IsDescending(op2));
            if (!sameDirection)
            {
                throw Unexpected(IsAscending(op1)
                    ? "'and', 'or' or end of expression (a range must continue with '<' or '<=')"
                    : IsDescending(op1)
                        ? "'and', 'or' or end of expression (a range must continue with '>' or '>=')"
                        : "'and', 'or' or end of expression (comparisons cannot be chained)");
            }

            if (middle is not FieldNode field)
            {
                throw ErrorAt(middle, "a field in the middle of a range (literal < field < literal)", SourceOf(middle));
            }

            if (left is not LiteralNode lowerOrUpper || left is ListLiteral)
            {
                throw ErrorAt(left, "a literal as the first bound of a range (literal < field < literal)", SourceOf(left, op1Position));
            }

            Advance();
            FilterNode third = ParseAdditive();
            if (third is not LiteralNode other || third is ListLiteral)
            {
                throw ErrorAt(third, "a literal as the second bound of a range (literal < field < literal)", SourceOf(third));
            }

            if (ComparisonOf(Current) is not null)
            {
                throw Unexpected("'and', 'or' or end of expression (a range has exactly two operators)");
            }

            return IsAscending(op1)
                ? new RangeNode(left.Position, lowerOrUpper, op1 == ComparisonOp.LessOrEqual, field, other, op2 == ComparisonOp.LessOrEqual)
                : new RangeNode(left.Position, other, op2 == ComparisonOp.GreaterOrEqual, field, lowerOrUpper, op1 == ComparisonOp.GreaterOrEqual);
        }

        if (IsKeyword(Current, "in"))
        {
            Advance();
            return new InNode(left.Position, left, ParseInList(), Negated: false);
        }

        if (IsKeyword(Current, "not") && IsKeyword(Peek(), "in"))
        {
            Advance();
            Advance();
            return new InNode(left.Position, left, ParseInList(), Negated: true);
        }

        if (IsKeyword(Current, "like"))
        {
            Advance();
            if (Current.Kind != TokenKind.String)
            {
                throw Unexpected("a quoted pattern after 'like'");
            }

            return new LikeNode(left.Position, left, (string)Advance().Value!);
        }

        if (IsKeyword(Current, "is"))
        {
            if (left is not FieldNode field)
            {
                throw ErrorAt(left, "a field before 'is null'", SourceOf(left));
            }

            Advance();
            bool negated = false;
            if (IsKeyword(Current, "not"))
            {
                Advance();
                negated = true;
            }

            if (!IsKeyword(Current, "null"))
            {
                throw Unexpected(negated ? "'null' after 'is not'" : "'null' or 'not null' after 'is'");
            }

            Advance();
            return new IsNullNode(left.Position, field, negated);
        }

        return left;
    }

    private IReadOnlyList<LiteralNode> ParseInList()
    {
        if (Current.Kind != TokenKind.LBracket)
        {
            throw Unexpected("'[' to start the list after 'in'");
        }

        return ((ListLiteral)ParseList()).Items;
    }

    private FilterNode ParseAdditive()
    {
        FilterNode left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            ArithmeticOp op = Advance().Kind == TokenKind.Plus ? ArithmeticOp.Add : ArithmeticOp.Subtract;
            FilterNode right = ParseMultiplicative();
            left = new ArithmeticNode(left.Position, op, left, right);
        }

        return left;
    }

    private FilterNode ParseMultiplicative()
    {
        FilterNode left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            ArithmeticOp op = Advance().Kind switch
            {
                TokenKind.Star => ArithmeticOp.Multiply,
                TokenKind.Slash => ArithmeticOp.Divide,
                _ => ArithmeticOp.Modulo,
            };
            FilterNode right = ParseUnary();
            left = new ArithmeticNode(left.Position, op, left, right);
        }

        if (Current.Kind == TokenKind.Power)
        {
            throw Unexpected("an operator");
        }

        return left;
    }

    private FilterNode ParseUnary()
    {
        if (++_nesting > FilterLimits.MaxNesting)
        {
            throw FilterLimits.TooComplex("nesting of parentheses, brackets, calls and prefix operators", _nesting, FilterLimits.MaxNesting, _expression);
        }

        try
        {
            return ParseUnaryOperand();
        }
        finally
        {
            _nesting--;
        }
    }

    private FilterNode ParseUnaryOperand()
    {
        FilterToken token = Current;
        if (token.Kind == TokenKind.Minus)
        {
            Advance();
            FilterNode operand = ParseUnary();
            return operand switch
            {
                // Fold the sign into a numeric literal so that -5 is one constant.
                IntegerLiteral i when i.Value != long.MinValue => new IntegerLiteral(token.Position, -i.Value),
                FloatLiteral f => new FloatLiteral(token.Position, -f.Value),
                _ => new NegateNode(token.Position, operand),
            };
        }

        if (token.Kind == TokenKind.Plus)
        {
            Advance();
            FilterNode operand = ParseUnary();
            return operand is IntegerLiteral or FloatLiteral ? operand with { Position = token.Position } : operand;
        }

        if (token.Kind == TokenKind.Bang || IsKeyword(token, "not"))
        {
            Advance();
            return new NotNode(token.Position, ParseUnary());
        }

        return ParsePrimary();
    }

    private FilterNode ParsePrimary()
    {
        FilterToken token = Current;
        switch (token.Kind)
        {
            case TokenKind.Integer:
                Advance();
                return new IntegerLiteral(token.Position, (long)token.Value!);
            case TokenKind.Float:
                Advance();
                return new FloatLiteral(token.Position, (double)token.Value!);
            case TokenKind.String:
                Advance();
                return new StringLiteral(token.Position, (string)token.Value!);
            case TokenKind.LBracket:
                return ParseList();
            case TokenKind.LParen:
                Advance();
                FilterNode inner = ParseOr();
                Expect(TokenKind.RParen, "')'");
                return inner;
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
            Advance();
            FilterNode operand = ParseUnary();
            return operand is FieldNode field
                ? new ExistsNode(token.Position, field)
                : throw ErrorAt(operand, "a JSON field path after 'exists', such as meta[\"key\"]", SourceOf(operand));
        }

        if (IsReserved(token))
        {
            throw Unexpected("a field name, a literal, '(' or 'not'");
        }

        if (Peek().Kind == TokenKind.LParen)
        {
            return ParseFunction();
        }

        if (token.Text.StartsWith('$'))
        {
            throw FilterErrors.NotSupported($"the dynamic field '{token.Text}'", token.Position, _expression);
        }

        Advance();
        var path = new List<JsonPathSegment>();
        while (Current.Kind == TokenKind.LBracket)
        {
            Advance();
            FilterToken key = Current;
            if (key.Kind == TokenKind.String)
            {
                path.Add(JsonPathSegment.ForKey((string)key.Value!));
            }
            else if (key.Kind == TokenKind.Integer)
            {
                path.Add(JsonPathSegment.ForIndex((long)key.Value!));
            }
            else
            {
                throw Unexpected("a quoted key or a non-negative array index inside '[ ]'");
            }

            Advance();
            Expect(TokenKind.RBracket, "']'");
        }

        return new FieldNode(token.Position, token.Text, path);
    }

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

    private FilterNode ParseFunction()
    {
        FilterToken name = Advance();

        // Milvus spells its functions all lower case or all upper case.
        string lower = name.Text.ToLowerInvariant();
        if ((name.Text != lower && name.Text != name.Text.ToUpperInvariant()) || !Functions.TryGetValue(lower, out FilterFunction function))
        {
            throw FilterErrors.NotSupported($"the function '{name.Text}' (supported: json_contains, json_contains_all, json_contains_any, array_contains, array_contains_all, array_contains_any, array_length)", name.Position, _expression);
        }

        int arity = function == FilterFunction.ArrayLength ? 1 : 2;
        Advance(); // (
        var arguments = new List<FilterNode>();
        for (int k = 0; k < arity; k++)
        {
            if (k > 0)
            {
                Expect(TokenKind.Comma, $"',' and a second argument to {name.Text}");
            }

            arguments.Add(ParseOr());
        }

        Expect(TokenKind.RParen, arity == 1 ? $"')' ({name.Text} takes one argument)" : $"')' ({name.Text} takes two arguments)");
        return new FunctionNode(name.Position, function, name.Text, arguments);
    }

    private FilterNode ParseList()
    {
        FilterToken open = Advance(); // [
        var items = new List<LiteralNode>();
        while (Current.Kind != TokenKind.RBracket)
        {
            FilterNode item = ParseUnary();
            if (item is not LiteralNode literal)
            {
                throw ErrorAt(item, "a literal value in the list", SourceOf(item));
            }

            items.Add(literal);
            if (Current.Kind == TokenKind.Comma)
            {
                Advance();
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
}
