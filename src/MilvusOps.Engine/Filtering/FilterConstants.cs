using System.Globalization;
using System.Text;

namespace MilvusOps.Engine.Filtering;

/// <summary>
/// Constant folding as Milvus 2.5 does it in its plan parser (internal/parser/planparserv2/operators.go, called from
/// parser_visitor.go): arithmetic and powers of constants become one constant (int64 arithmetic wraps, / truncates, a
/// float makes the result a float), and so do comparisons and logic of constants where a value is expected. What Milvus
/// refuses to fold (a string in arithmetic, division by zero, % on a float, comparing a string with a number) is refused
/// here, with the same kind of error.
/// </summary>
internal static class FilterConstants
{
    private static bool IsNumber(FilterNode node) => node is IntegerLiteral or FloatLiteral;

    private static double AsDouble(LiteralNode literal) => literal is IntegerLiteral i ? i.Value : ((FloatLiteral)literal).Value;

    private static string Describe(FilterNode node) => node switch
    {
        IntegerLiteral or FloatLiteral => "the number " + FilterFormatter.Format(node),
        StringLiteral => "the string " + FilterFormatter.Format(node),
        BoolLiteral => "the boolean " + FilterFormatter.Format(node),
        ListLiteral => "the list " + FilterFormatter.Format(node),
        _ => FilterFormatter.Format(node),
    };

    private static MilvusOpsException NotFinite(int position, string? expression) =>
        FilterErrors.InvalidLiteral(
            string.Create(CultureInfo.InvariantCulture, $"The constant expression at position {position} is not a finite number, which a filter cannot hold."),
            expression);

    private static FloatLiteral Float(int position, double value, string? expression) =>
        double.IsFinite(value) ? new FloatLiteral(position, value) : throw NotFinite(position, expression);

    /// <summary><c>left op right</c>: one constant when both are numbers, otherwise an <see cref="ArithmeticNode"/> for the check.</summary>
    public static FilterNode Arithmetic(ArithmeticOp op, FilterNode left, FilterNode right, int position, string? expression)
    {
        if (left is not LiteralNode a || right is not LiteralNode b)
        {
            return new ArithmeticNode(left.Position, op, left, right);
        }

        string symbol = FilterFormatter.Symbol(op);
        if (!IsNumber(a) || !IsNumber(b))
        {
            LiteralNode culprit = IsNumber(a) ? b : a;
            throw FilterErrors.TypeMismatch($"arithmetic '{symbol}' needs numbers, but {Describe(culprit)} is not a number.", position);
        }

        if (op is ArithmeticOp.Divide or ArithmeticOp.Modulo && AsDouble(b) == 0 && (op == ArithmeticOp.Divide || b is IntegerLiteral))
        {
            throw FilterErrors.InvalidLiteral(
                string.Create(CultureInfo.InvariantCulture, $"The constant expression at position {position} divides by zero: {FilterFormatter.Format(a)} {symbol} {FilterFormatter.Format(b)}."),
                expression);
        }

        if (a is IntegerLiteral x && b is IntegerLiteral y)
        {
            long value = op switch
            {
                ArithmeticOp.Add => unchecked(x.Value + y.Value),
                ArithmeticOp.Subtract => unchecked(x.Value - y.Value),
                ArithmeticOp.Multiply => unchecked(x.Value * y.Value),

                // Go's int64 division truncates, and MinInt64 / -1 wraps to MinInt64 (and % gives 0) instead of trapping.
                ArithmeticOp.Divide => y.Value == -1 ? unchecked(-x.Value) : x.Value / y.Value,
                _ => y.Value == -1 ? 0 : x.Value % y.Value,
            };
            return new IntegerLiteral(left.Position, value);
        }

        if (op == ArithmeticOp.Modulo)
        {
            throw FilterErrors.TypeMismatch(
                $"'%' needs integers, but {Describe(a is FloatLiteral ? a : b)} is a float.", position);
        }

        double l = AsDouble(a), r = AsDouble(b);
        double result = op switch
        {
            ArithmeticOp.Add => l + r,
            ArithmeticOp.Subtract => l - r,
            ArithmeticOp.Multiply => l * r,
            _ => l / r,
        };
        return Float(left.Position, result, expression);
    }

    /// <summary>Unary minus: a negative constant, or a <see cref="NegateNode"/> the check refuses (Milvus negates constants only).</summary>
    public static FilterNode Negate(FilterNode operand, int position, string? expression)
    {
        switch (operand)
        {
            case IntegerLiteral i:
                return new IntegerLiteral(position, unchecked(-i.Value));
            case FloatLiteral f:
                return new FloatLiteral(position, -f.Value);
            case LiteralNode literal:
                throw FilterErrors.TypeMismatch($"unary '-' needs numbers, but {Describe(literal)} is not a number.", position);
            default:
                _ = expression;
                return new NegateNode(position, operand);
        }
    }

    /// <summary><c>a ** b</c> on two numbers, as Go's math.Pow, an integer when both are and the result fits.</summary>
    public static FilterNode Power(FilterNode left, FilterNode right, int position, string? expression)
    {
        if (left is not LiteralNode a || right is not LiteralNode b)
        {
            throw FilterErrors.NotSupportedByMilvus(
                $"the power operator '**' on {(left is LiteralNode ? FilterFormatter.Format(right) : FilterFormatter.Format(left))} (Milvus 2.5 computes powers of constants only)",
                position, expression);
        }

        if (!IsNumber(a) || !IsNumber(b))
        {
            LiteralNode culprit = IsNumber(a) ? b : a;
            throw FilterErrors.TypeMismatch($"'**' needs numbers, but {Describe(culprit)} is not a number.", position);
        }

        double target = Math.Pow(AsDouble(a), AsDouble(b));
        if (a is IntegerLiteral && b is IntegerLiteral y && y.Value >= 0 && target <= 9.223372036854775807E18)
        {
            // Go converts with int64(target); a value out of range (2^63, or below -2^63) becomes MinInt64 on amd64.
            long value = target >= -9.223372036854775808E18 && target < 9.223372036854775807E18 ? (long)target : long.MinValue;
            return new IntegerLiteral(left.Position, value);
        }

        return Float(left.Position, target, expression);
    }

    /// <summary>
    /// The constant a node folds to where Milvus expects a value: a literal as it is, a comparison, <c>not</c>,
    /// <c>and</c> or <c>or</c> of constants as a boolean literal; null when the node depends on a field.
    /// </summary>
    public static LiteralNode? TryFold(FilterNode node, string? expression)
    {
        switch (node)
        {
            case LiteralNode literal:
                return literal;
            case NotNode not:
                if (TryFold(not.Operand, expression) is not { } operand)
                {
                    return null;
                }

                return operand is BoolLiteral b
                    ? new BoolLiteral(not.Position, !b.Value)
                    : throw FilterErrors.TypeMismatch($"'not' needs a condition or a boolean, but {Describe(operand)} is not one.", not.Position);
            case LogicalNode logical:
                if (TryFold(logical.Left, expression) is not { } left || TryFold(logical.Right, expression) is not { } right)
                {
                    return null;
                }

                if (left is BoolLiteral l && right is BoolLiteral r)
                {
                    return new BoolLiteral(logical.Position, logical.Op == LogicalOp.And ? l.Value && r.Value : l.Value || r.Value);
                }

                throw FilterErrors.TypeMismatch(
                    $"'{(logical.Op == LogicalOp.And ? "and" : "or")}' needs conditions or booleans, but {Describe(left is BoolLiteral ? right : left)} is not one.",
                    logical.Position);
            case ComparisonNode comparison:
                if (TryFold(comparison.Left, expression) is not { } a || TryFold(comparison.Right, expression) is not { } c)
                {
                    return null;
                }

                return new BoolLiteral(comparison.Position, Compare(comparison.Op, a, c, comparison.Position));
            default:
                return null;
        }
    }

    /// <summary>Two constants compared as Milvus's operators.go does: numbers with numbers, strings bytewise, booleans for == and !=.</summary>
    public static bool Compare(ComparisonOp op, LiteralNode a, LiteralNode b, int position)
    {
        bool equality = op is ComparisonOp.Equal or ComparisonOp.NotEqual;
        int? order = (a, b) switch
        {
            (IntegerLiteral x, IntegerLiteral y) => x.Value.CompareTo(y.Value),
            (IntegerLiteral or FloatLiteral, IntegerLiteral or FloatLiteral) => CompareDoubles(AsDouble(a), AsDouble(b)),
            (StringLiteral x, StringLiteral y) => CompareUtf8(x.Value, y.Value),
            (BoolLiteral x, BoolLiteral y) when equality => x.Value == y.Value ? 0 : 1,
            _ => null,
        };

        if (order is not { } o)
        {
            throw FilterErrors.TypeMismatch(
                $"'{FilterFormatter.Symbol(op)}' cannot compare {Describe(a)} with {Describe(b)}.", position);
        }

        return op switch
        {
            ComparisonOp.Equal => o == 0,
            ComparisonOp.NotEqual => o != 0,
            ComparisonOp.Less => o < 0,
            ComparisonOp.LessOrEqual => o <= 0,
            ComparisonOp.Greater => o > 0,
            _ => o >= 0,
        };
    }

    // NaN cannot occur (literals are finite); CompareTo orders -0.0 and 0.0 as equal for our purposes.
    private static int CompareDoubles(double x, double y) => x < y ? -1 : x > y ? 1 : 0;

    /// <summary>Orders two strings by their UTF-8 bytes, as Go and Milvus compare strings.</summary>
    public static int CompareUtf8(string x, string y)
    {
        if (string.CompareOrdinal(x, y) == 0)
        {
            return 0;
        }

        byte[] a = Encoding.UTF8.GetBytes(x), b = Encoding.UTF8.GetBytes(y);
        return a.AsSpan().SequenceCompareTo(b);
    }
}
