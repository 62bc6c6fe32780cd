namespace MilvusOps.Model;

/// <summary>
/// Names an optional part of the store contract, as SecretManagement names a vault's optional functions. A backend
/// implements the capability interfaces it has; the session layer asks for one with <c>Require&lt;T&gt;</c>, and a backend
/// without it is refused with NotSupportedByBackend, naming the backend and this capability.
/// </summary>
[AttributeUsage(AttributeTargets.Interface)]
public sealed class StoreCapabilityAttribute(string name) : Attribute
{
    /// <summary>What an operator calls the capability: "indexes", "loading", "aliases".</summary>
    public string Name { get; } = name;
}

/// <summary>The indexes of a collection's fields: describe with build progress, create, drop.</summary>
[StoreCapability("indexes")]
public interface IIndexCapability
{
    /// <summary>Every index of the collection (or of one field), with its build state and row counts.</summary>
    IReadOnlyList<CollectionIndex> DescribeIndexes(string collection, string? field, CancellationToken cancellation);

    /// <summary>Builds an index on a field; the spec has been checked against the field's dimension.</summary>
    void CreateIndex(string collection, IndexSpec spec, CancellationToken cancellation);

    /// <summary>Builds a JSON path index on the time under <paramref name="timeKey"/> in temporal_context, which reads by time
    /// filter on; the key has been checked (PatternTime.CheckKey).</summary>
    void CreateTimeIndex(string collection, string timeKey, string indexName, CancellationToken cancellation);

    /// <summary>Drops an index by name; the collection must be released.</summary>
    void DropIndex(string collection, string indexName, CancellationToken cancellation);
}

/// <summary>Whether a collection is in the query nodes' memory, where search and query need it.</summary>
[StoreCapability("loading")]
public interface ILoadCapability
{
    CollectionLoadState GetLoadState(string collection, CancellationToken cancellation);

    /// <summary>Starts loading with this many replicas; <see cref="GetLoadState"/> follows the progress.</summary>
    void Load(string collection, int replicas, CancellationToken cancellation);

    void Release(string collection, CancellationToken cancellation);
}

/// <summary>Other names for collections, for blue-green switches: traffic follows the alias.</summary>
[StoreCapability("aliases")]
public interface IAliasCapability
{
    void CreateAlias(string alias, string collection, CancellationToken cancellation);

    /// <summary>Points an existing alias at another collection, in one step.</summary>
    void AlterAlias(string alias, string collection, CancellationToken cancellation);

    void DropAlias(string alias, CancellationToken cancellation);

    /// <summary>The alias and its collection, or AliasNotFound.</summary>
    CollectionAlias DescribeAlias(string alias, CancellationToken cancellation);

    /// <summary>Every alias (of one collection, named by its own name, not an alias), in name order.</summary>
    IReadOnlyList<CollectionAlias> ListAliases(string? collection, CancellationToken cancellation);
}

/// <summary>Storage upkeep: compaction, which merges small segments and purges deleted rows, and the segments themselves.</summary>
[StoreCapability("compaction and segments")]
public interface IMaintenanceCapability
{
    /// <summary>Starts a compaction (of the L0 delete segments only, with <paramref name="l0"/>); returns its job.</summary>
    CompactionJob Compact(string collection, bool l0, CancellationToken cancellation);

    CompactionJob GetCompaction(long compactionId, CancellationToken cancellation);

    /// <summary>The collection's segments: the persistent ones as the data coordinator lists them, or those the query
    /// nodes hold in memory.</summary>
    IReadOnlyList<CollectionSegment> ListSegments(string collection, bool loaded, CancellationToken cancellation);
}

/// <summary>The databases of a server: list, describe, create, drop.</summary>
[StoreCapability("databases")]
public interface IDatabaseCapability
{
    IReadOnlyList<StoreDatabase> ListDatabases(CancellationToken cancellation);

    StoreDatabase DescribeDatabase(string name, CancellationToken cancellation);

    void CreateDatabase(string name, CancellationToken cancellation);

    /// <summary>Drops an empty database; one that still holds collections is refused.</summary>
    void DropDatabase(string name, CancellationToken cancellation);
}

/// <summary>A consistent copy of the whole store into a new file while it is in use (the embedded store: SQLite's online backup).</summary>
[StoreCapability("online file backups")]
public interface IFileBackupCapability
{
    /// <summary>Copies the store, as one moment saw it, into a new file at <paramref name="path"/> (it must not exist).
    /// <paramref name="progress"/> gets (pages copied, pages in all).</summary>
    void BackupTo(string path, Action<long, long>? progress, CancellationToken cancellation);
}

/// <summary>Milvus's bulk import: jobs that load Parquet files from the server's object storage into a collection
/// (REST /v2/vectordb/jobs/import). <c>restUri</c> is where the REST API answers; null means the server's own address.</summary>
[StoreCapability("bulk import")]
public interface IBulkImportCapability
{
    /// <summary>Starts a job that imports the files (object keys in the server's bucket, one file each) into the collection; returns its id.</summary>
    string StartImportJob(string collection, IReadOnlyList<string> files, Uri? restUri, CancellationToken cancellation);

    /// <summary>The job's state, progress and rows, and each file's.</summary>
    ImportJob DescribeImportJob(string jobId, Uri? restUri, CancellationToken cancellation);

    /// <summary>The jobs the server keeps, of one collection or all.</summary>
    IReadOnlyList<ImportJob> ListImportJobs(string? collection, Uri? restUri, CancellationToken cancellation);
}
