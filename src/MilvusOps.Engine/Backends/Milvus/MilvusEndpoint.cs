using System.Text;
using System.Text.RegularExpressions;

namespace MilvusOps.Engine.Backends.Milvus;

/// <summary>How reads see writes. Both let an operator's script read its own writes.</summary>
public enum ReadConsistency
{
    /// <summary>Every read waits for all writes acknowledged before it, from any client.</summary>
    Strong,

    /// <summary>Every read waits for this connection's own last write only: cheaper than Strong.</summary>
    Session,
}

/// <summary>
/// Where and how to reach a Milvus server. The secret (token or password) is held only as the value of the
/// authorization header and never appears in <see cref="ToString"/> or any public property.
/// </summary>
public sealed record MilvusEndpoint
{
    public const int DefaultPort = 19530;
    public const string DefaultDatabase = "default";

    private static readonly Regex ExplicitPort = new(@"^[A-Za-z][A-Za-z0-9+.-]*://(\[[^\]]+\]|[^/:?#]*):\d+", RegexOptions.CultureInvariant);

    private string? _authorization;

    private MilvusEndpoint(Uri address) => Address = address;

    /// <summary>The server address, scheme http or https, with the port (19530 when the URI names none).</summary>
    public Uri Address { get; }
    public string Database { get; init; } = DefaultDatabase;

    /// <summary>The user name when the connection authenticates with a user and password.</summary>
    public string? User { get; private set; }
    public bool HasToken { get; private set; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public ReadConsistency Consistency { get; init; } = ReadConsistency.Strong;

    /// <summary>A PEM or DER file with the CA certificate(s) that sign the server's certificate (https only).</summary>
    public string? CertificateAuthorityPath { get; init; }

    /// <summary>The client certificate for mutual TLS: a PEM certificate with <see cref="ClientKeyPath"/>, or a PFX.</summary>
    public string? ClientCertificatePath { get; init; }
    public string? ClientKeyPath { get; init; }

    public bool UsesTls => Address.Scheme == Uri.UriSchemeHttps;

    /// <summary>The authorization header value (base64 of the token, or of user:password), or null.</summary>
    internal string? Authorization => _authorization;

    /// <summary>Parses an http(s) server URI. User info in the URI is refused: secrets belong in -Token or -Credential,
    /// not in text that lands in history and logs.</summary>
    public static MilvusEndpoint Parse(string uri, string? database = null)
    {
        if (!Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || (parsed.Scheme != Uri.UriSchemeHttp && parsed.Scheme != Uri.UriSchemeHttps))
            throw new MilvusOpsException("InvalidServerUri", ErrorKind.InvalidArgument,
                $"'{RedactUserInfo(uri)}' is not a Milvus server address: use http://host:port or https://host:port.", RedactUserInfo(uri));
        if (parsed.UserInfo.Length > 0)
            throw new MilvusOpsException("CredentialsInUri", ErrorKind.InvalidArgument,
                "The server URI carries user information. Pass the user and password with -Credential, or the token with -Token, so the secret stays out of the URI.",
                RedactUserInfo(uri));
        if (parsed.AbsolutePath is not ("/" or "") || parsed.Query.Length > 0)
            throw new MilvusOpsException("InvalidServerUri", ErrorKind.InvalidArgument,
                $"'{uri}' has a path or query; a Milvus gRPC address is only scheme, host and port.", uri);
        var port = ExplicitPort.IsMatch(uri) ? parsed.Port : DefaultPort;
        var address = new UriBuilder(parsed.Scheme, parsed.Host, port).Uri;
        var db = StoreDatabase.CheckName(string.IsNullOrEmpty(database) ? DefaultDatabase : database);
        return new MilvusEndpoint(address) { Database = db };
    }

    /// <summary>Authenticates with an API key or a "user:password" token.</summary>
    public MilvusEndpoint WithToken(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _authorization = Convert.ToBase64String(Encoding.UTF8.GetBytes(token));
        HasToken = true;
        User = null;
        return this;
    }

    /// <summary>Authenticates with a Milvus user and password.</summary>
    public MilvusEndpoint WithCredential(string user, string password)
    {
        ArgumentException.ThrowIfNullOrEmpty(user);
        if (user.Contains(':'))
            throw new MilvusOpsException("InvalidUserName", ErrorKind.InvalidArgument, "A Milvus user name cannot contain ':'.", user);
        _authorization = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        User = user;
        HasToken = false;
        return this;
    }

    /// <summary>The address and database; never the secret.</summary>
    public override string ToString() => Database == DefaultDatabase ? Address.ToString().TrimEnd('/') : $"{Address.ToString().TrimEnd('/')} (database {Database})";

    private static string RedactUserInfo(string uri) => Regex.Replace(uri, "^([A-Za-z][A-Za-z0-9+.-]*://)[^@/]*@", "$1***@");
}
