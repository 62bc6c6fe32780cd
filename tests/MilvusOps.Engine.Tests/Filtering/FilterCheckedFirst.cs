namespace MilvusOps.Engine.Tests.Filtering;

/// <summary>What every backend must do with a filter that names an unknown field: refuse it before looking anything up.</summary>
internal static class FilterCheckedFirst
{
    public static void OnEveryFilteringCall(IPatternStore store)
    {
        const string missing = "no_such_collection";   // a lookup would answer CollectionNotFound
        const string filter = "nope == 1";
        Action[] calls =
        [
            () => store.Query(missing, filter),
            () => store.Count(missing, filter),
            () => store.DeleteWhere(missing, filter!),
            () => store.Search(missing, new SearchRequest(["q"], [[1f, 0f]], Top: 1, Filter: filter)),
        ];
        foreach (Action call in calls)
            Assert.Equal("FilterFieldNotFound", Assert.Throws<MilvusOpsException>(call).ErrorId);
    }
}
