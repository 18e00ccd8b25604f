using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// PutFunctionEventInvokeConfig's settings, by qualifier, under the pool's control-plane lock: the check that the version or alias
/// exists and the write are one step, and deleting the version or alias (same lock) removes its settings, so a Put
/// racing a delete cannot leave settings for a qualifier that is gone (and that a new alias of the same name would
/// inherit), nor can an Update bring back settings just deleted.
/// </summary>
internal sealed partial class EnvironmentPool
{
    private readonly Dictionary<string, EventInvokeConfig> _eventInvokeConfigs = new(StringComparer.Ordinal);

    /// <summary>False when the qualifier is not $LATEST, a version or an alias of this function (or the function is gone).</summary>
    public bool TryPutEventInvokeConfig(string qualifier, Func<EventInvokeConfig?, EventInvokeConfig> change, bool update, out EventInvokeConfig? config)
    {
        lock (_control)
        {
            config = null;
            if (!HasQualifierLocked(qualifier))
            {
                return false;
            }

            EventInvokeConfig? current = _eventInvokeConfigs.GetValueOrDefault(qualifier);
            if (update && current is null)
            {
                return true;
            }

            EventInvokeConfig changed = change(current);
            PutDocument(DocumentKey(Persistence.FunctionDocuments.EventInvokeConfig, qualifier), Persistence.FunctionDocuments.WriteEventInvokeConfig(_host, _definition.Name, changed));
            lock (_gate)
            {
                _eventInvokeConfigs[qualifier] = config = changed;
            }

            return true;
        }
    }

    public EventInvokeConfig? EventInvokeConfig(string qualifier)
    {
        lock (_gate)
        {
            return _eventInvokeConfigs.GetValueOrDefault(qualifier);
        }
    }

    public bool DeleteEventInvokeConfig(string qualifier)
    {
        lock (_control)
        {
            if (!_eventInvokeConfigs.ContainsKey(qualifier))
            {
                return false;
            }

            DeleteDocument(DocumentKey(Persistence.FunctionDocuments.EventInvokeConfig, qualifier));
            lock (_gate)
            {
                return _eventInvokeConfigs.Remove(qualifier);
            }
        }
    }

    public List<EventInvokeConfig> EventInvokeConfigs()
    {
        lock (_gate)
        {
            return [.. _eventInvokeConfigs.Values];
        }
    }
}
