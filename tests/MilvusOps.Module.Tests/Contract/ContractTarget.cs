using System.Management.Automation;

namespace MilvusOps.Module.Tests.Contract;

/// <summary>
/// One backend the contract suite runs against: it yields the argument string for Connect-Milvus, or the
/// reason the backend cannot run here. Each target owns one <see cref="ModuleSession"/>, shared by the tests
/// of its class (xunit runs them one at a time), so the module is imported once per target.
/// </summary>
/// <remarks>
/// The session also holds <c>$global:ContractReference</c>, an embedded store beside the target: the tests
/// load identical data into both and require the same answers. The target's connection is the session
/// default, so a pipeline without -Connection runs against the target.
/// </remarks>
public abstract class ContractTarget : IDisposable
{
    private ModuleSession? _session;

    /// <summary>What the TRX and the messages call this target: Embedded, Peer or Milvus.</summary>
    public abstract string Name { get; }

    /// <summary>The arguments after Connect-Milvus, e.g. <c>'http://127.0.0.1:19530'</c>; null when skipped.</summary>
    public string? ConnectArguments { get; private set; }

    /// <summary>Why this backend does not run here; the tests skip with it.</summary>
    public string? SkipReason { get; private set; }

    /// <summary>Why the backend was meant to run but could not be connected; the tests fail with it.</summary>
    public string? ConnectError { get; private set; }

    /// <summary>The Backend Connect-Milvus must report: a server URI that opened the embedded store would prove nothing.</summary>
    protected abstract string ExpectedBackend { get; }

    /// <summary>Starts the backend (or finds why not) and connects a fresh module session to it.</summary>
    protected void Open(Func<(string? Arguments, string? SkipReason)> start)
    {
        try
        {
            (ConnectArguments, SkipReason) = start();
        }
        catch (Exception ex)
        {
            // Reported by every test as a plain failure, rather than as a fixture that crashed.
            ConnectError = $"The {Name} contract target did not start: {ex.GetType().Name}: {ex.Message}";
            return;
        }
        if (SkipReason is not null) return;

        _session = new ModuleSession();
        // The reference first: the last Connect-Milvus is the session default, and that must be the target.
        _session.Run("$global:ContractReference = Connect-Milvus ./reference.db -Create");
        var connected = _session.Run($"try {{ $global:ContractTarget = Connect-Milvus {ConnectArguments} -ErrorAction Stop; $global:ContractTarget.Backend.ToString() }} catch {{ $_ }}");
        if (connected.Count == 1 && connected[0].BaseObject is string backend)
        {
            if (backend != ExpectedBackend)
                ConnectError = $"Connect-Milvus {ConnectArguments} opened the {backend} backend, not {ExpectedBackend}: the {Name} contract run would test the wrong store.";
            return;
        }
        var error = connected.Select(o => o.BaseObject).OfType<ErrorRecord>().FirstOrDefault();
        string errorId = error?.FullyQualifiedErrorId.Split(',')[0] ?? "no output";
        ConnectError = $"Connect-Milvus {ConnectArguments} failed on the {Name} contract target: {errorId}: {error?.Exception.Message}";
    }

    /// <summary>The target's session; skips the calling test, or fails it with the connection error.</summary>
    public ModuleSession Require()
    {
        Skip.If(SkipReason is not null, SkipReason);
        if (ConnectError is not null) Assert.Fail(ConnectError);
        return _session!;
    }

    /// <summary>A small legacy file with planted bad rows, written once per target into its session folder.</summary>
    public (string Path, System.Text.Json.JsonElement Summary) LegacyFile()
    {
        var session = Require();
        if (_legacy is null)
        {
            string path = System.IO.Path.Combine(session.Folder, "legacy.db");
            _legacy = (path, LegacyFiles.Generate(path, LegacyRows, bad: true, seed: 7, dimension: 16));
        }
        return _legacy.Value;
    }

    public const int LegacyRows = 400;
    private (string, System.Text.Json.JsonElement)? _legacy;

    /// <summary>True when the target is connected and tests can clean up on it.</summary>
    public bool Ready => SkipReason is null && ConnectError is null && _session is not null;

    public virtual void Dispose()
    {
        _session?.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>A PowerShell single-quoted literal.</summary>
    protected static string Quote(string value) => "'" + value.Replace("'", "''") + "'";
}

/// <summary>The embedded store: a temporary store file, always available.</summary>
public sealed class EmbeddedTarget : ContractTarget
{
    private string? _folder;

    public EmbeddedTarget() => Open(() =>
    {
        // Its own folder, apart from the session's, so the target and the reference are different files.
        _folder = Directory.CreateTempSubdirectory("milvusops-contract-").FullName;
        return (Quote(Path.Combine(_folder, "contract.db")) + " -Create", null);
    });

    public override string Name => "Embedded";

    protected override string ExpectedBackend => "Embedded";

    public override void Dispose()
    {
        base.Dispose();
        if (_folder is not null)
            try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class EmbeddedContract : ICollectionFixture<EmbeddedTarget>
{
    public const string Name = "Contract: embedded store";
}

[CollectionDefinition(Name)]
public sealed class PeerContract : ICollectionFixture<PeerTarget>
{
    public const string Name = "Contract: stateful conformance peer";
}

[CollectionDefinition(Name)]
public sealed class MilvusContract : ICollectionFixture<MilvusTarget>
{
    public const string Name = "Contract: Milvus";
}
