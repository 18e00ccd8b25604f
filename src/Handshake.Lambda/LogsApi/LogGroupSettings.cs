using System.Text.Json;
using Handshake.Lambda.Persistence;
using Microsoft.Data.Sqlite;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// What CloudWatch Logs' write side says of one log group: its creation time, retention, KMS key, class and tags.
/// Immutable: a change replaces the whole record.
/// </summary>
internal sealed record LogGroupSetting(
    string Name,
    DateTimeOffset CreationTime,
    int? RetentionInDays,
    string? KmsKeyId,
    string LogGroupClass,
    IReadOnlyDictionary<string, string> Tags);

/// <summary>
/// The log groups made or changed through CloudWatch Logs' write side (CreateLogGroup, PutRetentionPolicy, the tag
/// operations), kept in lambda.db as documents of kind <see cref="Kind"/> keyed by group name, with the control plane's
/// state: these are control-plane changes (few, and acknowledged only once kept), not log lines, so they belong with
/// the state that is written before its request is answered rather than in logs.db, whose writer is asynchronous and
/// may drop. A record exists exactly while its group does: CreateLogGroup makes one; a group that exists because its
/// function logged gets one (with the log's creation time) at its first retention or tag change; DeleteLogGroup removes
/// it. A function's events are not here: they are in its <see cref="Logs.FunctionLog"/> (and logs.db).
/// </summary>
internal sealed class LogGroupSettings(LambdaStateDatabase database)
{
    public const string Kind = "log-group";

    /// <summary>One lock for every change: they are rare, and a check-then-write (CreateLogGroup) must not race.</summary>
    private readonly Lock _gate = new();
    private readonly Dictionary<string, LogGroupSetting> _groups = new(StringComparer.Ordinal);

    /// <summary>At start: the records the last host on this data directory kept.</summary>
    /// <exception cref="LambdaStateException">A document cannot be read (the host does not start, as for the functions' documents).</exception>
    public void Restore()
    {
        foreach ((string key, string body) in database.Load(Kind))
        {
            try
            {
                _groups[key] = FromJson(key, body);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException)
            {
                throw FunctionHost.UnreadableDocument(database, Kind, key, e);
            }
        }
    }

    public LogGroupSetting? Get(string name)
    {
        lock (_gate)
        {
            return _groups.GetValueOrDefault(name);
        }
    }

    public List<LogGroupSetting> All()
    {
        lock (_gate)
        {
            return [.. _groups.Values];
        }
    }

    /// <summary>
    /// Makes or changes a group's record under the lock: <paramref name="change"/> gets the current record (null when
    /// there is none) and returns the new one, or throws; the new one is kept in lambda.db before it is visible.
    /// </summary>
    /// <exception cref="LogsException">What <paramref name="change"/> throws; ServiceUnavailableException when it cannot be kept.</exception>
    public LogGroupSetting Update(string name, Func<LogGroupSetting?, LogGroupSetting> change)
    {
        lock (_gate)
        {
            LogGroupSetting updated = change(_groups.GetValueOrDefault(name));
            Save(batch => batch.Put(Kind, name, ToJson(updated)));
            _groups[name] = updated;
            return updated;
        }
    }

    /// <summary>Removes a group's record (DeleteLogGroup); true when there was one.</summary>
    public bool Remove(string name)
    {
        lock (_gate)
        {
            if (!_groups.ContainsKey(name))
            {
                return false;
            }

            Save(batch => batch.Delete(Kind, name));
            _groups.Remove(name);
            return true;
        }
    }

    private void Save(Action<LambdaStateDatabase.Batch> changes) => Save(database, changes);

    /// <summary>
    /// A change not kept is not made: answered as CloudWatch's own fault (500), so that a client retries. Shared with
    /// the created log streams' records (<see cref="CreatedLogStreams"/>).
    /// </summary>
    internal static void Save(LambdaStateDatabase database, Action<LambdaStateDatabase.Batch> changes)
    {
        try
        {
            database.Write(changes);
        }
        catch (SqliteException e)
        {
            throw new LogsException("ServiceUnavailableException", $"The change could not be saved to {database.FilePath}: {e.Message}", 500);
        }
        catch (ObjectDisposedException)
        {
            throw new LogsException("ServiceUnavailableException", "The function host is stopping.", 503);
        }
    }

    // The document: DescribeLogGroups' member names (creationTime in ticks, so a restart answers the same milliseconds).
    private static string ToJson(LogGroupSetting group) => LambdaStateDatabase.Document(writer =>
    {
        writer.WriteStartObject();
        writer.WriteNumber("creationTime", group.CreationTime.UtcTicks);
        if (group.RetentionInDays is int days)
        {
            writer.WriteNumber("retentionInDays", days);
        }

        if (group.KmsKeyId is { } key)
        {
            writer.WriteString("kmsKeyId", key);
        }

        writer.WriteString("logGroupClass", group.LogGroupClass);
        writer.WriteStartObject("tags");
        foreach ((string tag, string value) in group.Tags)
        {
            writer.WriteString(tag, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    });

    private static LogGroupSetting FromJson(string name, string body)
    {
        using JsonDocument document = JsonDocument.Parse(body);
        JsonElement root = document.RootElement;
        Dictionary<string, string> tags = new(StringComparer.Ordinal);
        foreach (JsonProperty tag in root.GetProperty("tags").EnumerateObject())
        {
            tags[tag.Name] = tag.Value.GetString()!;
        }

        return new LogGroupSetting(
            name,
            new DateTimeOffset(root.GetProperty("creationTime").GetInt64(), TimeSpan.Zero),
            root.TryGetProperty("retentionInDays", out JsonElement days) ? days.GetInt32() : null,
            root.TryGetProperty("kmsKeyId", out JsonElement key) ? key.GetString() : null,
            root.GetProperty("logGroupClass").GetString()!,
            tags);
    }
}
