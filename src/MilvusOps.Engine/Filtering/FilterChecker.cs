namespace MilvusOps.Engine.Filtering;

/// <summary>
/// The backend-neutral meaning check of a filter tree against a collection's fields: every field exists and can be
/// filtered on, every operand has a type its operator takes, and the tree stays within
/// <see cref="FilterLimits.MaxSqlParameters"/> values and JSON paths. Both stores run it before any request, so a
/// filter fails the same way on both; rendering (SQL, Milvus text) comes after and assumes a checked tree.
/// </summary>
internal static class FilterChecker
{
    /// <exception cref="MilvusOpsException">FilterFieldNotFound, FilterFieldNotFilterable, FilterTypeMismatch or FilterTooComplex.</exception>
    public static void Check(FilterNode node, IReadOnlyList<FilterField> fields, string? expression)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(fields);
        new Checker(fields, expression).Predicate(node);
    }

    /// <summary>The field named <paramref name="name"/> (case-sensitive, as in Milvus).</summary>
    public static FilterField Resolve(string name, IReadOnlyList<FilterField> fields) =>
        fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal)) ?? throw FilterErrors.FieldNotFound(name, fields);

    private enum Kind
    {
        Number,
        String,
        Bool,
        Json,
        List,
    }

    /// <summary>What the check knows of a value: its type, and the words an error uses for it.</summary>
    private readonly record struct Operand(Kind Kind, string Description, bool IsFloatLiteral = false);

    // The walk visits nodes in the order the SQL translator renders them, so the first error of a filter with
    // several is the same one the embedded store always reported.
    private sealed class Checker(IReadOnlyList<FilterField> fields, string? expression)
    {
        private int _values;

        /// <summary>Counts one literal or JSON path: the embedded store binds each as an SQL parameter.</summary>
        private void CountValue()
        {
            if (_values >= FilterLimits.MaxSqlParameters)
            {
                throw FilterLimits.TooComplex("number of values and JSON paths", _values + 1, FilterLimits.MaxSqlParameters, expression);
            }

            _values++;
        }

        /// <summary>Counts the scalars of a literal, however deeply listed.</summary>
        private void CountValues(LiteralNode literal)
        {
            if (literal is ListLiteral list)
            {
                foreach (LiteralNode item in list.Items)
                {
                    CountValues(item);
                }
            }
            else
            {
                CountValue();
            }
        }

        public void Predicate(FilterNode node)
        {
            switch (node)
            {
                case LogicalNode l:
                    Predicate(l.Left);
                    Predicate(l.Right);
                    break;
                case NotNode n:
                    Predicate(n.Operand);
                    break;
                case BoolLiteral:
                    CountValue();
                    break;
                case ComparisonNode c:
                    Compare(c.Op, Value(c.Left), Value(c.Right), c);
                    break;
                case RangeNode r:
                    Operand field = Value(r.Field);
                    Compare(r.LowerInclusive ? ComparisonOp.LessOrEqual : ComparisonOp.Less, Value(r.Lower), field, r);
                    Compare(r.UpperInclusive ? ComparisonOp.LessOrEqual : ComparisonOp.Less, field, Value(r.Upper), r);
                    break;
                case InNode i:
                    In(i);
                    break;
                case LikeNode l:
                    Like(l);
                    break;
                case ExistsNode e:
                    Exists(e);
                    break;
                case IsNullNode n:
                    _ = Value(n.Field);
                    break;
                case FunctionNode { Function: not FilterFunction.ArrayLength } f:
                    Contains(f);
                    break;
                default:
                    throw FilterErrors.TypeMismatch(
                        $"{Value(node).Description} is not a condition; compare it with something (for example == true), or put 'not' around a parenthesized condition: not (x > 1).",
                        node.Position);
            }
        }

        private static void Compare(ComparisonOp op, Operand left, Operand right, FilterNode node)
        {
            string symbol = FilterFormatter.Symbol(op);
            if (left.Kind == Kind.List || right.Kind == Kind.List)
            {
                throw FilterErrors.TypeMismatch($"'{symbol}' cannot compare {left.Description} with {right.Description}; use 'in' to test membership in a list.", node.Position);
            }

            if (left.Kind == Kind.Json && right.Kind == Kind.Json)
            {
                return; // typed per row: values of different JSON types never compare true
            }

            if (left.Kind != Kind.Json && right.Kind != Kind.Json && left.Kind != right.Kind)
            {
                throw FilterErrors.TypeMismatch($"'{symbol}' cannot compare {left.Description} with {right.Description}.", node.Position);
            }

            Kind kind = left.Kind == Kind.Json ? right.Kind : left.Kind;
            if (kind == Kind.Bool && op is not (ComparisonOp.Equal or ComparisonOp.NotEqual))
            {
                throw FilterErrors.TypeMismatch($"'{symbol}' cannot order booleans ({left.Description}, {right.Description}); use == or !=.", node.Position);
            }
        }

        private static Kind KindOf(LiteralNode literal) => literal switch
        {
            IntegerLiteral or FloatLiteral => Kind.Number,
            StringLiteral => Kind.String,
            BoolLiteral => Kind.Bool,
            _ => Kind.List,
        };

        private void In(InNode node)
        {
            Operand value = Value(node.Value);
            if (value.Kind == Kind.List)
            {
                throw FilterErrors.TypeMismatch($"'in' needs a field or value on its left, not {value.Description}.", node.Position);
            }

            foreach (LiteralNode item in node.Items)
            {
                if (item is ListLiteral)
                {
                    throw FilterErrors.TypeMismatch($"'in' lists must hold scalars; {FilterFormatter.Format(item)} is a list.", item.Position);
                }

                if (value.Kind != Kind.Json && KindOf(item) != value.Kind)
                {
                    throw FilterErrors.TypeMismatch($"the 'in' list holds {Describe(item)}, which cannot be compared with {value.Description}.", item.Position);
                }
            }

            foreach (LiteralNode item in node.Items)
            {
                CountValue();
            }
        }

        private void Like(LikeNode node)
        {
            Operand value = Value(node.Value);
            if (value.Kind is not (Kind.String or Kind.Json))
            {
                throw FilterErrors.TypeMismatch($"'like' needs a string, but {value.Description} is not one.", node.Position);
            }

            CountValue(); // the pattern
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

        // An element to find may itself be a list (Milvus matches arrays of arrays); whether a backend can
        // evaluate that is the backend's business, not a type error.
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

                CountValues(literal);
                return;
            }

            if (second is not ListLiteral list)
            {
                throw FilterErrors.TypeMismatch($"the second argument of {node.Name} must be a list such as [1, 2], not {Value(second).Description}.", second.Position);
            }

            CountValues(list);
        }

        private static string Describe(LiteralNode literal) => literal switch
        {
            IntegerLiteral or FloatLiteral => "the number " + FilterFormatter.Format(literal),
            StringLiteral => "the string " + FilterFormatter.Format(literal),
            BoolLiteral => "the boolean " + FilterFormatter.Format(literal),
            _ => "the list " + FilterFormatter.Format(literal),
        };

        private Operand Value(FilterNode node)
        {
            switch (node)
            {
                case ListLiteral l:
                    return new Operand(Kind.List, Describe(l));
                case LiteralNode literal:
                    CountValue();
                    return new Operand(KindOf(literal), Describe(literal), IsFloatLiteral: literal is FloatLiteral);
                case FieldNode f:
                    return Field(f);
                case ArithmeticNode a:
                    return Arithmetic(a);
                case NegateNode n:
                    Operand operand = Numeric(Value(n.Operand), "unary '-'", n);
                    return new Operand(Kind.Number, "-" + operand.Description);
                case FunctionNode { Function: FilterFunction.ArrayLength } f:
                    JsonArgument(f);
                    return new Operand(Kind.Number, FilterFormatter.Format(f));
                case NotNode n:
                    // The usual slip: in Milvus 'not x == 1' reads as '(not x) == 1'.
                    throw FilterErrors.TypeMismatch(
                        $"'not' binds tighter than comparisons, so {FilterFormatter.Format(n)} is used as a value here; write not (...) around the whole condition, e.g. not (x == 1).",
                        node.Position);
                default:
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

                    return new Operand(Kind.String, $"VarChar field '{field.Name}'");
                case FilterFieldKind.Json:
                    CountValue(); // the JSON path
                    return new Operand(Kind.Json, node.Path.Count == 0 ? $"JSON field '{field.Name}'" : $"JSON value {FilterFormatter.Format(node)}");
                default:
                    throw FilterErrors.FieldNotFilterable(field);
            }
        }

        private static Operand Numeric(Operand operand, string what, FilterNode node)
        {
            if (operand.Kind is not (Kind.Number or Kind.Json))
            {
                throw FilterErrors.TypeMismatch($"{what} needs numbers, but {operand.Description} is not a number.", node.Position);
            }

            return operand;
        }

        private Operand Arithmetic(ArithmeticNode node)
        {
            string symbol = FilterFormatter.Symbol(node.Op);
            Operand left = Numeric(Value(node.Left), $"arithmetic '{symbol}'", node);
            Operand right = Numeric(Value(node.Right), $"arithmetic '{symbol}'", node);
            if (node.Op == ArithmeticOp.Modulo && (left.IsFloatLiteral || right.IsFloatLiteral))
            {
                throw FilterErrors.TypeMismatch($"'%' needs integers, but {(left.IsFloatLiteral ? left : right).Description} is a float.", node.Position);
            }

            return new Operand(Kind.Number, $"the arithmetic expression {FilterFormatter.Format(node)}");
        }
    }
}
