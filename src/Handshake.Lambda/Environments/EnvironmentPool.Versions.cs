using System.Globalization;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// Published versions: kept in the pool (changed under <see cref="_control"/> and <see cref="_gate"/>, see
/// EnvironmentPool.SavedState.cs), with the function's environments, which the stacks of each
/// version hold apart from $LATEST's (aliases: EnvironmentPool.Aliases.cs).
/// </summary>
internal sealed partial class EnvironmentPool
{
    /// <summary>
    /// The generation of every published version's environments: a version never changes, so only its deletion makes
    /// them outdated (<see cref="IsOutdatedLocked"/>).
    /// </summary>
    private const int PublishedGeneration = -1;

    /// <summary>Null until the first publish: a function without versions pays one null check on the $LATEST paths.</summary>
    private SortedDictionary<int, PublishedVersion>? _versions;
    private int _lastVersion;

    /// <summary>$LATEST's RevisionId when the last version was published: unchanged since, publishing returns that version.</summary>
    private string? _publishedRevision;

    private string Arn(string qualifier) => _host.Arn(_definition.Name) + ":" + qualifier;

    /// <summary>
    /// PublishVersion: a snapshot of $LATEST as version N+1, or the last version when $LATEST has not changed since it
    /// was published (as Lambda answers). <paramref name="hotReload"/>: the code is a local directory used in place,
    /// which versions share (as LocalStack's hot reload does), so its CodeSha256 is not checked.
    /// </summary>
    public FunctionDefinition Publish(string? description, string? codeSha256, string? revisionId, bool hotReload)
    {
        lock (_control)
        {
            FunctionDefinition latest = _definition;
            if (revisionId is not null && revisionId != latest.RevisionId)
            {
                throw LambdaException.PreconditionFailed();
            }

            if (codeSha256 is not null && codeSha256 != latest.CodeSha256 && !hotReload)
            {
                throw LambdaException.InvalidParameter($"CodeSHA256 ({codeSha256}) is different from current CodeSHA256 in $LATEST ({latest.CodeSha256}). Please try again with the CodeSHA256 in $LATEST.");
            }

            if (UnchangedSinceLastVersion(latest) is { } last)
            {
                return last;
            }

            FunctionDefinition snapshot = NewVersion(latest, description);
            Save(batch => PutVersionDocuments(batch, snapshot, latest.RevisionId));
            lock (_gate)
            {
                AddVersionLocked(snapshot, latest.RevisionId);
            }

            return snapshot;
        }
    }

    /// <summary>Under <see cref="_control"/>: the last version, when $LATEST has not changed since it was published.</summary>
    private FunctionDefinition? UnchangedSinceLastVersion(FunctionDefinition latest) =>
        _versions is not null && _publishedRevision == latest.RevisionId && _versions.TryGetValue(_lastVersion, out PublishedVersion? last)
            ? last.Definition
            : null;

    /// <summary>Under <see cref="_control"/>: a snapshot of <paramref name="latest"/> as the next version (not yet saved nor added).</summary>
    private FunctionDefinition NewVersion(FunctionDefinition latest, string? description) => latest with
    {
        Version = (_lastVersion + 1).ToString(CultureInfo.InvariantCulture),
        Description = description ?? latest.Description,
        LastModified = _host.Options.Clock.GetUtcNow(),
        RevisionId = Guid.NewGuid().ToString(),
    };

    /// <summary>A new version's documents: the version, and the last number and $LATEST's RevisionId it was published from.</summary>
    private void PutVersionDocuments(Persistence.LambdaStateDatabase.Batch batch, FunctionDefinition snapshot, string latestRevisionId)
    {
        int number = int.Parse(snapshot.Version, CultureInfo.InvariantCulture);
        batch.Put(Persistence.FunctionDocuments.Kind, DocumentKey(Persistence.FunctionDocuments.Version, snapshot.Version), Persistence.FunctionDocuments.WriteVersion(_host, snapshot));
        batch.Put(Persistence.FunctionDocuments.Kind, DocumentKey(Persistence.FunctionDocuments.Publish), Persistence.FunctionDocuments.WritePublish(number, latestRevisionId));
    }

    /// <summary>Under both locks, once the version's documents are written.</summary>
    private void AddVersionLocked(FunctionDefinition snapshot, string latestRevisionId)
    {
        int number = int.Parse(snapshot.Version, CultureInfo.InvariantCulture);
        _lastVersion = number;
        (_versions ??= [])[number] = new PublishedVersion(snapshot);
        _publishedRevision = latestRevisionId;
    }

    /// <summary>$LATEST, then the published versions in order.</summary>
    public List<FunctionDefinition> Versions()
    {
        lock (_gate)
        {
            List<FunctionDefinition> all = [_definition];
            foreach (PublishedVersion version in (IEnumerable<PublishedVersion>?)_versions?.Values ?? [])
            {
                all.Add(version.Definition);
            }

            return all;
        }
    }

    /// <summary>
    /// What a qualifier names: $LATEST (<paramref name="version"/> null), a published version, or an alias (routed:
    /// a weighted alias picks one of its two versions). False when there is no such version or alias.
    /// </summary>
    public bool TryRoute(string qualifier, out PublishedVersion? version)
    {
        lock (_gate)
        {
            if (_aliases.TryGetValue(qualifier, out FunctionAlias? alias))
            {
                qualifier = alias.Route();
            }

            return TryGetVersionLocked(qualifier, out version);
        }
    }

    /// <summary>As <see cref="TryRoute"/>, without routing: an alias names its primary version.</summary>
    public bool TryResolve(string qualifier, out FunctionDefinition definition)
    {
        lock (_gate)
        {
            if (_aliases.TryGetValue(qualifier, out FunctionAlias? alias))
            {
                qualifier = alias.FunctionVersion;
            }

            bool found = TryGetVersionLocked(qualifier, out PublishedVersion? version);
            definition = version?.Definition ?? _definition;
            return found;
        }
    }

    /// <summary>True while the function exists and has this qualifier: $LATEST, an alias or a published version.</summary>
    private bool HasQualifierLocked(string qualifier) =>
        !_deleted && (qualifier == FunctionDefinition.LatestVersion || _aliases.ContainsKey(qualifier) || TryGetVersionLocked(qualifier, out _));

    private bool TryGetVersionLocked(string qualifier, out PublishedVersion? version)
    {
        version = null;
        if (qualifier == FunctionDefinition.LatestVersion)
        {
            return true;
        }

        // "01" is not version 1: Lambda compares qualifiers as strings (and so do the alias checks here).
        return IsVersionNumber(qualifier) && int.TryParse(qualifier, NumberStyles.None, CultureInfo.InvariantCulture, out int number)
            && number.ToString(CultureInfo.InvariantCulture) == qualifier
            && _versions is not null && _versions.TryGetValue(number, out version);
    }

    /// <summary>DeleteFunction with a version qualifier: the version goes, its idle environments now, busy ones after their invocation.</summary>
    /// <exception cref="LambdaException">
    /// InvalidParameterValueException for $LATEST, ResourceNotFoundException for a version that does not exist,
    /// ResourceConflictException for a version an alias points to (or routes to).
    /// </exception>
    public void DeleteVersion(string qualifier)
    {
        List<ExecutionEnvironment> retired = [];
        lock (_control)
        {
            if (qualifier == FunctionDefinition.LatestVersion)
            {
                throw LambdaException.InvalidParameter("$LATEST version cannot be deleted without deleting the function.");
            }

            if (!TryGetVersionLocked(qualifier, out PublishedVersion? version) || version is null)
            {
                throw LambdaException.FunctionNotFound(Arn(qualifier));
            }

            List<string> referencing = [];
            foreach (FunctionAlias alias in _aliases.Values)
            {
                if (alias.FunctionVersion == qualifier || alias.AdditionalVersion == qualifier)
                {
                    referencing.Add(alias.Name);
                }
            }

            if (referencing.Count > 0)
            {
                referencing.Sort(StringComparer.Ordinal);
                throw LambdaException.Conflict($"Unable to delete version because the following aliases reference it: [{string.Join(", ", referencing)}]");
            }

            DeleteQualifierDocuments(qualifier, alias: false);
            lock (_gate)
            {
                _versions!.Remove(int.Parse(qualifier, CultureInfo.InvariantCulture));
                _eventInvokeConfigs.Remove(qualifier);
                _policies.Remove(qualifier);
                foreach (ExecutionEnvironment environment in (IEnumerable<ExecutionEnvironment>)[.. version.Idle, .. version.Reset])
                {
                    _all.Remove(environment);
                    retired.Add(environment);
                }

                version.Idle.Clear();
                version.Reset.Clear();
            }
        }

        Retire(retired);
    }

    private static bool IsVersionNumber(string qualifier)
    {
        if (qualifier.Length == 0)
        {
            return false;
        }

        foreach (char c in qualifier)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Under the lock: true for a $LATEST environment of an older generation (new code or configuration), and for an
    /// environment of a version that has been deleted. A $LATEST environment of the current generation is answered by
    /// the first comparison, as before versions existed.
    /// </summary>
    private bool IsOutdatedLocked(ExecutionEnvironment environment) =>
        environment.Generation != _generation
        && (environment.Generation != PublishedGeneration || PublishedLocked(environment) is null);

    /// <summary>Under the lock: the live version an environment runs, or null ($LATEST, or a deleted version).</summary>
    private PublishedVersion? PublishedLocked(ExecutionEnvironment environment) =>
        environment.Definition.IsPublished
        && _versions is not null
        && _versions.TryGetValue(int.Parse(environment.Definition.Version, CultureInfo.InvariantCulture), out PublishedVersion? version)
        && ReferenceEquals(version.Definition, environment.Definition)
            ? version
            : null;

    private Stack<ExecutionEnvironment> IdleStackLocked(ExecutionEnvironment environment) =>
        environment.Generation == PublishedGeneration && PublishedLocked(environment) is { } version ? version.Idle : _idle;

    private Stack<ExecutionEnvironment> ResetStackLocked(ExecutionEnvironment environment) =>
        environment.Generation == PublishedGeneration && PublishedLocked(environment) is { } version ? version.Reset : _reset;

    /// <summary>The first queued invocation still waiting (completed ones, cancelled, are dropped on the way), or null.</summary>
    private Waiter? PeekWaiterLocked()
    {
        while (_waiters.First is { } first)
        {
            if (!first.Value.Task.IsCompleted)
            {
                return first.Value;
            }

            _waiters.RemoveFirst();
        }

        return null;
    }

    /// <summary>As <see cref="PopIdleLocked"/>, for a published version's stacks.</summary>
    private ExecutionEnvironment? PopVersionIdleLocked(PublishedVersion version, ref List<ExecutionEnvironment>? retired)
    {
        while (version.Idle.TryPop(out ExecutionEnvironment? idle))
        {
            if (!idle.IsDead)
            {
                idle.LeaveIdle();
                return idle;
            }

            _all.Remove(idle);
            (retired ??= []).Add(idle);
        }

        while (version.Reset.TryPop(out ExecutionEnvironment? reset))
        {
            if (!reset.IsDead)
            {
                return reset;
            }

            _all.Remove(reset);
            (retired ??= []).Add(reset);
        }

        return null;
    }

    /// <summary>
    /// Under the lock: an idle environment of another version than <paramref name="version"/> (null: $LATEST) leaves
    /// the pool, its slots kept for the caller's new environment. Reset ones first, then the least recently used.
    /// </summary>
    private ExecutionEnvironment? TakeIdleOfOtherVersionLocked(PublishedVersion? version)
    {
        List<Stack<ExecutionEnvironment>> stacks = [];
        if (version is not null)
        {
            stacks.Add(_reset);
            stacks.Add(_idle);
        }

        foreach (PublishedVersion other in _versions!.Values)
        {
            if (other != version)
            {
                stacks.Add(other.Reset);
                stacks.Add(other.Idle);
            }
        }

        foreach (Stack<ExecutionEnvironment> stack in stacks)
        {
            if (TakeOldestLocked(stack) is { } taken)
            {
                return taken;
            }
        }

        return null;
    }

    /// <summary>Under the lock: the bottom (least recently used) environment of a stack leaves the pool.</summary>
    private ExecutionEnvironment? TakeOldestLocked(Stack<ExecutionEnvironment> stack)
    {
        if (stack.Count == 0)
        {
            return null;
        }

        ExecutionEnvironment[] all = [.. stack];
        stack.Clear();
        for (int i = all.Length - 2; i >= 0; i--)
        {
            stack.Push(all[i]);
        }

        _all.Remove(all[^1]);
        return all[^1];
    }

    /// <summary>Under the lock (<see cref="ConcurrencyChangedLocked"/>): versions' idle environments beyond the limit leave too.</summary>
    private void TrimVersionsLocked(List<ExecutionEnvironment> retired)
    {
        int excess = _all.Count - (_definition.ReservedConcurrency ?? int.MaxValue);
        foreach (PublishedVersion version in (IEnumerable<PublishedVersion>?)_versions?.Values ?? [])
        {
            foreach (Stack<ExecutionEnvironment> stack in (Stack<ExecutionEnvironment>[])[version.Reset, version.Idle])
            {
                while (excess > 0 && TakeOldestLocked(stack) is { } taken)
                {
                    excess--;
                    retired.Add(taken);
                }
            }
        }
    }

    /// <summary>Under the lock (<see cref="Delete"/>): every version's idle environments, and the stacks emptied.</summary>
    private void TakeAllVersionIdleLocked(List<ExecutionEnvironment> into)
    {
        foreach (PublishedVersion version in (IEnumerable<PublishedVersion>?)_versions?.Values ?? [])
        {
            into.AddRange(version.Idle);
            into.AddRange(version.Reset);
            version.Idle.Clear();
            version.Reset.Clear();
        }
    }

    /// <summary>Under the lock (<see cref="TryEvictIdle"/>): a version's reset environment, else (unless resetOnly) its least recently used.</summary>
    private ExecutionEnvironment? EvictVersionIdleLocked(bool resetOnly)
    {
        foreach (PublishedVersion version in _versions!.Values)
        {
            if (TakeOldestLocked(version.Reset) is { } reset)
            {
                return reset;
            }
        }

        if (resetOnly)
        {
            return null;
        }

        foreach (PublishedVersion version in _versions.Values)
        {
            if (TakeOldestLocked(version.Idle) is { } idle)
            {
                return idle;
            }
        }

        return null;
    }
}
