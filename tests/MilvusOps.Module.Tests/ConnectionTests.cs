namespace MilvusOps.Module.Tests;

public sealed class ConnectionTests : IDisposable
{
    private readonly ModuleSession _session = new();

    public void Dispose() => _session.Dispose();

    [Fact]
    public void Manifest_exports_every_cmdlet_explicitly_and_they_load_from_the_module_folder()
    {
        var names = _session.Run("(Get-Module MilvusOps).ExportedCmdlets.Keys").Select(o => o.ToString()).Order(StringComparer.Ordinal).ToList();
        // Every cmdlet class in the module, by its [Cmdlet] attribute, and the manifest's explicit list: the same names.
        var classes = _session.Run("""
            [MilvusOps.Cmdlets.AddPatternCommand].Assembly.GetTypes() |
                ForEach-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
                ForEach-Object { "$($_.VerbName)-$($_.NounName)" }
            """).Select(o => o.ToString()).Order(StringComparer.Ordinal).ToList();
        var listed = _session.Run("(Import-PowerShellDataFile $args[0]).CmdletsToExport", Path.Combine(ModuleSession.RepoRoot, "MilvusOps.psd1"))
            .Select(o => o.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(classes, names);
        Assert.Equal(classes, listed);
        Assert.Contains("Test-MilvusHealth", names);
        var aliases = _session.Run("(Get-Module MilvusOps).ExportedAliases.Values | ForEach-Object { $_.Name + '=' + $_.ResolvedCommandName }").Select(o => o.ToString());
        Assert.Equal(["Import-SqlitePatterns=Import-SqlitePattern", "Test-Coherence=Test-PatternCoherence"], aliases.Order(StringComparer.Ordinal));
        string contract = _session.Run("[MilvusOps.Model.Pattern].Assembly.Location")[0].ToString();
        Assert.Equal(Path.Combine(ModuleSession.RepoRoot, "out", "MilvusOps", "lib", "MilvusOps.Model.dll"), contract);
    }

    [Fact]
    public void Connect_resolves_a_relative_path_against_the_PowerShell_location_and_becomes_the_default()
    {
        var connection = _session.Run("Connect-Milvus ./store.db -Create")[0];
        Assert.Equal(Path.Combine(_session.Folder, "store.db"), connection.Properties["Uri"].Value);
        Assert.Equal("Embedded", connection.Properties["Backend"].Value.ToString());
        Assert.Equal("default", connection.Properties["Database"].Value);
        Assert.True(File.Exists(Path.Combine(_session.Folder, "store.db")));
        var created = _session.Run("New-PatternCollection p -Dimension 4")[0];
        Assert.Equal(Path.Combine(_session.Folder, "store.db"), created.Properties["Uri"].Value);
    }

    [Fact]
    public void A_store_file_deleted_and_reopened_is_a_new_empty_store()
    {
        _session.Run("Connect-Milvus ./gone.db -Create | Out-Null; New-PatternCollection p -Dimension 2 | Out-Null; [pscustomobject]@{ PatternId = 'a'; Vector = 1, 2 } | Add-Pattern p; Find-SimilarPattern p -Vector 1, 2 | Out-Null");
        foreach (string file in Directory.GetFiles(_session.Folder, "gone.db*")) File.Delete(file);
        var names = _session.Run("Connect-Milvus ./gone.db -Create | Out-Null; (Get-PatternCollection).Count; New-PatternCollection p -Dimension 3 | Out-Null; (Get-PatternCollection p).Dimension");
        Assert.Equal([0, 3], names.Select(n => Convert.ToInt32(n.BaseObject)));
    }

    [Fact]
    public void Connection_parameter_takes_a_path_string_or_a_connection_object()
    {
        _session.Run("Connect-Milvus ./one.db -Create -NoDefault | Out-Null; New-PatternCollection a -Dimension 3 -Connection ./one.db | Out-Null");
        var names = _session.Run("$c = Connect-Milvus ./two.db -Create; New-PatternCollection b -Dimension 3 | Out-Null; " +
                                 "(Get-PatternCollection -Connection ./one.db).Name; (Get-PatternCollection -Connection $c).Name");
        Assert.Equal(["a", "b"], names.Select(n => n.ToString()));
    }

    [Fact]
    public void Without_a_connection_the_error_says_what_to_do()
    {
        var error = _session.Fail("Get-PatternCollection");
        Assert.Equal("NotConnected,MilvusOps.Cmdlets.GetPatternCollectionCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, error.CategoryInfo.Category);
        Assert.Contains("Connect-Milvus", error.Exception.Message);
    }

    [Fact]
    public void A_server_that_does_not_answer_is_a_connection_error_naming_the_address()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();   // nothing listens there now

        var error = _session.Fail($"Connect-Milvus http://127.0.0.1:{port} -TimeoutSec 5");
        Assert.Equal("MilvusUnavailable,MilvusOps.Cmdlets.ConnectMilvusCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, error.CategoryInfo.Category);
        Assert.Contains($"127.0.0.1:{port}", error.Exception.Message);
    }

    [Fact]
    public void Server_options_on_a_store_file_are_refused()
    {
        var error = _session.Fail("Connect-Milvus ./opts.db -Database other -ConsistencyLevel Session");
        Assert.StartsWith("ServerOptionOnEmbeddedStore,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("-Database, -ConsistencyLevel", error.Exception.Message);
    }

    [Fact]
    public void Credentials_in_the_uri_are_refused_without_echoing_them()
    {
        var error = _session.Fail("Connect-Milvus http://root:Sup3rSecret@127.0.0.1:19530");
        Assert.StartsWith("CredentialsInUri,", error.FullyQualifiedErrorId);
        Assert.DoesNotContain("Sup3rSecret", error.ToString());
        Assert.DoesNotContain("Sup3rSecret", error.Exception.Message);
        Assert.DoesNotContain("Sup3rSecret", error.TargetObject?.ToString() ?? "");
    }

    [Fact]
    public void Tls_files_need_an_https_address()
    {
        File.WriteAllText(Path.Combine(_session.Folder, "ca.pem"), "not used");
        var error = _session.Fail("Connect-Milvus http://127.0.0.1:19530 -CertificatePath ./ca.pem");
        Assert.StartsWith("TlsOptionWithoutHttps,", error.FullyQualifiedErrorId);
    }

    [Fact]
    public void A_bare_host_and_port_is_not_mistaken_for_a_file_name()
    {
        var error = _session.Fail("Connect-Milvus localhost:19530");
        Assert.StartsWith("AmbiguousUri,", error.FullyQualifiedErrorId);
        Assert.False(File.Exists(Path.Combine(_session.Folder, "localhost:19530")));
    }

    [Fact]
    public void A_file_that_is_not_a_store_is_refused_without_being_changed()
    {
        string legacy = Path.Combine(_session.Folder, "legacy.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={legacy};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE patterns(id TEXT)";
            command.ExecuteNonQuery();
        }
        var error = _session.Fail("Connect-Milvus ./legacy.db");
        Assert.StartsWith("StoreNotMilvusOps,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
    }
}
