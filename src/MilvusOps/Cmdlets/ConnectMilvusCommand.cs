using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Security;
using MilvusOps.Engine.Backends.Milvus;
using MilvusOps.Engine.Session;
using MilvusOps.Infrastructure;

namespace MilvusOps.Cmdlets;

/// <summary>
/// Opens a store and makes it the session's default connection: a file path opens the embedded store (an existing file,
/// or a new one with -Create); http(s)://host:port connects to a Milvus server (standalone, cluster or Zilliz Cloud) and
/// reads its version. The connection stays open until Disconnect-Milvus closes it.
/// </summary>
/// <example>
/// <code>
/// Connect-Milvus ./patterns.db -Create
/// </code>
/// <para>Opens the embedded store in ./patterns.db, creating the file if it is missing, and makes it the default connection for the cmdlets that follow. Without -Create a missing file is a StoreNotFound error, so a mistyped path never becomes an empty store.</para>
/// </example>
/// <example>
/// <code>
/// Connect-Milvus http://localhost:19530
/// </code>
/// <para>Connects to the Milvus server of the docker-compose stack (no authentication) and shows its ServerVersion.</para>
/// </example>
/// <example>
/// <code>
/// Connect-Milvus https://milvus.example.com:19530 -Credential (Get-Credential root) -Database patterns -CertificatePath ./ca.pem
/// </code>
/// <para>Connects over TLS, trusting the server certificate signed by ./ca.pem, as a Milvus user, to the database 'patterns'. The password never appears in output, errors or history.</para>
/// </example>
/// <example>
/// <code>
/// $token = Read-Host -AsSecureString 'API key'
/// Connect-Milvus https://in03-example.serverless.gcp-us-west1.cloud.zilliz.com -Token $token
/// </code>
/// <para>Connects to Zilliz Cloud with an API key kept in a SecureString.</para>
/// </example>
/// <example>
/// <code>
/// $staging = Connect-Milvus ./staging.db -NoDefault
/// Get-PatternCollection -Connection $staging
/// </code>
/// <para>Opens a second store without replacing the session default, and passes it explicitly with -Connection.</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "Milvus", DefaultParameterSetName = NoAuthentication)]
[OutputType(typeof(MilvusConnection))]
public sealed class ConnectMilvusCommand : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private const string NoAuthentication = "NoAuthentication";
    private const string ByToken = "Token";
    private const string ByCredential = "Credential";

    /// <summary>The store: a file path opens the embedded store (relative paths resolve against the PowerShell location); http://host:port or https://host:port connects to a Milvus server (port 19530 when omitted). Put no user or password in the URI: use -Credential or -Token.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    public string Uri { get; set; } = "";

    /// <summary>An API key (Zilliz Cloud) or a "user:password" token, as a SecureString. Milvus server only.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByToken)]
    public SecureString? Token { get; set; }

    /// <summary>A Milvus user and password (Get-Credential). Milvus server only.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ByCredential)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The Milvus database (default: "default"). Milvus server only; the embedded store has one database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>A PEM or DER file with the CA certificate that signed the server's TLS certificate, for a server whose certificate the system does not trust (https only).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? CertificatePath { get; set; }

    /// <summary>The client certificate for mutual TLS: a PEM certificate (with -ClientKeyPath) or a PFX file (https only).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientCertificatePath { get; set; }

    /// <summary>The PEM private key of -ClientCertificatePath.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientKeyPath { get; set; }

    /// <summary>How reads see writes on a Milvus server: Strong (default: every write acknowledged before the read, from any client) or Session (this connection's own writes; cheaper). Either way a script reads its own writes.</summary>
    [Parameter]
    [ValidateSet("Strong", "Session")]
    public string ConsistencyLevel { get; set; } = "Strong";

    /// <summary>How long one call may take before it fails (Milvus: the deadline of each gRPC call, retries aside; embedded store: the wait for another process's write lock).</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = (int)MilvusOpsCmdlet.DefaultTimeout.TotalSeconds;

    /// <summary>Create the embedded store file if it does not exist; without it, a path that names no file is a StoreNotFound error, so a mistyped path never becomes an empty store. A Milvus server needs nothing created, so it ignores -Create.</summary>
    [Parameter]
    public SwitchParameter Create { get; set; }

    /// <summary>Return the connection without making it the session default (pass it with -Connection).</summary>
    [Parameter]
    public SwitchParameter NoDefault { get; set; }

    protected override void ProcessRecord()
    {
        try
        {
            var connection = StoreFactory.IsServerUri(Uri) ? ConnectServer() : OpenEmbedded();
            if (!NoDefault) SessionConnection.Set(connection);
            WriteVerbose($"Connected to {connection.Backend} store '{connection}' ({connection.ServerVersion}){(NoDefault ? "" : "; it is now the session default")}.");
            WriteObject(connection);
        }
        catch (MilvusOpsException ex)
        {
            ThrowTerminatingError(MilvusOpsCmdlet.ToErrorRecord(ex));
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Ctrl+C ends the retries to a server that does not answer.</summary>
    protected override void StopProcessing() => _stopping.Cancel();

    public void Dispose() => _stopping.Dispose();

    private MilvusConnection OpenEmbedded()
    {
        var serverOnly = new[] { nameof(Token), nameof(Credential), nameof(Database), nameof(CertificatePath), nameof(ClientCertificatePath), nameof(ClientKeyPath), nameof(ConsistencyLevel) }
            .Where(MyInvocation.BoundParameters.ContainsKey).ToArray();
        if (serverOnly.Length > 0)
            throw new MilvusOpsException("ServerOptionOnEmbeddedStore", ErrorKind.InvalidArgument,
                $"-{string.Join(", -", serverOnly)} applies to a Milvus server (http:// or https://), and '{Uri}' is an embedded store file.", Uri);
        StoreFactory.RejectBareServerAddress(Uri);
        bool existed = File.Exists(GetUnresolvedProviderPathFromPSPath(Uri));
        var connection = ConnectionParameter.Open(this, Uri, TimeSpan.FromSeconds(TimeoutSec), Create, _stopping.Token);
        if (!existed) WriteWarning($"Created a new, empty store at '{connection.Uri}'.");
        return connection;
    }

    private MilvusConnection ConnectServer()
    {
        var endpoint = MilvusEndpoint.Parse(Uri, Database) with
        {
            Timeout = TimeSpan.FromSeconds(TimeoutSec),
            Consistency = Enum.Parse<ReadConsistency>(ConsistencyLevel),
            CertificateAuthorityPath = ResolvePath(CertificatePath),
            ClientCertificatePath = ResolvePath(ClientCertificatePath),
            ClientKeyPath = ResolvePath(ClientKeyPath),
        };
        if (!endpoint.UsesTls && (CertificatePath ?? ClientCertificatePath ?? ClientKeyPath) is not null)
            throw new MilvusOpsException("TlsOptionWithoutHttps", ErrorKind.InvalidArgument,
                $"-CertificatePath, -ClientCertificatePath and -ClientKeyPath need an https:// address; '{Uri}' is not encrypted.", Uri);
        if (ClientKeyPath is not null && ClientCertificatePath is null)
            throw new MilvusOpsException("ClientKeyWithoutCertificate", ErrorKind.InvalidArgument,
                "-ClientKeyPath needs -ClientCertificatePath (the certificate the key belongs to).", ClientKeyPath);
        if (Token is not null)
            endpoint.WithToken(Plain(Token));
        else if (Credential is not null)
            endpoint.WithCredential(Credential.UserName, Plain(Credential.Password));
        WriteVerbose($"Connecting to {endpoint}{(endpoint.User is { } user ? $" as {user}" : endpoint.HasToken ? " with a token" : "")}.");
        return StoreFactory.Connect(endpoint, _stopping.Token);
    }

    private string? ResolvePath(string? path)
    {
        if (path is null)
            return null;
        var full = GetUnresolvedProviderPathFromPSPath(path);
        return File.Exists(full) ? full
            : throw new MilvusOpsException("CertificateFileNotFound", ErrorKind.ObjectNotFound, $"The certificate file '{full}' does not exist.", full);
    }

    /// <summary>The SecureString's text, for the one moment it becomes a header value.</summary>
    private static string Plain(SecureString secret)
    {
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
        try
        {
            return Marshal.PtrToStringUni(pointer) ?? "";
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}

/// <summary>
/// Closes connections: the ones given (piped or with -Connection), or else the session default. A closed connection
/// releases its channel or store file, refuses every later call, and comes back with State Closed; closing the session
/// default also forgets it.
/// </summary>
/// <example>
/// <code>
/// Disconnect-Milvus
/// </code>
/// <para>Closes the session default; later data cmdlets need -Connection or a new Connect-Milvus.</para>
/// </example>
/// <example>
/// <code>
/// $staging = Connect-Milvus ./staging.db -NoDefault
/// Get-PatternCollection -Connection $staging
/// $staging | Disconnect-Milvus
/// </code>
/// <para>Closes a connection kept in a variable; the session default stays open.</para>
/// </example>
[Cmdlet(VerbsCommunications.Disconnect, "Milvus")]
[OutputType(typeof(MilvusConnection))]
public sealed class DisconnectMilvusCommand : PSCmdlet
{
    /// <summary>The connections to close; without it, the session default.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    public MilvusConnection[]? Connection { get; set; }

    protected override void ProcessRecord()
    {
        if (Connection is null)
        {
            if (SessionConnection.Current is { } current) Close(current);
            else WriteVerbose("There was no session connection to close.");
            return;
        }
        foreach (var connection in Connection) Close(connection);
    }

    private void Close(MilvusConnection connection)
    {
        if (ReferenceEquals(SessionConnection.Current, connection)) SessionConnection.Clear();
        connection.Dispose();
        WriteVerbose($"Closed the connection to {connection.Backend} store '{connection}'.");
        WriteObject(connection);
    }
}
