using System.Management.Automation;
using System.Text;
using MilvusOps.Tests.Shared;

namespace MilvusOps.Module.Tests;

/// <summary>
/// What the Milvus backend does beyond the shared contract, through the cmdlets against the stateful conformance
/// peer: credentials that never leak, retries on retriable failures only, a GPU index on a CPU server, one flush
/// per import, load progress, databases and Session consistency. The peer logs every call it answers.
/// </summary>
public sealed class MilvusBackendTests : IDisposable
{
    private const string Password = "Sup3r-Secret-pw";
    private readonly ModuleSession _session = new();
    private readonly List<ConformancePeer> _peers = [];

    public void Dispose()
    {
        _session.Dispose();
        foreach (var peer in _peers) peer.Dispose();
    }

    private ConformancePeer Peer(params string[] arguments)
    {
        Skip.If(ConformancePeer.SkipReason is not null, ConformancePeer.SkipReason);
        var peer = ConformancePeer.Start(["--stateful", .. arguments]);
        _peers.Add(peer);
        return peer;
    }

    private static int Count(ConformancePeer peer, string prefix) => peer.Calls.Count(c => c.StartsWith(prefix, StringComparison.Ordinal));

    private const string CredentialScript = "[pscredential]::new($args[1], [System.Net.NetworkCredential]::new('', $args[2]).SecurePassword)";

    [SkippableFact]
    public void A_credential_connects_and_the_connection_shows_the_server_version_but_no_secret()
    {
        var peer = Peer("--token", Convert.ToBase64String(Encoding.UTF8.GetBytes($"root:{Password}")));
        var connection = _session.Run($"Connect-Milvus $args[0] -Credential ({CredentialScript}) -Verbose", peer.Address, "root", Password).Single();

        Assert.Equal("Milvus", connection.Properties["Backend"].Value.ToString());
        Assert.Equal("v2.5.27", connection.Properties["ServerVersion"].Value);
        Assert.Equal("default", connection.Properties["Database"].Value);
        // Every property of the connection and of the store behind it, as text (the hosted engine has no Format-List).
        var shown = string.Join("\n", _session.Run("$args[0], $args[0].Store | ForEach-Object { $_.PSObject.Properties | ForEach-Object { \"$($_.Name)=$($_.Value)\" } }", connection));
        Assert.DoesNotContain(Password, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"root:{Password}")), shown, StringComparison.Ordinal);
        Assert.Contains("v2.5.27", shown, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void On_Milvus_2_6_New_MilvusIndex_TimeKey_builds_the_index_a_read_by_time_then_says_serves_it()
    {
        var peer = Peer("--server-version", "v2.6.25");
        _session.Run("Connect-Milvus $args[0] | Out-Null; New-PatternCollection t -Dimension 4 -IndexType FLAT | Out-Null", peer.Address);
        _session.Run("1..5 | ForEach-Object { [pscustomobject]@{ PatternId = \"p$_\"; Vector = [float[]]($_, 1, 0, 0); TemporalContext = @{ seen = \"2026-11-0$($_)T00:00:00Z\" } } } | Add-Pattern t");

        var first = _session.Invoke("Get-Pattern t -TimeKey seen -Since 2026-11-02 -Until 2026-11-04 -Verbose");
        Assert.Equal(["p2", "p3"], first.Output.Select(p => p.Properties["PatternId"].Value.ToString()));
        Assert.Contains(first.Verbose, line => line.Contains("New-MilvusIndex t -TimeKey seen builds one", StringComparison.Ordinal));
        _session.Run("New-MilvusIndex t -TimeKey seen -WhatIf");
        Assert.Equal(1, Count(peer, "CALL CreateIndex OK"));   // the vector's only: reads and -WhatIf make none

        // Piped from Get-MilvusIndex, the collection binds and the vector index's name does not.
        var made = _session.Run("Get-MilvusIndex t | New-MilvusIndex -TimeKey seen -Wait").Single();
        Assert.Equal(("time_seen", "INVERTED", "Finished"), (made.Properties["IndexName"].Value, made.Properties["IndexType"].Value, made.Properties["State"].Value.ToString()));
        var listed = _session.Run("Get-MilvusIndex t -Field temporal_context").Single();
        Assert.Equal("time_seen", listed.Properties["IndexName"].Value);

        var again = _session.Invoke("Get-Pattern t -TimeKey seen -Since 2026-11-02 -Verbose");
        Assert.Equal(["p2", "p3", "p4", "p5"], again.Output.Select(p => p.Properties["PatternId"].Value.ToString()));
        Assert.Contains(again.Verbose, line => line.Contains("The JSON path index 'time_seen' serves it.", StringComparison.Ordinal));
        Assert.Equal("JsonPathIndexExists", _session.Fail("New-MilvusIndex t -TimeKey seen -IndexName other -ErrorAction Stop").FullyQualifiedErrorId.Split(',')[0]);
    }

    [SkippableFact]
    public void A_wrong_password_is_an_authentication_error_and_the_secret_is_in_no_stream()
    {
        var peer = Peer("--token", Convert.ToBase64String(Encoding.UTF8.GetBytes("root:the-right-one")));
        var result = _session.Invoke(
            "$DebugPreference = 'Continue'\n" +
            $"try {{ Connect-Milvus $args[0] -Credential ({CredentialScript}) -Verbose -Debug -ErrorAction Stop }}\n" +
            // Every property of the error, its exception and its category as text, and every error so far (no Format-List here).
            "catch { $_; $_, $_.Exception, $_.CategoryInfo | ForEach-Object { $_.PSObject.Properties | ForEach-Object { \"$($_.Name)=$($_.Value)\" } }; $Error | ForEach-Object { \"$_\" } }",
            peer.Address, "root", Password);

        var error = Assert.IsType<ErrorRecord>(result.Output[0].BaseObject);
        Assert.Equal("MilvusAuthenticationFailed,MilvusOps.Cmdlets.ConnectMilvusCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.Contains("-Credential", error.Exception.Message, StringComparison.Ordinal);
        Assert.Single(peer.Calls);   // refused credentials are not retried
        Assert.Empty(result.Errors);   // the script itself ran cleanly
        Assert.Contains(result.Output, o => o.ToString().StartsWith("TargetSite=", StringComparison.Ordinal));   // the exception's properties were dumped
        var everything = string.Join("\n", result.Output.Select(o => o.ToString()).Concat(result.Verbose).Concat(result.Other)
            .Concat(result.Errors.Select(e => e.ToString())).Append(error.Exception.ToString()));
        Assert.Contains("as root", everything, StringComparison.Ordinal);   // the verbose stream names the user, not the password
        Assert.DoesNotContain(Password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes($"root:{Password}")), everything, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void A_token_authenticates_every_call()
    {
        var peer = Peer("--token", Convert.ToBase64String(Encoding.UTF8.GetBytes("api-key-42")));
        _session.Run("Connect-Milvus $args[0] -Token ([System.Net.NetworkCredential]::new('', 'api-key-42').SecurePassword)", peer.Address);
        _session.Run("New-PatternCollection t -Dimension 4 -IndexType FLAT | Out-Null; Get-PatternCollection t | Out-Null");
        Assert.NotEmpty(peer.Calls);
        Assert.DoesNotContain(peer.Calls, c => c.Contains("UNAUTHENTICATED", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Rate_limits_and_unavailable_answers_are_retried_and_the_pipeline_succeeds()
    {
        var peer = Peer("--rate-limit-first", "2", "--unavailable-first", "2");
        _session.Run("Connect-Milvus $args[0] | Out-Null; New-PatternCollection r -Dimension 4 -IndexType FLAT | Out-Null", peer.Address);

        _session.Run("1..20 | ForEach-Object { [pscustomobject]@{ PatternId = \"p$_\"; Vector = [float[]]($_, 1, 0, 0) } } | Add-Pattern r");
        var hits = _session.Run("Find-SimilarPattern r -Vector ([float[]](3, 1, 0, 0)) -Top 2");

        Assert.Equal(["p3", "p2"], hits.Select(h => (string)h.Properties["PatternId"].Value));
        Assert.Equal(2, Count(peer, "CALL Upsert STATUS 8"));
        Assert.Equal(1, Count(peer, "CALL Upsert OK"));
        Assert.Equal(2, Count(peer, "CALL Search UNAVAILABLE"));
        Assert.Equal(20L, _session.Run("(Get-PatternCollection r).EntityCount").Single().BaseObject);
    }

    [SkippableFact]
    public void A_rate_limit_that_persists_fails_after_a_bounded_number_of_attempts()
    {
        var peer = Peer("--rate-limit-first", "100");
        _session.Run("Connect-Milvus $args[0] | Out-Null; New-PatternCollection r -Dimension 4 -IndexType FLAT | Out-Null", peer.Address);

        var error = _session.Fail("[pscustomobject]@{ PatternId = 'p1'; Vector = [float[]](1, 1, 0, 0) } | Add-Pattern r -ErrorAction Stop");

        Assert.StartsWith("MilvusRateLimited,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
        Assert.Equal(5, Count(peer, "CALL Upsert STATUS 8"));
    }

    [SkippableFact]
    public void A_gpu_index_on_a_cpu_server_says_why_and_leaves_no_collection_behind()
    {
        var peer = Peer();
        _session.Run("Connect-Milvus $args[0] | Out-Null", peer.Address);

        var error = _session.Fail("New-PatternCollection g -Dimension 8 -IndexType GPU_CAGRA -ErrorAction Stop");

        Assert.StartsWith("GpuIndexNotSupported,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, error.CategoryInfo.Category);
        Assert.Contains("-gpu image", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("HNSW (the CPU graph index)", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("invalid index type: GPU_CAGRA", error.Exception.Message, StringComparison.Ordinal);   // the server's own words
        Assert.Empty(_session.Run("Get-PatternCollection"));
    }

    [SkippableFact]
    public void A_gpu_server_builds_and_searches_a_cagra_index()
    {
        var peer = Peer("--gpu");
        _session.Run("Connect-Milvus $args[0] | Out-Null; New-PatternCollection g -Dimension 4 -IndexType GPU_CAGRA -Metric IP | Out-Null", peer.Address);
        _session.Run("1..5 | ForEach-Object { [pscustomobject]@{ PatternId = \"p$_\"; Vector = [float[]]($_, 0, 0, 0) } } | Add-Pattern g");

        Assert.Equal("GPU_CAGRA", _session.Run("(Get-PatternCollection g).IndexType").Single().BaseObject);
        Assert.Equal("p5", _session.Run("(Find-SimilarPattern g -Vector ([float[]](1, 0, 0, 0)) -Top 1).PatternId").Single().BaseObject);
    }

    [SkippableFact]
    public void New_collection_waits_for_the_load_to_reach_100_percent()
    {
        var peer = Peer();
        _session.Run("Connect-Milvus $args[0] | Out-Null; New-PatternCollection w -Dimension 4 -IndexType HNSW | Out-Null", peer.Address);

        var calls = peer.Calls.Select(c => c.Split(' ')[1]).ToList();
        Assert.True(calls.IndexOf("CreateIndex") < calls.IndexOf("LoadCollection"), string.Join(", ", calls));
        // The peer reports 0, 50 and then 100 %: the cmdlet polled until it was loaded.
        Assert.Equal(3, calls.Count(c => c == "GetLoadingProgress"));
        Assert.True(calls.LastIndexOf("GetLoadingProgress") < calls.IndexOf("Query"), "count(*) ran before the load finished");
    }

    [SkippableFact]
    public void An_import_sends_many_upserts_and_flushes_once_at_the_end()
    {
        var peer = Peer();
        var legacy = Path.Combine(_session.Folder, "legacy.db");
        LegacyFiles.Generate(legacy, rows: 400, bad: false, dimension: 16);
        _session.Run("Connect-Milvus $args[0] | Out-Null", peer.Address);

        var report = _session.Run("Import-SqlitePattern $args[0] imported -CreateCollection -BatchSize 50", legacy).Single();

        Assert.Equal(400L, report.Properties["RowsWritten"].Value);
        Assert.Equal(8, Count(peer, "CALL Upsert OK"));
        Assert.Equal(1, Count(peer, "CALL Flush OK"));
        Assert.Equal("Flush", peer.Calls.Select(c => c.Split(' ')[1]).Last(m => m is "Upsert" or "Flush"));
        Assert.Equal(400L, _session.Run("(Get-PatternCollection imported).EntityCount").Single().BaseObject);
    }

    [SkippableFact]
    public void A_512_d_import_batch_goes_as_one_request_of_several_megabytes()
    {
        var peer = Peer();
        var legacy = Path.Combine(_session.Folder, "legacy512.db");
        LegacyFiles.Generate(legacy, rows: 3000, bad: false, dimension: 512);
        _session.Run("Connect-Milvus $args[0] | Out-Null", peer.Address);

        // ~6.6 MB in one upsert: over gRPC's 4 MB default, under Milvus's 64 MB request limit.
        var report = _session.Run("Import-SqlitePattern $args[0] wide -CreateCollection", legacy).Single();

        Assert.Equal(3000L, report.Properties["RowsWritten"].Value);
        Assert.Equal(1, Count(peer, "CALL Upsert OK"));
        Assert.Equal(3000, _session.Run("Get-Pattern wide").Count);   // and back, in pages well over 4 MB
    }

    [SkippableFact]
    public void A_database_that_does_not_exist_is_reported_as_such()
    {
        var peer = Peer();
        var error = _session.Fail("Connect-Milvus $args[0] -Database archive", peer.Address);
        Assert.StartsWith("DatabaseNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("archive", error.Exception.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void Session_consistency_reads_its_own_writes()
    {
        var peer = Peer();
        _session.Run("Connect-Milvus $args[0] -ConsistencyLevel Session | Out-Null; New-PatternCollection s -Dimension 4 -IndexType FLAT | Out-Null", peer.Address);
        _session.Run("1..7 | ForEach-Object { [pscustomobject]@{ PatternId = \"p$_\"; Vector = [float[]]($_, 0, 0, 0) } } | Add-Pattern s");
        Assert.Equal(7L, _session.Run("(Get-PatternCollection s).EntityCount").Single().BaseObject);
        Assert.Equal(7, _session.Run("Get-Pattern s").Count);
    }
}
