using System.Management.Automation;
using MilvusOps.Engine;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Opens a store (a file path: the embedded store, created if missing) and makes it the session's
/// default connection.
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "Milvus")]
[OutputType(typeof(MilvusConnection))]
public sealed class ConnectMilvusCommand : PSCmdlet
{
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
[Cmdlet(VerbsCommunications.Disconnect, "Milvus")]
[OutputType(typeof(void))]
public sealed class DisconnectMilvusCommand : PSCmdlet
{
    protected override void ProcessRecord()
    {
        if (!SessionConnection.Clear()) WriteVerbose("There was no session connection.");
    }
}
