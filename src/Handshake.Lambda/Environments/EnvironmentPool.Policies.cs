using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// Resource-based policies by qualifier ($LATEST, a version, an alias), under the pool's locks like the asynchronous
/// invocation settings: a statement is never added for a qualifier that is being deleted, and deleting the version or
/// alias removes its policy.
/// </summary>
internal sealed partial class EnvironmentPool
{
    private readonly Dictionary<string, ResourcePolicy> _policies = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="change"/> on the qualifier's policy (created empty when absent) under the lock; false when the qualifier does not exist.</summary>
    public bool TryChangePolicy(string qualifier, Action<ResourcePolicy> change)
    {
        lock (_control)
        {
            if (!HasQualifierLocked(qualifier))
            {
                return false;
            }

            // A copy is changed and saved; the pool keeps the original until the save succeeded.
            ResourcePolicy policy = _policies.GetValueOrDefault(qualifier)?.Clone() ?? new ResourcePolicy();
            change(policy);
            string key = DocumentKey(Persistence.FunctionDocuments.Policy, qualifier);
            if (policy.Count > 0)
            {
                PutDocument(key, Persistence.FunctionDocuments.WritePolicy(policy));
                lock (_gate)
                {
                    _policies[qualifier] = policy;
                }
            }
            else
            {
                // The last statement removed: GetPolicy answers "does not exist" again.
                DeleteDocument(key);
                lock (_gate)
                {
                    _policies.Remove(qualifier);
                }
            }

            return true;
        }
    }

    /// <summary>The policy's document and RevisionId, or null when the qualifier has none.</summary>
    public (string Document, string RevisionId)? Policy(string qualifier)
    {
        lock (_gate)
        {
            return _policies.TryGetValue(qualifier, out ResourcePolicy? policy) ? (policy.Document(), policy.RevisionId) : null;
        }
    }
}
