using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text.Json;
using MilvusOps.Engine.Session;
using MilvusOps.Engine.Sources.Legacy;

namespace MilvusOps.Infrastructure;

/// <summary>
/// What the argument completers share: the store the command will use (its -Connection, else the session default), read
/// under a short limit, so a server that does not answer costs the user two seconds and no completions, never a hang.
/// A completer must never fail the console: anything that goes wrong is "nothing to offer".
/// </summary>
internal static class Completion
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(2);

    /// <summary>The candidates that start with what was typed (case-insensitive), quoted where PowerShell needs it.</summary>
    public static IEnumerable<CompletionResult> Matching(IEnumerable<string> candidates, string typed)
    {
        var prefix = typed.Trim('\'', '"');
        return candidates.Where(c => c.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.Ordinal)
            .Select(c => new CompletionResult(Quote(c), c, CompletionResultType.ParameterValue, c));
    }

    private static string Quote(string text) =>
        text.All(c => char.IsLetterOrDigit(c) || c is '_' or '-' or '.') ? text : "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Reads from the store the command would use; null when there is none, or it does not answer in time.</summary>
    public static T? FromStore<T>(IDictionary boundParameters, Func<PatternSession, T> read) where T : class
    {
        using var limit = new CancellationTokenSource(Limit);
        MilvusConnection? opened = null;
        try
        {
            var bound = boundParameters["Connection"] is PSObject wrapped ? wrapped.BaseObject : boundParameters["Connection"];
            var connection = bound switch
            {
                MilvusConnection given => given,
                ConnectionParameter parameter => parameter.ToString() is { Length: > 0 } text ? opened = Open(text, limit.Token) : null,
                string text => opened = Open(text, limit.Token),
                _ => SessionConnection.Current,
            };
            return connection is { State: ConnectionState.Open } ? read(new PatternSession(connection, limit.Token)) : null;
        }
        catch (Exception)
        {
            return null; // completion offers nothing rather than fail the console
        }
        finally
        {
            opened?.Dispose();
        }
    }

    /// <summary>A -Connection typed as text: a server URI, or a store path relative to the PowerShell location.</summary>
    private static MilvusConnection Open(string uri, CancellationToken cancellation)
    {
        if (!StoreFactory.IsServerUri(uri)) uri = Path.GetFullPath(uri, CurrentLocation());
        return StoreFactory.Connect(uri, Limit, create: false, cancellation);
    }

    /// <summary>The PowerShell location (not the process's), read in a nested pipeline: the completion's own is running.</summary>
    private static string CurrentLocation()
    {
        using var shell = PowerShell.Create(RunspaceMode.CurrentRunspace);
        return shell.AddCommand("Microsoft.PowerShell.Management\\Get-Location").AddParameter("PSProvider", "FileSystem").Invoke<PathInfo>()[0].ProviderPath;
    }

    /// <summary>A path the command got (-Path, -SourcePath), resolved against the PowerShell location.</summary>
    public static string? BoundPath(IDictionary boundParameters, params string[] names)
    {
        foreach (var name in names)
            if (boundParameters[name]?.ToString() is { Length: > 0 } path)
                return Path.GetFullPath(path, CurrentLocation());
        return null;
    }

    /// <summary>The keys of the JSON objects in the first patterns of a collection (a cheap sample: 100 rows, no vectors),
    /// each once, in order.</summary>
    public static IEnumerable<string> JsonKeys(PatternSession session, string collection, Func<Pattern, string?> document) =>
        session.Query(collection, null, limit: 100, includeVectors: false).Select(document).OfType<string>()
            .SelectMany(json =>
            {
                try
                {
                    using var parsed = JsonDocument.Parse(json);
                    return parsed.RootElement.ValueKind == JsonValueKind.Object ? parsed.RootElement.EnumerateObject().Select(p => p.Name).ToList() : [];
                }
                catch (JsonException)
                {
                    return [];
                }
            }).Distinct().Order(StringComparer.Ordinal);
}

/// <summary>Completes collection names (and aliases) from the store the command will use.</summary>
public sealed class CollectionNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(Completion.FromStore(fakeBoundParameters,
            session => session.List().SelectMany(c => c.Aliases.Prepend(c.Name)).ToList()) ?? [], wordToComplete);
}

/// <summary>Completes alias names from the store the command will use.</summary>
public sealed class AliasNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(Completion.FromStore(fakeBoundParameters, session => session.ListAliases().Select(a => a.Alias).ToList()) ?? [], wordToComplete);
}

/// <summary>
/// Completes -Filter with the collection's fields and, for its JSON fields, the keys its patterns hold:
/// <c>coherence_metrics["quantum_coherence"]</c>.
/// </summary>
public sealed class FilterFieldCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters["Collection"]?.ToString() is not { Length: > 0 } collection) return [];
        var candidates = Completion.FromStore(fakeBoundParameters, session =>
        {
            var described = session.Describe(collection);
            var fields = described.Fields.Where(f => f.Name != described.VectorField).Select(f => f.Name).ToList();
            var keys = Completion.JsonKeys(session, collection, p => p.CoherenceMetricsJson).Select(k => $"{PatternSchema.CoherenceMetrics}[\"{k}\"]")
                .Concat(Completion.JsonKeys(session, collection, p => p.TemporalContextJson).Select(k => $"{PatternSchema.TemporalContext}[\"{k}\"]"));
            return fields.Concat(keys).ToList();
        });
        return Completion.Matching(candidates ?? [], wordToComplete);
    }
}

/// <summary>Completes Test-PatternCoherence -Metric with the coherence_metrics keys the collection's patterns hold.</summary>
public sealed class CoherenceMetricCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters["Collection"]?.ToString() is not { Length: > 0 } collection) return [];
        return Completion.Matching(Completion.FromStore(fakeBoundParameters,
            session => Completion.JsonKeys(session, collection, p => p.CoherenceMetricsJson).ToList()) ?? [], wordToComplete);
    }
}

/// <summary>Completes -Table with the tables and views of the legacy file in -Path or -SourcePath.</summary>
public sealed class LegacyTableCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            return Completion.BoundPath(fakeBoundParameters, "Path", "SourcePath") is { } path
                ? Completion.Matching(LegacySource.TableNames(path), wordToComplete) : [];
        }
        catch (Exception)
        {
            return []; // completion offers nothing rather than fail the console
        }
    }
}

/// <summary>Completes -IndexType with the index types Milvus builds.</summary>
public sealed class IndexTypeCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Completion.Matching(CollectionSpec.IndexTypes, wordToComplete);
}
