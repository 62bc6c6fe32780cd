using System.Management.Automation;

namespace MilvusOps.Infrastructure;

/// <summary>
/// -Since and -Until read as stored times are read (<see cref="PatternTime"/>): a string parses by the same rules, so one
/// without an offset is UTC, not this machine's time; a [datetime] keeps its kind (Local from Get-Date; an Unspecified one,
/// such as [datetime]'2026-11-01', is UTC); a [DateTimeOffset] is itself.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TimeInputAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) switch
        {
            DateTime time => time.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : new DateTimeOffset(time),
            string text when PatternTime.TryParse(text.Trim(), out var time) => time,
            string text => throw new ArgumentTransformationMetadataException(
                $"'{text}' is not an ISO-8601 date or time, such as 2026-11-01, 2026-11-01T08:00Z or 2026-11-01T08:00+02:00."),
            var other => other,
        };
}
