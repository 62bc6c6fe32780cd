namespace MilvusOps.Module.Tests.Contract;

// One class per target: the same tests, inherited from ContractTests, appear once under each in the results.

/// <summary>The contract on the embedded store; it always runs.</summary>
[Collection(EmbeddedContract.Name)]
public sealed class EmbeddedContractTests(EmbeddedTarget target) : ContractTests(target);

/// <summary>The contract on the stateful conformance peer (node tests/conformance/peer.js --stateful).</summary>
[Collection(PeerContract.Name)]
public sealed class PeerContractTests(PeerTarget target) : ContractTests(target);

/// <summary>The contract on a real Milvus: MILVUSOPS_TEST_URI, or a Testcontainers Milvus where Docker answers.</summary>
[Collection(MilvusContract.Name)]
public sealed class MilvusContractTests(MilvusTarget target) : ContractTests(target);
