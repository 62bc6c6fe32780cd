using System.Management.Automation;
using MilvusOps.Engine;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Opens a store (a file path: the embedded store, created if missing) and makes it the session's
/// default connection.
/// </summary>
/// <example>
/// <code>
/// Connect-Milvus ./patterns.db
/// </code>
/// <para>Opens the embedded store in ./patterns.db (creating the file if it is missing) and makes it the default connection for the cmdlets that follow.</para>
/// </example>
/// <example>
/// <code>
/// $store = Connect-Milvus ./staging.db
/// Get-PatternCollection -Connection $store
/// </code>
/// <para>Keeps the connection in a variable and passes it explicitly with -Connection.</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "Milvus")]
[OutputType(typeof(MilvusConnection))]
public sealed class ConnectMilvusCommand : PSCmdlet
{
    /// <summary>The store: a file path opens the embedded store (relative paths resolve against the PowerShell location); http(s)://host:port is the Milvus backend, which this version does not have yet (BackendNotAvailable).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    public string Uri { get; set; } = "";

    /// <summary>How long a call waits (for the embedded store: for another process's write lock).</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = (int)MilvusOpsCmdlet.DefaultTimeout.TotalSeconds;

    protected override void ProcessRecord()
    {
        try
        {
            var connection = ConnectionParameter.Open(this, Uri, TimeSpan.FromSeconds(TimeoutSec));
            SessionConnection.Set(connection);
            WriteVerbose($"Connected to {connection.Backend} store '{connection.Uri}'; it is now the session default.");
            WriteObject(connection);
        }
        catch (MilvusOpsException ex)
        {
            ThrowTerminatingError(MilvusOpsCmdlet.ToErrorRecord(ex));
        }
    }
}

/// <summary>Forgets the session's default connection.</summary>
/// <example>
/// <code>
/// Disconnect-Milvus
/// </code>
/// <para>Forgets the session default; later data cmdlets need -Connection or a new Connect-Milvus.</para>
/// </example>
[Cmdlet(VerbsCommunications.Disconnect, "Milvus")]
[OutputType(typeof(void))]
public sealed class DisconnectMilvusCommand : PSCmdlet
{
    protected override void ProcessRecord()
    {
        if (!SessionConnection.Clear()) WriteVerbose("There was no session connection.");
    }
}
