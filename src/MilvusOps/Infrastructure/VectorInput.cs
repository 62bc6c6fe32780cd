using System.Management.Automation;

namespace MilvusOps.Infrastructure;

/// <summary>
/// What a -Vector parameter accepts besides a float[]: a pattern's <see cref="FloatVector"/>, taken without a copy
/// (Get-Pattern | Add-Pattern binds thousands per second), and the text Export-Csv writes for one ("[0.25,-1]"),
/// read back bit for bit, so Import-Csv | Add-Pattern restores what Get-Pattern | Export-Csv saved.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class VectorInputAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData) =>
        (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) switch
        {
            FloatVector vector => vector.Values,
            string text when text.TrimStart().StartsWith('[') => FloatVector.TryParse(text, out float[] values) ? values
                : throw new ArgumentTransformationMetadataException(
                    $"'{Shorten(text)}' is not a vector: write it as a JSON array of numbers, as Export-Csv writes a pattern's Vector ([0.25,-1,3.5])."),
            _ => inputData,
        };

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
