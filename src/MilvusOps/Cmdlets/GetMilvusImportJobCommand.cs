using System.Management.Automation;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>Describes Milvus import jobs by id (state, progress, rows, reason, each file), or lists the jobs the server
/// keeps, of one collection or all. Milvus only.</summary>
/// <example>
/// <code>
/// Get-MilvusImportJob -Collection patterns | Where-Object State -eq 'Failed'
/// </code>
/// <para>The failed import jobs of a collection.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "MilvusImportJob", DefaultParameterSetName = "List")]
[OutputType(typeof(ImportJob))]
public sealed class GetMilvusImportJobCommand : ImportJobCmdlet
{
    /// <summary>The jobs to describe.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    public string[] JobId { get; set; } = [];

    /// <summary>List only this collection's jobs.</summary>
    [Parameter(ParameterSetName = "List")]
    [ArgumentCompleter(typeof(CollectionNameCompleter))]
    public string? Collection { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == "List")
        {
            foreach (var job in Call(() => Session.ListImportJobs(Collection, Rest))) WriteJob(job);
            return;
        }
        foreach (string id in JobId) TryCall(() => WriteJob(Session.DescribeImportJob(id, Rest)), id);
    }
}
