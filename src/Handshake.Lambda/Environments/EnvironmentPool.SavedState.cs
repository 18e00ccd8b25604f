using Handshake.Lambda.Functions;
using Handshake.Lambda.Persistence;

namespace Handshake.Lambda.Environments;

/// <summary>
/// The pool's part in keeping the control plane across restarts (Persistence/FunctionDocuments.cs). Every change is
/// saved before it is made in memory: a change whose save fails is not made, and its request is answered
/// ServiceException, so memory never holds what the file does not; a change that was answered is in the file.
///
/// Control-plane changes are ordered by <see cref="_control"/>, not by <see cref="_gate"/>: the write to lambda.db (which
/// can wait on a busy file) runs under <see cref="_control"/> alone, and <see cref="_gate"/> is taken only for the short
/// change in memory after it. The store's event loop takes <see cref="_gate"/> on the warm Invoke path (and the Runtime
/// API's inline handlers do), so a slow file must not be written under it. Every writer of the control-plane fields
/// (the definition, versions, aliases, URLs, settings, policies, tags, <see cref="_deleted"/>) holds both locks, so a
/// change holding <see cref="_control"/> reads them without <see cref="_gate"/>, and they cannot change between its
/// checks, its write and its change in memory.
/// </summary>
internal sealed partial class EnvironmentPool
{
    /// <summary>
    /// True for a function made through the API: its configuration is saved. False for one declared in the project
    /// file, whose configuration is read from the file at each start; its versions, aliases and the rest are saved.
    /// </summary>
    public bool SavesConfiguration { get; init; }

    /// <summary>
    /// CreateFunction: <paramref name="add"/> puts the pool in the host's registry (false: the name is taken), and the
    /// function's documents are written in one transaction, with version 1 when <paramref name="publish"/> (Publish=true),
    /// so that a failed write leaves neither. Until the write is done the pool counts as deleted: an invocation that finds
    /// it in the registry meanwhile is answered ResourceNotFoundException (as for a function not yet made) rather than
    /// run a function that may not be kept, and control-plane changes wait on <see cref="_control"/>. When the write
    /// fails, <paramref name="remove"/> takes the pool out again.
    /// </summary>
    /// <returns>Null when the name is taken; else $LATEST's configuration, or version 1's when published.</returns>
    public FunctionDefinition? TryCreate(IReadOnlyDictionary<string, string>? tags, bool publish, Func<bool> add, Action remove)
    {
        lock (_control)
        {
            lock (_gate)
            {
                _deleted = true;
            }

            if (!add())
            {
                return null;
            }

            FunctionDefinition latest = _definition;
            FunctionDefinition? version = publish ? NewVersion(latest, description: null) : null;
            try
            {
                string name = latest.Name;
                string configuration = FunctionDocuments.WriteFunction(_host, latest);
                string? tagDocument = tags is { Count: > 0 } ? FunctionDocuments.WriteTags(tags) : null;
                string? versionDocument = version is null ? null : FunctionDocuments.WriteVersion(_host, version);
                string? publishDocument = version is null ? null : FunctionDocuments.WritePublish(1, latest.RevisionId);
                _host.SaveState(batch =>
                {
                    // Anything left under the name (a declared function's versions from an earlier start) is not this function's.
                    batch.DeletePrefix(FunctionDocuments.Kind, FunctionDocuments.Prefix(name));
                    batch.Put(FunctionDocuments.Kind, FunctionDocuments.Key(name, FunctionDocuments.Configuration), configuration);
                    if (tagDocument is not null)
                    {
                        batch.Put(FunctionDocuments.Kind, FunctionDocuments.Key(name, FunctionDocuments.Tags), tagDocument);
                    }

                    if (versionDocument is not null)
                    {
                        batch.Put(FunctionDocuments.Kind, FunctionDocuments.Key(name, FunctionDocuments.Version, version!.Version), versionDocument);
                        batch.Put(FunctionDocuments.Kind, FunctionDocuments.Key(name, FunctionDocuments.Publish), publishDocument!);
                    }
                });
            }
            catch
            {
                remove();
                throw;
            }

            lock (_gate)
            {
                foreach ((string key, string value) in tags ?? new Dictionary<string, string>())
                {
                    _tags[key] = value;
                }

                if (version is not null)
                {
                    AddVersionLocked(version, latest.RevisionId);
                }

                _deleted = false;
            }

            return version ?? latest;
        }
    }

    /// <summary>At start, before the pool is reachable: what the last host saved for this function (nothing is written).</summary>
    public void Restore(SavedFunction saved)
    {
        lock (_gate)
        {
            _lastVersion = saved.LastVersion;
            _publishedRevision = saved.PublishedRevisionId;
            foreach ((int number, FunctionDefinition version) in saved.Versions)
            {
                (_versions ??= [])[number] = new PublishedVersion(version);
            }

            foreach (FunctionAlias alias in saved.Aliases)
            {
                _aliases[alias.Name] = alias;
            }

            foreach (FunctionUrlConfig url in saved.Urls)
            {
                _urls[url.Qualifier ?? FunctionDefinition.LatestVersion] = url with { FunctionName = _definition.Name };
            }

            foreach (EventInvokeConfig config in saved.EventInvokeConfigs)
            {
                _eventInvokeConfigs[config.Qualifier] = config;
            }

            foreach ((string qualifier, ResourcePolicy policy) in saved.Policies)
            {
                _policies[qualifier] = policy;
            }

            foreach ((string key, string value) in saved.Tags)
            {
                _tags[key] = value;
            }
        }
    }

    /// <summary>
    /// Under <see cref="_control"/> (not <see cref="_gate"/>: see the class summary), before the change is made in
    /// memory. A deleted function takes no more changes.
    /// </summary>
    /// <exception cref="LambdaException">ResourceNotFoundException once the function is deleted; ServiceException when the write fails.</exception>
    private void Save(Action<LambdaStateDatabase.Batch> changes)
    {
        if (_deleted)
        {
            throw LambdaException.FunctionNotFound(_host.Arn(_definition.Name));
        }

        _host.SaveState(changes);
    }

    private string DocumentKey(string part) => FunctionDocuments.Key(_definition.Name, part);

    private string DocumentKey(string part, string qualifier) => FunctionDocuments.Key(_definition.Name, part, qualifier);

    private void PutDocument(string key, string body) => Save(batch => batch.Put(FunctionDocuments.Kind, key, body));

    private void DeleteDocument(string key) => Save(batch => batch.Delete(FunctionDocuments.Kind, key));

    /// <summary>A version or alias goes: its settings and policy go with it (and an alias's URL).</summary>
    private void DeleteQualifierDocuments(string qualifier, bool alias) => Save(batch =>
    {
        batch.Delete(FunctionDocuments.Kind, DocumentKey(alias ? FunctionDocuments.Alias : FunctionDocuments.Version, qualifier));
        batch.Delete(FunctionDocuments.Kind, DocumentKey(FunctionDocuments.EventInvokeConfig, qualifier));
        batch.Delete(FunctionDocuments.Kind, DocumentKey(FunctionDocuments.Policy, qualifier));
        if (alias)
        {
            batch.Delete(FunctionDocuments.Kind, DocumentKey(FunctionDocuments.Url, qualifier));
        }
    });
}
