using System.Text.Json;
using Handshake.Lambda.Persistence;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// The log streams made by CreateLogStream, with their creation times, kept in lambda.db as documents of kind
/// <see cref="Kind"/> keyed <c>GROUP:STREAM</c> (neither name may hold a colon, so the key splits one way). A created
/// stream is control-plane state, acknowledged only once kept, as a created group is (<see cref="LogGroupSettings"/>):
/// it must exist, empty, after a restart, and an empty stream has no event in logs.db to stand for it.
///
/// A stream also exists once the group's log holds one of its events, and after they expire or the cap pushes them out
/// (a function's environment streams are known that way only: the log and logs.db keep such a stream, see FunctionLog);
/// this record is what makes a stream exist with no event, and what gives a created stream
/// its creation time. DeleteLogStream removes the record; DeleteLogGroup removes every record of the group.
/// </summary>
internal sealed class CreatedLogStreams(LambdaStateDatabase database)
{
    public const string Kind = "log-stream";

    /// <summary>One lock for every change: a check-then-write (CreateLogStream's "already exists") must not race.</summary>
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _byGroup = new(StringComparer.Ordinal);

    /// <summary>At start: the streams the last host on this data directory created.</summary>
    /// <exception cref="LambdaStateException">A document cannot be read (the host does not start, as for the other documents).</exception>
    public void Restore()
    {
        foreach ((string key, string body) in database.Load(Kind))
        {
            try
            {
                int colon = key.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    throw new InvalidOperationException("The key is not GROUP:STREAM.");
                }

                using JsonDocument document = JsonDocument.Parse(body);
                DateTimeOffset created = new(document.RootElement.GetProperty("creationTime").GetInt64(), TimeSpan.Zero);
                StreamsOf(key[..colon])[key[(colon + 1)..]] = created;
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or ArgumentOutOfRangeException)
            {
                throw FunctionHost.UnreadableDocument(database, Kind, key, e);
            }
        }
    }

    /// <summary>The group's created streams and their creation times (a copy).</summary>
    public Dictionary<string, DateTimeOffset> Of(string group)
    {
        lock (_gate)
        {
            return _byGroup.TryGetValue(group, out var streams) ? new(streams, StringComparer.Ordinal) : new(StringComparer.Ordinal);
        }
    }

    public bool Contains(string group, string stream)
    {
        lock (_gate)
        {
            return _byGroup.TryGetValue(group, out var streams) && streams.ContainsKey(stream);
        }
    }

    /// <summary>
    /// Records a new stream, kept before it is visible; false when it exists already: recorded, or (<paramref name="hasEvents"/>,
    /// asked under the lock) known by its events.
    /// </summary>
    /// <exception cref="LogsException">ServiceUnavailableException when it cannot be kept.</exception>
    public bool TryAdd(string group, string stream, DateTimeOffset created, Func<bool> hasEvents)
    {
        lock (_gate)
        {
            if ((_byGroup.TryGetValue(group, out var streams) && streams.ContainsKey(stream)) || hasEvents())
            {
                return false;
            }

            Save(batch => batch.Put(Kind, group + ":" + stream, LambdaStateDatabase.Document(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("creationTime", created.UtcTicks); // ticks, so a restart answers the same milliseconds
                writer.WriteEndObject();
            })));
            StreamsOf(group)[stream] = created;
            return true;
        }
    }

    /// <summary>Removes a stream's record (DeleteLogStream); true when there was one.</summary>
    public bool Remove(string group, string stream)
    {
        lock (_gate)
        {
            if (!_byGroup.TryGetValue(group, out var streams) || !streams.ContainsKey(stream))
            {
                return false;
            }

            Save(batch => batch.Delete(Kind, group + ":" + stream));
            streams.Remove(stream);
            if (streams.Count == 0)
            {
                _byGroup.Remove(group);
            }

            return true;
        }
    }

    /// <summary>Removes every stream record of a group (DeleteLogGroup).</summary>
    public void RemoveGroup(string group)
    {
        lock (_gate)
        {
            if (_byGroup.ContainsKey(group))
            {
                // The prefix ends in ':' (ASCII), which no group name holds: exactly this group's keys.
                Save(batch => batch.DeletePrefix(Kind, group + ":"));
                _byGroup.Remove(group);
            }
        }
    }

    private Dictionary<string, DateTimeOffset> StreamsOf(string group)
    {
        if (!_byGroup.TryGetValue(group, out var streams))
        {
            streams = new(StringComparer.Ordinal);
            _byGroup[group] = streams;
        }

        return streams;
    }

    /// <summary>A change not kept is not made, as for the groups' records.</summary>
    private void Save(Action<LambdaStateDatabase.Batch> changes) => LogGroupSettings.Save(database, changes);
}
