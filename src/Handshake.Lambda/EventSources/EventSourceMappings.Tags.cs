namespace Handshake.Lambda.EventSources;

/// <summary>A mapping's tags (TagResource, UntagResource, ListTags on its ARN): kept with it and changing nothing it does.</summary>
public sealed partial class EventSourceMappings
{
    /// <exception cref="LambdaException">ResourceNotFoundException for an unknown UUID.</exception>
    internal IReadOnlyDictionary<string, string> ListTags(string uuid)
    {
        EventSourceMapping mapping = Find(uuid);
        lock (mapping.Sync)
        {
            return mapping.Tags;
        }
    }

    /// <summary>Adds or replaces tags; false, changing nothing, when the mapping would have more than <paramref name="limit"/>.</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException for an unknown UUID.</exception>
    internal bool Tag(string uuid, IReadOnlyDictionary<string, string> tags, int limit)
    {
        EventSourceMapping mapping = Find(uuid);
        lock (mapping.Sync)
        {
            Dictionary<string, string> merged = new(mapping.Tags, StringComparer.Ordinal);
            foreach ((string key, string value) in tags)
            {
                merged[key] = value;
            }

            if (merged.Count > limit)
            {
                return false;
            }

            ChangeTags(mapping, merged);
            return true;
        }
    }

    /// <exception cref="LambdaException">ResourceNotFoundException for an unknown UUID.</exception>
    internal void Untag(string uuid, IEnumerable<string> keys)
    {
        EventSourceMapping mapping = Find(uuid);
        lock (mapping.Sync)
        {
            Dictionary<string, string> left = new(mapping.Tags, StringComparer.Ordinal);
            foreach (string key in keys)
            {
                left.Remove(key);
            }

            ChangeTags(mapping, left);
        }
    }

    /// <summary>Saved before it is seen: a change that cannot be kept is not answered as made (the lock is held).</summary>
    private void ChangeTags(EventSourceMapping mapping, IReadOnlyDictionary<string, string> tags)
    {
        if (mapping.State == "Deleting")
        {
            // Its delete was answered and its document removed: saving it again would bring it back after a restart.
            throw NotFound();
        }

        IReadOnlyDictionary<string, string> before = mapping.Tags;
        mapping.Tags = tags;
        try
        {
            Save(mapping);
        }
        catch
        {
            mapping.Tags = before;
            throw;
        }
    }
}
