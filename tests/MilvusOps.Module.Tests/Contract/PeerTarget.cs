using MilvusOps.Tests.Shared;

namespace MilvusOps.Module.Tests.Contract;

/// <summary>
/// The stateful conformance peer: <c>node tests/conformance/peer.js --stateful</c>, a Milvus stand-in built on the
/// official Milvus definitions, which keeps collections and rows in memory. It prints <c>LISTENING &lt;port&gt;</c>
/// and exits when its stdin closes. Skipped where node or tests/conformance/node_modules is missing.
/// </summary>
public sealed class PeerTarget : ContractTarget
{
    private ConformancePeer? _peer;

    public PeerTarget() => Open(Start);

    public override string Name => "Peer";

    protected override string ExpectedBackend => "Milvus";

    private (string?, string?) Start()
    {
        if (ConformancePeer.SkipReason is { } reason)
            return (null, $"{reason} (the Peer contract run starts tests/conformance/peer.js --stateful)");
        _peer = ConformancePeer.Start("--stateful");
        return (Quote(_peer.Address), null);
    }

    public override void Dispose()
    {
        base.Dispose();
        _peer?.Dispose();
    }
}
