using MilvusOps.Engine.Session;

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
    public void EverySessionLookupIsInvalidCollectionName(string name)
    {
        using var connection = StoreFactory.Connect(Path.Combine(_folder, "s.db"), TimeSpan.FromSeconds(2), create: true);
        var session = new PatternSession(connection, CancellationToken.None);
        Action[] lookups =
        [
            () => session.Describe(name),
            () => session.Count(name),
            () => session.Drop(name),
            () => session.Get(name, ["a"]),
            () => _ = session.Query(name, null).ToList(),
            () => session.Delete(name, ["a"]),
            () => session.DeleteWhere(name, "pattern_id == \"a\""),
            () => session.Upsert(name, [new Pattern("a", [1f], null, null, null)]),
            () => session.Flush(name),
            () => session.PlanSearch(name, 1, null),
        ];
        foreach (Action lookup in lookups)
            Assert.Equal("InvalidCollectionName", Assert.Throws<MilvusOpsException>(lookup).ErrorId);
    }

    [Fact]
    public void ValidNamesStillPass() => new CollectionSpec { Name = "_Valid_name_1" }.Validate();
}
