namespace MilvusOps.Module.Tests.Contract;

public abstract partial class ContractTests
{
    [SkippableFact]
    public void A_collection_name_with_a_control_character_is_InvalidCollectionName_for_every_cmdlet()
    {
        // "name\n" passed the name rule's '$' before; the others reached SQL or gRPC as lookups.
        foreach (string name in new[] { "nl_name\n", "bad\u0000name", "tab\tname", "\u001b[31mred" })
            AssertEveryCollectionCmdletFails(name, "InvalidCollectionName", ErrorCategory.InvalidArgument, "New-PatternCollection $args[0] -Dimension 2 @cx");
    }

    [SkippableFact]
    public void A_filter_past_the_limits_is_FilterTooComplex_for_every_cmdlet_that_filters()
    {
        string name = Create("deep", 2, reference: false);
        string[] filters =
        [
            new string('(', 4500) + "pattern_type == \"a\"" + new string(')', 4500),
            string.Concat(Enumerable.Repeat("not ", 60_000)) + "(pattern_type == \"a\")",
            // Past 16 MiB; 50,000 "or" terms on one field are no longer too complex (Milvus takes them, and so does SQLite as one bound list).
            "pattern_id == \"" + new string('x', 16 * 1024 * 1024) + "\"",
        ];
        foreach (string filter in filters)
        {
            foreach (string script in new[]
            {
                "Get-Pattern $args[0] -Filter $args[1] @cx",
                "Find-SimilarPattern $args[0] -Vector 1, 2 -Filter $args[1] @cx",
                "Remove-Pattern $args[0] -Filter $args[1] -Confirm:$false @cx",
            })
            {
                var error = FailOnTarget(script, name, filter);
                Assert.True(ErrorId(error) == "FilterTooComplex" && error.CategoryInfo.Category == ErrorCategory.LimitsExceeded,
                    $"{script}: {error.FullyQualifiedErrorId} ({error.CategoryInfo.Category}): {error.Exception.Message}");
            }
        }
    }

    [SkippableFact]
    public void Metadata_that_holds_itself_or_nests_too_deep_is_refused_and_the_rest_still_land()
    {
        string name = Create("meta", 2, reference: false);
        var result = InvokeOnTarget("""
            $self = @{ quantum_coherence = 0.9 }; $self.CoherenceMetrics = $self
            $object = [pscustomobject]@{ q = 1 }; $object.psobject.Properties.Add([psnoteproperty]::new('loop', $object))
            $deep = @{}; $at = $deep; foreach ($i in 1..200) { $at.next = @{}; $at = $at.next }
            [pscustomobject]@{ PatternId = 'self'; Vector = 1, 2; CoherenceMetrics = $self },
            [pscustomobject]@{ PatternId = 'object'; Vector = 1, 2; TemporalContext = $object },
            [pscustomobject]@{ PatternId = 'deep'; Vector = 1, 2; CoherenceMetrics = $deep },
            [pscustomobject]@{ PatternId = 'huge'; Vector = 1, 2; CoherenceMetrics = '{"q": 1e400}' },
            [pscustomobject]@{ PatternId = "lone$([char]0xD800)"; Vector = 1, 2 },
            [pscustomobject]@{ PatternId = 'type'; Vector = 1, 2; PatternType = "t$([char]0xDC00)" },
            [pscustomobject]@{ PatternId = 'ok'; Vector = 1, 2 } | Add-Pattern $args[0] @cx
            """, name);
        var errors = result.Errors.Select(e => (ErrorId(e), e.CategoryInfo.Category)).ToList();
        Assert.Equal(
            [("MetadataCycle", ErrorCategory.InvalidData), ("MetadataCycle", ErrorCategory.InvalidData), ("MetadataTooDeep", ErrorCategory.InvalidData),
             ("NumberOutOfRange", ErrorCategory.InvalidData), ("InvalidUtf8", ErrorCategory.InvalidData), ("InvalidUtf8", ErrorCategory.InvalidData)],
            errors);
        Assert.Contains("'self'", result.Errors[0].Exception.Message);
        Assert.Contains("coherence_metrics", result.Errors[0].Exception.Message);
        Assert.Contains("temporal_context", result.Errors[1].Exception.Message);
        Assert.Equal(["ok"], Ids(OnTarget("Get-Pattern $args[0] @cx", name)));
    }
}
