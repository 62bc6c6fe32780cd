using MilvusOps.Engine.Embedded;

namespace MilvusOps.Engine.Tests.Model;

public sealed class CollectionNameTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("milvusops-names-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> BadNames() => ["name\n", "name\r\n", "na\nme", "bad\0name", "tab\tname", "\u001b[31mred", "\u0085next", ""];

    [Theory]
    [MemberData(nameof(BadNames))]
    public void CreatingIsInvalidCollectionName(string name)
    {
        var error = Assert.Throws<MilvusOpsException>(() => new CollectionSpec { Name = name }.Validate());
        Assert.Equal("InvalidCollectionName", error.ErrorId);
        Assert.Equal(name, error.Target);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [MemberData(nameof(BadNames))]
    public void EveryEmbeddedStoreLookupIsInvalidCollectionName(string name)
    {
        var store = new EmbeddedStore(Path.Combine(_folder, "s.db"), TimeSpan.FromSeconds(2));
        Action[] lookups =
        [
            () => store.DescribeCollection(name),
            () => store.DropCollection(name),
            () => store.Get(name, ["a"]),
            () => _ = store.Query(name, null).ToList(),
            () => store.Delete(name, ["a"]),
            () => store.DeleteWhere(name, "pattern_id == \"a\""),
            () => store.Upsert(name, [new Pattern("a", [1f], null, null, null)]),
        ];
        foreach (Action lookup in lookups)
            Assert.Equal("InvalidCollectionName", Assert.Throws<MilvusOpsException>(lookup).ErrorId);
    }

    [Fact]
    public void ValidNamesStillPass() => new CollectionSpec { Name = "_Valid_name_1" }.Validate();
}
