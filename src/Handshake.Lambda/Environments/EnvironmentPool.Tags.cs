namespace Handshake.Lambda.Environments;

/// <summary>
/// The function's tags (TagResource, UntagResource, CreateFunction's Tags). Kept beside the definition, not in it:
/// tagging changes no configuration, so unlike <see cref="Update"/> it must not replace the environments.
/// </summary>
internal sealed partial class EnvironmentPool
{
    private readonly SortedDictionary<string, string> _tags = new(StringComparer.Ordinal);

    public SortedDictionary<string, string> Tags()
    {
        lock (_gate)
        {
            return new SortedDictionary<string, string>(_tags, StringComparer.Ordinal);
        }
    }

    /// <summary>Adds or replaces these tags; false (nothing changed) when the function would then have more than <paramref name="limit"/>.</summary>
    public bool Tag(IReadOnlyDictionary<string, string> tags, int limit)
    {
        lock (_control)
        {
            int added = tags.Keys.Count(key => !_tags.ContainsKey(key));
            if (_tags.Count + added > limit)
            {
                return false;
            }

            SortedDictionary<string, string> changed = new(_tags, StringComparer.Ordinal);
            foreach ((string key, string value) in tags)
            {
                changed[key] = value;
            }

            SaveTags(changed);
            lock (_gate)
            {
                foreach ((string key, string value) in tags)
                {
                    _tags[key] = value;
                }
            }

            return true;
        }
    }

    public void Untag(IEnumerable<string> keys)
    {
        // One snapshot: the keys saved are the keys removed, whatever the caller's enumerable does when enumerated again.
        string[] removed = [.. keys];
        lock (_control)
        {
            SortedDictionary<string, string> changed = new(_tags, StringComparer.Ordinal);
            foreach (string key in removed)
            {
                changed.Remove(key);
            }

            SaveTags(changed);
            lock (_gate)
            {
                foreach (string key in removed)
                {
                    _tags.Remove(key);
                }
            }
        }
    }

    private void SaveTags(SortedDictionary<string, string> tags)
    {
        string key = DocumentKey(Persistence.FunctionDocuments.Tags);
        if (tags.Count > 0)
        {
            PutDocument(key, Persistence.FunctionDocuments.WriteTags(tags));
        }
        else
        {
            DeleteDocument(key);
        }
    }
}
