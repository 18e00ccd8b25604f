using Handshake.Lambda.Functions;
using Handshake.Lambda.Persistence;

namespace Handshake.Lambda.Environments;

/// <summary>
/// The pool's part in keeping the control plane across restarts (Persistence/FunctionDocuments.cs). Every change is
/// saved under the pool's lock before it is made in memory: a change whose save fails is not made, and its request is
/// answered ServiceException, so memory never holds what the file does not; a change that was answered is in the file.
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
    /// function's documents are written, under the pool's lock so that nothing reaches the pool before they are. When
    /// the write fails, <paramref name="remove"/> takes the pool out again.
    /// </summary>
    public bool TryCreate(IReadOnlyDictionary<string, string>? tags, Func<bool> add, Action remove)
    {
        lock (_gate)
        {
            if (!add())
            {
                return false;
            }

            try
            {
                string name = _definition.Name;
                string configuration = FunctionDocuments.WriteFunction(_host, _definition);
                string? tagDocument = tags is { Count: > 0 } ? FunctionDocuments.WriteTags(tags) : null;
                _host.SaveState(batch =>
                {
                    // Anything left under the name (a declared function's versions from an earlier start) is not this function's.
                    batch.DeletePrefix(FunctionDocuments.Kind, FunctionDocuments.Prefix(name));
                    batch.Put(FunctionDocuments.Kind, FunctionDocuments.Key(name, FunctionDocuments.Configuration), configuration);
                    if (tagDocument is not null)
                    {
                        batch.Put(FunctionDocuments.Kind, FunctionDocuments.Key(name, FunctionDocuments.Tags), tagDocument);
                    }
                });
            }
            catch
            {
                _deleted = true;
                remove();
                throw;
            }

            foreach ((string key, string value) in tags ?? new Dictionary<string, string>())
            {
                _tags[key] = value;
            }

            return true;
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

    /// <summary>Under the lock, before the change is made in memory. A deleted function takes no more changes.</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException once the function is deleted; ServiceException when the write fails.</exception>
    private void SaveLocked(Action<LambdaStateDatabase.Batch> changes)
    {
        if (_deleted)
        {
            throw LambdaException.FunctionNotFound(_host.Arn(_definition.Name));
        }

        _host.SaveState(changes);
    }

    private string DocumentKey(string part) => FunctionDocuments.Key(_definition.Name, part);

    private string DocumentKey(string part, string qualifier) => FunctionDocuments.Key(_definition.Name, part, qualifier);

    private void PutLocked(string key, string body) => SaveLocked(batch => batch.Put(FunctionDocuments.Kind, key, body));

    private void DeleteDocumentLocked(string key) => SaveLocked(batch => batch.Delete(FunctionDocuments.Kind, key));

    /// <summary>A version or alias goes: its settings and policy go with it (and an alias's URL).</summary>
    private void DeleteQualifierDocumentsLocked(string qualifier, bool alias) => SaveLocked(batch =>
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
