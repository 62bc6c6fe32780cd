namespace MilvusOps.Engine.Filtering;

/// <summary>
/// The backend-neutral meaning check of a filter tree against a collection's fields, with the verdicts of Milvus 2.5's
/// plan parser (internal/parser/planparserv2/parser_visitor.go, utils.go) and of what its query nodes can evaluate
/// (internal/core/src/exec/expression): every field exists and can be filtered on, operands have types their operators
/// take, and the shapes Milvus evaluates are the only ones taken (arithmetic is <c>field op constant</c> compared with a
/// constant, <c>in</c> and <c>like</c> apply to a field, constants are conditions only on their own). Both stores run it
/// before any request, so a filter fails the same way on both; rendering (SQL, Milvus text) comes after. Where a later
/// line takes more (<see cref="FilterDialect"/>), the dialect of the store says so.
/// </summary>
internal static class FilterChecker
{
    /// <exception cref="MilvusOpsException">FilterFieldNotFound, FilterFieldNotFilterable, FilterTypeMismatch, FilterNotSupported
    /// or FilterInvalidLiteral.</exception>
    public static void Check(FilterNode node, IReadOnlyList<FilterField> fields, string? expression, FilterDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(fields);
        ArgumentNullException.ThrowIfNull(dialect);
        var checker = new Checker(fields, expression, dialect);
        switch (checker.Predicate(node))
        {
            case Condition.WrittenConstant when !dialect.RunsWrittenConstants:
                // Milvus: "predicate is not a boolean expression" for a bare true or false.
                throw FilterErrors.TypeMismatch(
                    $"{FilterFormatter.Format(node)} alone is not a condition Milvus {dialect.Line} takes; write a condition on a field.", node.Position);
            case Condition.FoldedConstant when !dialect.RunsFoldedConstants:
                // Milvus 2.5's parser folds 1 < 2 into a constant, which its query nodes cannot run, and it refuses a
                // constant beside a condition: so a filter that is constant as a whole is refused here, before it runs.
                throw FilterErrors.TypeMismatch(
                    $"{FilterFormatter.Format(node)} is constant, not a condition on the data: Milvus {dialect.Line} cannot run it. Write a condition on a field, or leave -Filter out.",
                    node.Position);
        }
    }

    /// <summary>The field named <paramref name="name"/> (case-sensitive, as in Milvus).</summary>
    public static FilterField Resolve(string name, IReadOnlyList<FilterField> fields) =>
        fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal)) ?? throw FilterErrors.FieldNotFound(name, fields);

    /// <summary>
    /// Whether a checked condition is a constant, and its value: a comparison or logic of constants that Milvus folds
    /// (<c>1 &lt; 2</c>, <c>not false</c>). Null when it depends on a field.
    /// </summary>
    public static bool? ConstantValue(FilterNode condition) =>
        condition is LogicalNode or NotNode or ComparisonNode or BoolLiteral
            && FilterConstants.TryFold(condition, null) is BoolLiteral b
            ? b.Value
            : null;

    private enum Condition
    {
        /// <summary>Depends on the rows.</summary>
        Field,

        /// <summary>A constant Milvus folded: comparisons and logic of constants.</summary>
        FoldedConstant,

        /// <summary>A boolean literal as written, which Milvus takes as a value but not as a condition.</summary>
        WrittenConstant,
    }

    private enum Kind
    {
        Constant,
        VarChar,
        Json,
        Arithmetic,
        ArrayLength,
    }

    /// <summary>What the check knows of a value: its kind, and the words an error uses for it.</summary>
    private readonly record struct Operand(Kind Kind, string Description, FilterNode Node, bool IntegerArithmetic = false)
    {
        public LiteralNode? Constant => Node as LiteralNode;

        public bool IsField => Kind is Kind.VarChar or Kind.Json;
    }

    // The walk visits nodes in the order the SQL translator renders them, so the first error of a filter with
    // several is the same on both backends.
    private sealed class Checker(IReadOnlyList<FilterField> fields, string? expression, FilterDialect dialect)
    {
        public Condition Predicate(FilterNode node)
        {
            switch (node)
            {
                case LogicalNode l:
                {
                    Condition left = Predicate(l.Left);
                    Condition right = Predicate(l.Right);
                    if (left == Condition.Field && right == Condition.Field)
                    {
                        return Condition.Field;
                    }

                    if (left != Condition.Field && right != Condition.Field)
                    {
                        _ = FilterConstants.TryFold(l, expression);
                        return Condition.FoldedConstant;
                    }

                    // 3.0 short-circuits a constant beside a condition (x or true matches every row); before it, Milvus
                    // says "'and' can only be used between boolean expressions".
                    if (dialect.RunsWrittenConstants)
                    {
                        return Condition.Field;
                    }

                    FilterNode constant = left != Condition.Field ? l.Left : l.Right;
                    string word = l.Op == LogicalOp.And ? "and" : "or";
                    throw FilterErrors.TypeMismatch(
                        $"'{word}' joins conditions on fields; {FilterFormatter.Format(constant)} is a constant, which Milvus {dialect.Line} refuses beside a condition. Leave it out, or write the whole filter in constants.",
                        constant.Position);
                }

                case NotNode n:
                    return Predicate(n.Operand) == Condition.Field ? Condition.Field : Condition.FoldedConstant;
                case BoolLiteral:
                    return Condition.WrittenConstant;
                case ComparisonNode c:
                    return Compare(c.Op, Value(c.Left), Value(c.Right), c);
                case RangeNode r:
                    Range(r);
                    return Condition.Field;
                case InNode i:
                    In(i);
                    return Condition.Field;
                case LikeNode l:
                    Like(l);
                    return Condition.Field;
                case ExistsNode e:
                    Exists(e);
                    return Condition.Field;
                case IsNullNode n:
                    _ = Value(n.Field);
                    return Condition.Field;
                case FunctionNode { Function: FilterFunction.JsonContains or FilterFunction.JsonContainsAll or FilterFunction.JsonContainsAny } f:
                    Contains(f);
                    return Condition.Field;
                case FunctionNode { Function: FilterFunction.Empty or FilterFunction.StartsWith } f:
                    StringFunction(f);
                    return Condition.Field;
                default:
                    throw FilterErrors.TypeMismatch(
                        $"{Value(node).Description} is not a condition; compare it with something (for example == true), or put 'not' around a parenthesized condition: not (x > 1).",
                        node.Position);
            }
        }

        private static string Describe(LiteralNode literal) => literal switch
        {
            IntegerLiteral or FloatLiteral => "the number " + FilterFormatter.Format(literal),
            StringLiteral => "the string " + FilterFormatter.Format(literal),
            BoolLiteral => "the boolean " + FilterFormatter.Format(literal),
            _ => "the list " + FilterFormatter.Format(literal),
        };

        private Condition Compare(ComparisonOp op, Operand left, Operand right, FilterNode node)
        {
            string symbol = FilterFormatter.Symbol(op);
            if (left.Constant is { } a && right.Constant is { } b)
            {
                _ = FilterConstants.Compare(op, a, b, node.Position);
                return Condition.FoldedConstant;
            }

            if (left.Kind != Kind.Constant && right.Kind != Kind.Constant)
            {
                if (left.Kind == Kind.VarChar && right.Kind == Kind.VarChar)
                {
                    return Condition.Field;
                }

                if (!left.IsField || !right.IsField)
                {
                    throw FilterErrors.NotSupportedByMilvus(
                        $"'{symbol}' between {left.Description} and {right.Description} (Milvus 2.5 compares arithmetic and array_length with constants only)",
                        node.Position, expression);
                }

                throw FilterErrors.NotSupportedByMilvus(
                    $"'{symbol}' between {left.Description} and {right.Description} (Milvus 2.5 compares two fields only when both are scalar fields, not JSON)",
                    node.Position, expression);
            }

            Operand value = left.Kind == Kind.Constant ? right : left;
            LiteralNode constant = (left.Constant ?? right.Constant)!;
            string Mismatch(string why = "") =>
                $"'{symbol}' cannot compare {left.Description} with {right.Description}{why}.";

            switch (value.Kind)
            {
                case Kind.VarChar:
                    if (constant is ListLiteral)
                    {
                        throw FilterErrors.TypeMismatch(Mismatch("; use 'in' to test membership in a list"), node.Position);
                    }

                    if (constant is not StringLiteral)
                    {
                        throw FilterErrors.TypeMismatch(Mismatch(), node.Position);
                    }

                    break;
                case Kind.Json:
                    if (op is not (ComparisonOp.Equal or ComparisonOp.NotEqual) && constant is BoolLiteral or ListLiteral)
                    {
                        // Milvus 2.5 orders numbers and strings only (its query nodes assert on an ordered bool or array).
                        throw FilterErrors.TypeMismatch($"'{symbol}' cannot order {(constant is BoolLiteral ? "booleans" : "lists")}; use == or !=.", node.Position);
                    }

                    if (constant is ListLiteral list && list.Items.FirstOrDefault(i => i is ListLiteral) is { } nested)
                    {
                        throw FilterErrors.NotSupportedByMilvus(
                            $"comparing a JSON value with a list that holds the list {FilterFormatter.Format(nested)} (Milvus 2.5 compares flat lists only)",
                            nested.Position, expression);
                    }

                    break;
                case Kind.Arithmetic:
                    if (constant is not (IntegerLiteral or FloatLiteral))
                    {
                        throw FilterErrors.TypeMismatch(Mismatch(), node.Position);
                    }

                    if (value.IntegerArithmetic && constant is FloatLiteral)
                    {
                        throw FilterErrors.TypeMismatch(
                            Mismatch(": arithmetic with an integer constant is compared with integers in Milvus 2.5 (write the constant as a float, such as 2.0, to compare with floats)"),
                            node.Position);
                    }

                    break;
                case Kind.ArrayLength:
                    if (constant is not IntegerLiteral)
                    {
                        throw FilterErrors.TypeMismatch(Mismatch(": array_length is compared with integers"), node.Position);
                    }

                    break;
            }

            return Condition.Field;
        }

        private void Range(RangeNode r)
        {
            Operand field = Value(r.Field);
            LiteralNode lower = r.Lower, upper = r.Upper;
            string Mismatch(LiteralNode bound) => $"the range on {field.Description} cannot have {Describe(bound)} as a bound";
            if (field.Kind == Kind.VarChar)
            {
                foreach (LiteralNode bound in new[] { lower, upper })
                {
                    if (bound is not StringLiteral)
                    {
                        throw FilterErrors.TypeMismatch(Mismatch(bound) + ".", r.Position);
                    }
                }
            }
            else
            {
                foreach (LiteralNode bound in new[] { lower, upper })
                {
                    if (bound is BoolLiteral or ListLiteral)
                    {
                        throw FilterErrors.TypeMismatch(Mismatch(bound) + " (a range needs numbers or strings).", r.Position);
                    }
                }

                if (TypeRank(lower) != TypeRank(upper))
                {
                    throw FilterErrors.TypeMismatch(dialect.MixesNumbersOnJson
                            ? $"the range on {field.Description} has bounds of two types, {Describe(lower)} and {Describe(upper)}: Milvus {dialect.Line} evaluates a range on a JSON value only when both bounds are numbers or both strings."
                            : $"the range on {field.Description} has bounds of two types, {Describe(lower)} and {Describe(upper)}: Milvus {dialect.Line} evaluates a range on a JSON value only when both bounds are integers, both floats or both strings (write 1.0 for 1).",
                        r.Position);
                }
            }

            // Milvus: "invalid range: lowerbound is greater than upperbound".
            bool empty = r.LowerInclusive && r.UpperInclusive
                ? FilterConstants.Compare(ComparisonOp.Greater, lower, upper, r.Position)
                : FilterConstants.Compare(ComparisonOp.GreaterOrEqual, lower, upper, r.Position);
            if (empty)
            {
                throw FilterErrors.InvalidLiteral(
                    $"The range at position {r.Position} ({FilterFormatter.Format(r)}) is empty: Milvus 2.5 refuses a lower bound above the upper bound (or equal to it, unless both are inclusive).",
                    expression);
            }
        }

        /// <summary>Literals of one rank compare on a JSON value; from 2.6 integers and floats are one rank.</summary>
        private int TypeRank(LiteralNode literal) => literal switch
        {
            IntegerLiteral => 0,
            FloatLiteral => dialect.MixesNumbersOnJson ? 0 : 1,
            StringLiteral => 2,
            BoolLiteral => 3,
            _ => 4,
        };

        private void In(InNode node)
        {
            Operand value = Value(node.Value);
            if (value.Kind == Kind.Constant)
            {
                throw FilterErrors.TypeMismatch(
                    $"'in' needs a field on its left, not {value.Description}: Milvus 2.5 refuses a constant before 'in'.", node.Position);
            }

            if (!value.IsField)
            {
                throw FilterErrors.NotSupportedByMilvus(
                    $"'in' on {value.Description} (Milvus 2.5 tests membership of a field or JSON value only)", node.Position, expression);
            }

            foreach (LiteralNode item in node.Items)
            {
                if (item is ListLiteral)
                {
                    throw FilterErrors.TypeMismatch($"'in' lists must hold scalars; {FilterFormatter.Format(item)} is a list.", item.Position);
                }

                if (value.Kind == Kind.VarChar && item is not StringLiteral)
                {
                    throw FilterErrors.TypeMismatch($"the 'in' list holds {Describe(item)}, which cannot be compared with {value.Description}.", item.Position);
                }
            }

            if (value.Kind == Kind.Json && node.Items.Count > 0
                && node.Items.FirstOrDefault(i => TypeRank(i) != TypeRank(node.Items[0])) is { } other)
            {
                throw FilterErrors.TypeMismatch(dialect.MixesNumbersOnJson
                        ? $"the 'in' list on {value.Description} holds {Describe(node.Items[0])} and {Describe(other)}: Milvus {dialect.Line} evaluates 'in' on a JSON value only when the items are all numbers, all strings or all booleans."
                        : $"the 'in' list on {value.Description} holds {Describe(node.Items[0])} and {Describe(other)}: Milvus {dialect.Line} evaluates 'in' on a JSON value only when the items have one type (all integers, all floats, all strings or all booleans).",
                    other.Position);
            }
        }

        private void Like(LikeNode node)
        {
            Operand value = Value(node.Value);
            if (value.Kind is not (Kind.VarChar or Kind.Json))
            {
                throw FilterErrors.TypeMismatch($"'like' needs a string field or JSON value, but {value.Description} is not one.", node.Position);
            }
        }

        private void Exists(ExistsNode node)
        {
            Operand field = Value(node.Field);
            if (field.Kind != Kind.Json || node.Field.Path.Count == 0)
            {
                throw FilterErrors.TypeMismatch(
                    $"'exists' needs a key of a JSON field, such as {node.Field.Name}[\"key\"]; {field.Description} is not one.", node.Position);
            }
        }

        private void JsonArgument(FunctionNode node)
        {
            if (node.Arguments[0] is not FieldNode fieldNode || Value(fieldNode).Kind != Kind.Json)
            {
                throw FilterErrors.TypeMismatch($"{node.Name} needs a JSON field or JSON path as its first argument, not {Value(node.Arguments[0]).Description}.", node.Position);
            }
        }

        /// <summary>A list the element comparison of Milvus's query nodes can take: scalars only (CompareTwoJsonArray).</summary>
        private void FlatList(ListLiteral list, FunctionNode node)
        {
            if (list.Items.FirstOrDefault(i => i is ListLiteral) is { } nested)
            {
                throw FilterErrors.NotSupportedByMilvus(
                    $"{node.Name} with the element {FilterFormatter.Format(list)}, a list that holds a list (Milvus 2.5 compares flat lists only)",
                    nested.Position, expression);
            }
        }

        private void Contains(FunctionNode node)
        {
            JsonArgument(node);
            FilterNode second = node.Arguments[1];
            if (node.Function == FilterFunction.JsonContains)
            {
                if (second is not LiteralNode literal)
                {
                    throw FilterErrors.TypeMismatch($"the second argument of {node.Name} must be a literal, not {Value(second).Description}.", second.Position);
                }

                if (literal is ListLiteral element)
                {
                    FlatList(element, node);
                }

                return;
            }

            if (second is not ListLiteral list)
            {
                string found = second is LiteralNode l ? Describe(l) : Value(second).Description;
                throw FilterErrors.TypeMismatch($"the second argument of {node.Name} must be a list such as [1, 2], not {found}.", second.Position);
            }

            foreach (LiteralNode item in list.Items)
            {
                if (item is ListLiteral element)
                {
                    FlatList(element, node);
                }
            }
        }

        private void StringFunction(FunctionNode node)
        {
            foreach (FilterNode argument in node.Arguments)
            {
                Operand value = Value(argument);
                if (value.Kind != Kind.VarChar && value.Constant is not StringLiteral)
                {
                    throw FilterErrors.TypeMismatch(
                        $"{node.Name} takes VarChar fields and strings (Milvus 2.5 registers {node.Name.ToLowerInvariant()} for VarChar only), not {value.Description}.",
                        argument.Position);
                }
            }
        }

        private Operand Value(FilterNode node)
        {
            switch (node)
            {
                case LiteralNode literal:
                    return new Operand(Kind.Constant, Describe(literal), literal);
                case FieldNode f:
                    return Field(f);
                case ArithmeticNode a:
                    return Arithmetic(a);
                case NegateNode n:
                {
                    Operand operand = Value(n.Operand);
                    throw FilterErrors.NotSupportedByMilvus(
                        $"unary '-' on {operand.Description} (Milvus 2.5 negates constants only; compare with the negated constant instead)", n.Position, expression);
                }

                case FunctionNode { Function: FilterFunction.ArrayLength } f:
                    JsonArgument(f);
                    return new Operand(Kind.ArrayLength, FilterFormatter.Format(f), f);
                case NotNode n when FilterConstants.TryFold(n, expression) is null:
                    // The usual slip: in Milvus 'not x == 1' reads as '(not x) == 1'.
                    throw FilterErrors.TypeMismatch(
                        $"'not' binds tighter than comparisons, so {FilterFormatter.Format(n)} is used as a value here; write not (...) around the whole condition, e.g. not (x == 1).",
                        node.Position);
                default:
                    if (FilterConstants.TryFold(node, expression) is { } folded)
                    {
                        return new Operand(Kind.Constant, Describe(folded), folded);
                    }

                    throw FilterErrors.TypeMismatch($"the condition {FilterFormatter.Format(node)} cannot be used as a value.", node.Position);
            }
        }

        private Operand Field(FieldNode node)
        {
            FilterField field = Resolve(node.Name, fields);
            switch (field.Kind)
            {
                case FilterFieldKind.VarChar:
                    if (node.Path.Count > 0)
                    {
                        throw FilterErrors.TypeMismatch($"VarChar field '{field.Name}' has no keys or elements; only JSON fields can be followed by [...].", node.Position);
                    }

                    return new Operand(Kind.VarChar, $"VarChar field '{field.Name}'", node);
                case FilterFieldKind.Json:
                    return new Operand(Kind.Json, node.Path.Count == 0 ? $"JSON field '{field.Name}'" : $"JSON value {FilterFormatter.Format(node)}", node);
                default:
                    throw FilterErrors.FieldNotFilterable(field);
            }
        }

        /// <summary>
        /// Arithmetic as Milvus 2.5 evaluates it: a JSON value and a numeric constant (<c>x + 1</c>, <c>x % 2</c>, or
        /// <c>1 + x</c> and <c>2 * x</c>), to be compared with a constant.
        /// </summary>
        private Operand Arithmetic(ArithmeticNode node)
        {
            string symbol = FilterFormatter.Symbol(node.Op);
            Operand left = Value(node.Left);
            Operand right = Value(node.Right);
            string description = $"the arithmetic expression {FilterFormatter.Format(node)}";

            foreach (Operand operand in new[] { left, right })
            {
                if (operand.Kind == Kind.VarChar || (operand.Constant is { } c && c is not (IntegerLiteral or FloatLiteral)))
                {
                    throw FilterErrors.TypeMismatch($"arithmetic '{symbol}' needs numbers, but {operand.Description} is not a number.", node.Position);
                }
            }

            if (node.Op == ArithmeticOp.Modulo && (left.Constant ?? right.Constant) is FloatLiteral f)
            {
                throw FilterErrors.TypeMismatch($"'%' needs integers, but {Describe(f)} is a float.", node.Position);
            }

            if (left.Kind != Kind.Constant && right.Kind != Kind.Constant)
            {
                throw FilterErrors.NotSupportedByMilvus(
                    left.Kind == Kind.Json && right.Kind == Kind.Json
                        ? $"arithmetic between two fields, {description} (Milvus 2.5 computes a field with a constant only)"
                        : $"arithmetic on a computed value, {description} (Milvus 2.5 computes a field with one constant only)",
                    node.Position, expression);
            }

            Operand computed = left.Kind == Kind.Constant ? right : left;
            LiteralNode constant = (left.Constant ?? right.Constant)!;
            if (computed.Kind != Kind.Json)
            {
                throw FilterErrors.NotSupportedByMilvus(
                    $"arithmetic on {computed.Description}, {description} (Milvus 2.5 computes a field with one constant only)", node.Position, expression);
            }

            if (left.Kind == Kind.Constant && node.Op is not (ArithmeticOp.Add or ArithmeticOp.Multiply))
            {
                throw FilterErrors.NotSupportedByMilvus(
                    $"a constant before '{symbol}' and a field, {description} (Milvus 2.5 takes only 'constant + field' and 'constant * field' in this order)",
                    node.Position, expression);
            }

            if (node.Op is ArithmeticOp.Divide or ArithmeticOp.Modulo && constant is IntegerLiteral { Value: 0 } or FloatLiteral { Value: 0 })
            {
                throw FilterErrors.InvalidLiteral($"The filter divides by zero at position {node.Position}: {FilterFormatter.Format(node)}.", expression);
            }

            return new Operand(Kind.Arithmetic, description, node, IntegerArithmetic: constant is IntegerLiteral);
        }
    }
}
