using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Environments;

/// <summary>
/// One function's execution environments. An invocation takes the most recently used idle environment (it is the
/// warmest), or starts a new one while the function's reserved concurrency and the account limit allow; otherwise it
/// waits in a FIFO queue (up to MaxQueuedInvocationsPerFunction) or is throttled with 429. An invocation made by an
/// execution environment (a function invoking another) is throttled rather than queued.
/// An environment whose invocation timed out or crashed is reset, as Lambda resets it: its process group is killed, and
/// it keeps its identity (id, log stream, credentials) and its concurrency slot, with no process, until an invocation
/// comes for it and re-runs init within that invocation, under the function's timeout (see <see cref="_reset"/>).
/// </summary>
internal sealed partial class EnvironmentPool
{
    private readonly FunctionHost _host;
    private readonly Lock _gate = new();

    /// <summary>
    /// Orders the control-plane changes (write the document, then change memory) without holding <see cref="_gate"/>
    /// during the write: see EnvironmentPool.SavedState.cs. Taken before <see cref="_gate"/>, never while holding it.
    /// </summary>
    private readonly Lock _control = new();
    private readonly Stack<ExecutionEnvironment> _idle = new();

    /// <summary>
    /// Reset environments: no process, a slot each. An invocation takes one only when no warm environment is idle (a
    /// re-init costs it time), and before it would start a new environment. They are the first given up for another
    /// function and are reaped after the idle timeout like idle ones. Never taken by <see cref="TryAcquireIdle"/>: a
    /// re-init starts a process, which a caller that must not block (the store's event loop) leaves to the thread pool.
    /// </summary>
    private readonly Stack<ExecutionEnvironment> _reset = new();
    private readonly HashSet<ExecutionEnvironment> _all = [];
    private readonly LinkedList<Waiter> _waiters = new();
    private FunctionDefinition _definition;
    private int _generation;
    private bool _deleted;

    public EnvironmentPool(FunctionHost host, FunctionDefinition definition)
    {
        _host = host;
        _definition = definition;
    }

    public FunctionDefinition Definition
    {
        get
        {
            lock (_gate)
            {
                return _definition;
            }
        }
    }

    /// <summary>The most environments this function has had at once.</summary>
    public int PeakEnvironmentCount { get; private set; }

    public int EnvironmentCount
    {
        get
        {
            lock (_gate)
            {
                return _all.Count;
            }
        }
    }

    public int WaiterCount
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count;
            }
        }
    }

    public List<ExecutionEnvironment> Snapshot()
    {
        lock (_gate)
        {
            return [.. _all];
        }
    }

    /// <summary>
    /// New code or configuration: running environments finish their invocation, then are replaced. A new reserved
    /// concurrency alone keeps the environments, but never more of them than the new limit (see <see cref="ConcurrencyChangedLocked"/>).
    /// With <paramref name="publish"/> (UpdateFunctionCode's Publish=true), a version of the new $LATEST is published
    /// in the same write: a failed write leaves neither the change nor the version.
    /// </summary>
    /// <returns>$LATEST's configuration; with <paramref name="publish"/>, the version's.</returns>
    public FunctionDefinition Update(Func<FunctionDefinition, FunctionDefinition> change, bool publish = false)
    {
        List<ExecutionEnvironment> retired;
        List<Waiter>? throttled = null;
        FunctionDefinition answer;
        lock (_control)
        {
            FunctionDefinition current = _definition;
            FunctionDefinition updated = change(current);
            if (ReferenceEquals(updated, current))
            {
                return publish ? PublishUnchanged(current) : current;
            }

            FunctionDefinition? version = publish ? NewVersion(updated, description: null) : null;
            if (SavesConfiguration || version is not null)
            {
                string? configuration = SavesConfiguration ? Persistence.FunctionDocuments.WriteFunction(_host, updated) : null;
                Save(batch =>
                {
                    if (configuration is not null)
                    {
                        batch.Put(Persistence.FunctionDocuments.Kind, DocumentKey(Persistence.FunctionDocuments.Configuration), configuration);
                    }

                    if (version is not null)
                    {
                        PutVersionDocuments(batch, version, updated.RevisionId);
                    }
                });
            }

            lock (_gate)
            {
                if (OnlyConcurrencyChanged(_definition, updated))
                {
                    _definition = updated;
                    retired = ConcurrencyChangedLocked(out throttled);
                }
                else
                {
                    _definition = updated;
                    _generation++;
                    retired = RemoveIdle();
                }

                if (version is not null)
                {
                    AddVersionLocked(version, updated.RevisionId);
                }
            }

            answer = version ?? updated;
        }

        foreach (Waiter waiter in throttled ?? [])
        {
            LambdaMetrics.Throttled(_definition.Name);
            waiter.TrySetException(LambdaException.Throttled(LambdaException.ReservedConcurrencyReason));
        }

        Retire(retired);
        // A raised limit may let queued invocations start now.
        ServeWaiters();
        return answer;
    }

    /// <summary>Under <see cref="_control"/>: Publish=true on an update that changed nothing publishes as PublishVersion would.</summary>
    private FunctionDefinition PublishUnchanged(FunctionDefinition latest)
    {
        if (UnchangedSinceLastVersion(latest) is { } last)
        {
            return last;
        }

        FunctionDefinition version = NewVersion(latest, description: null);
        Save(batch => PutVersionDocuments(batch, version, latest.RevisionId));
        lock (_gate)
        {
            AddVersionLocked(version, latest.RevisionId);
        }

        return version;
    }

    /// <summary>
    /// Under the lock, after a new reserved concurrency: Lambda limits concurrent invocations to it at once, so idle
    /// environments beyond it leave now (the least recently used first) and busy ones leave when their invocation ends
    /// (<see cref="Release"/>). The pool then never holds more environments than the limit, and an idle one can always be
    /// taken without counting busy ones: the warm path stays a pop. With 0, queued invocations are throttled, as every
    /// later one is.
    /// </summary>
    private List<ExecutionEnvironment> ConcurrencyChangedLocked(out List<Waiter>? throttled)
    {
        throttled = null;
        int reserved = _definition.ReservedConcurrency ?? int.MaxValue;
        if (reserved == 0 && _waiters.Count > 0)
        {
            throttled = [.. _waiters];
            _waiters.Clear();
        }

        List<ExecutionEnvironment> retired = [];
        if (_all.Count <= reserved)
        {
            return retired;
        }

        int excess = _all.Count - reserved;
        // Reset environments first: they have no process to keep warm.
        while (excess > 0 && _reset.TryPop(out ExecutionEnvironment? reset))
        {
            excess--;
            retired.Add(reset);
            _all.Remove(reset);
        }

        // Stack enumeration is most recent first: keep the warmest, push back oldest first to keep the order.
        ExecutionEnvironment[] idle = [.. _idle];
        _idle.Clear();
        for (int i = idle.Length - 1; i >= 0; i--)
        {
            if (excess > 0)
            {
                excess--;
                retired.Add(idle[i]);
                _all.Remove(idle[i]);
            }
            else
            {
                _idle.Push(idle[i]);
            }
        }

        TrimVersionsLocked(retired);
        return retired;
    }

    /// <exception cref="LambdaException">ResourceNotFoundException when it was deleted already; ServiceException when the delete cannot be saved.</exception>
    public void Delete()
    {
        List<ExecutionEnvironment> all;
        List<ExecutionEnvironment> idle;
        List<Waiter> waiters;
        lock (_control)
        {
            // Every document of the function goes in one write; Save refuses a function already deleted.
            Save(batch => batch.DeletePrefix(Persistence.FunctionDocuments.Kind, Persistence.FunctionDocuments.Prefix(_definition.Name)));
            lock (_gate)
            {
                _deleted = true;
                all = [.. _all];
                idle = [.. _idle, .. _reset];
                TakeAllVersionIdleLocked(idle);
                waiters = [.. _waiters];
                _waiters.Clear();
                _idle.Clear();
                _reset.Clear();
                // Idle environments give their account slots back now; busy ones do when their invocation ends (Release).
                foreach (ExecutionEnvironment environment in idle)
                {
                    _all.Remove(environment);
                }
            }
        }

        foreach (ExecutionEnvironment _ in idle)
        {
            _host.ReturnAccountSlot();
        }

        foreach (Waiter waiter in waiters)
        {
            waiter.TrySetException(LambdaException.FunctionNotFound(_host.Arn(_definition.Name)));
        }

        foreach (ExecutionEnvironment environment in all)
        {
            _ = environment.ShutdownAsync();
        }
    }

    /// <param name="version">A published version, or null for $LATEST.</param>
    public async Task<InvocationResult> InvokeAsync(Invocation invocation, PublishedVersion? version, CancellationToken cancellationToken)
    {
        ExecutionEnvironment environment = await AcquireAsync(invocation, version, cancellationToken).ConfigureAwait(false);
        return await InvokeOnAsync(environment, invocation).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes an idle environment for an invocation (<see cref="InvokeOnAsync"/>), or returns null when none is idle:
    /// never starts one, never waits. A caller that must not block (the store's event loop) invokes warm this way.
    /// </summary>
    public ExecutionEnvironment? TryAcquireIdle()
    {
        List<ExecutionEnvironment>? retired = null;
        ExecutionEnvironment? taken;
        lock (_gate)
        {
            taken = _deleted ? null : PopIdleLocked(ref retired, includeReset: false);
        }

        if (retired is not null)
        {
            Retire(retired);
        }

        return taken;
    }

    /// <summary>
    /// Under the lock: the most recently frozen environment that can still serve, or null. Dead or outdated ones found
    /// on the way leave the pool into <paramref name="retired"/>, for <see cref="Retire"/> once the lock is released:
    /// each still holds an account slot until then.
    /// </summary>
    private ExecutionEnvironment? PopIdleLocked(ref List<ExecutionEnvironment>? retired, bool includeReset = true)
    {
        while (_idle.TryPop(out ExecutionEnvironment? idle))
        {
            if (!idle.IsDead && idle.Generation == _generation)
            {
                idle.LeaveIdle();
                return idle;
            }

            _all.Remove(idle);
            (retired ??= []).Add(idle);
        }

        // No warm environment: a reset one re-runs init within the invocation, in its own slot (before a new one is started).
        while (includeReset && _reset.TryPop(out ExecutionEnvironment? reset))
        {
            if (!reset.IsDead && reset.Generation == _generation)
            {
                return reset;
            }

            _all.Remove(reset);
            (retired ??= []).Add(reset);
        }

        return null;
    }

    /// <summary>Runs the invocation on an environment taken by <see cref="AcquireAsync"/> or <see cref="TryAcquireIdle"/>, and gives it back.</summary>
    public async Task<InvocationResult> InvokeOnAsync(ExecutionEnvironment environment, Invocation invocation)
    {
        InvocationResult? result = null;
        try
        {
            result = await environment.InvokeAsync(invocation).ConfigureAwait(false);
            if (result.RetryInit && SucceedForSuppressedInit(environment) is { } retry)
            {
                environment = retry;
                result = null;
                result = await retry.InvokeAsync(invocation).ConfigureAwait(false);
            }

            return result;
        }
        finally
        {
            Release(environment, result is null || result.ResetEnvironment);
        }
    }

    /// <summary>
    /// Init failed in the Init phase: Lambda retries it once within the invocation, under the function's timeout. The
    /// retry is the same environment reset (a fresh process, see <see cref="SucceedLocked"/>). Null when the function
    /// is gone; the failed init then answers.
    /// </summary>
    private ExecutionEnvironment? SucceedForSuppressedInit(ExecutionEnvironment failed)
    {
        lock (_gate)
        {
            // The invocation began on the failed environment's definition; an outdated one is retired at Release.
            return _deleted ? null : SucceedLocked(failed, failed.Definition);
        }
    }

    /// <summary>
    /// Under the lock: the environment reset, in its place (its account slot stays taken). The successor has the same
    /// id, log stream and credentials, no process yet, and re-runs init within the invocation it is given (a
    /// suppressed init). Null when the environment had already left the pool.
    /// </summary>
    private ExecutionEnvironment? SucceedLocked(ExecutionEnvironment environment, Functions.FunctionDefinition definition)
    {
        if (!_all.Remove(environment))
        {
            return null;
        }

        ExecutionEnvironment successor = new(_host, definition, environment.Generation, predecessor: environment);
        _all.Add(successor);
        return successor;
    }

    /// <summary>Shuts down environments idle since before <paramref name="cutoff"/>.</summary>
    public void ReapIdle(DateTimeOffset cutoff)
    {
        List<ExecutionEnvironment> reaped = [];
        lock (_gate)
        {
            ReapLocked(_idle, cutoff, reaped);
            ReapLocked(_reset, cutoff, reaped);
            foreach (PublishedVersion version in (IEnumerable<PublishedVersion>?)_versions?.Values ?? [])
            {
                ReapLocked(version.Idle, cutoff, reaped);
                ReapLocked(version.Reset, cutoff, reaped);
            }
        }

        Retire(reaped);
    }

    /// <summary>Under the lock: moves the environments of <paramref name="stack"/> last used before the cutoff to <paramref name="reaped"/>.</summary>
    private void ReapLocked(Stack<ExecutionEnvironment> stack, DateTimeOffset cutoff, List<ExecutionEnvironment> reaped)
    {
        if (stack.Count == 0)
        {
            return;
        }

        ExecutionEnvironment[] environments = [.. stack];
        stack.Clear();
        // Stack enumeration is most recent first; push back oldest first to keep the order.
        for (int i = environments.Length - 1; i >= 0; i--)
        {
            if (environments[i].LastUsed < cutoff)
            {
                reaped.Add(environments[i]);
                _all.Remove(environments[i]);
            }
            else
            {
                stack.Push(environments[i]);
            }
        }
    }

    /// <summary>
    /// Gives up one idle environment so that another function can use the account's capacity: a reset one first (only
    /// those with <paramref name="resetOnly"/>), then the least recently used.
    /// </summary>
    public bool TryEvictIdle(bool resetOnly = false)
    {
        ExecutionEnvironment? evicted = null;
        lock (_gate)
        {
            if (_reset.TryPop(out ExecutionEnvironment? reset))
            {
                // A reset environment first: it has no process, and would cost a re-init anyway.
                evicted = reset;
                _all.Remove(evicted);
            }
            else if (!resetOnly && _idle.Count > 0)
            {
                // The least recently used: the bottom of the stack.
                ExecutionEnvironment[] idle = [.. _idle];
                evicted = idle[^1];
                _idle.Clear();
                for (int i = idle.Length - 2; i >= 0; i--)
                {
                    _idle.Push(idle[i]);
                }

                _all.Remove(evicted);
            }
            else if (_versions is not null)
            {
                evicted = EvictVersionIdleLocked(resetOnly);
            }
        }

        if (evicted is null)
        {
            return false;
        }

        Retire([evicted]);
        return true;
    }

    /// <summary>Account capacity was freed elsewhere: start environments for queued invocations.</summary>
    public void ServeWaiters()
    {
        List<(Waiter, ExecutionEnvironment)> handed = [];
        lock (_gate)
        {
            while (_waiters.Count > 0 && !_deleted && _all.Count < (_definition.ReservedConcurrency ?? int.MaxValue) && _host.TryTakeAccountSlot())
            {
                if (DequeueWaiterLocked() is not { } waiter)
                {
                    _host.ReturnAccountSlot();
                    break;
                }

                handed.Add((waiter, CreateLocked(waiter.Version)));
            }
        }

        foreach ((Waiter waiter, ExecutionEnvironment environment) in handed)
        {
            if (!waiter.TrySetResult(environment))
            {
                Release(environment, reset: false);
            }
        }
    }

    /// <summary>
    /// An environment for the invocation: an idle one, a new one, or (for an outside caller) one handed over from the
    /// queue. An invocation made by an execution environment is never queued: it is throttled instead, as Lambda
    /// throttles every synchronous invocation beyond the limits (see <see cref="Invocation.Authorization"/>).
    /// </summary>
    private async Task<ExecutionEnvironment> AcquireAsync(Invocation invocation, PublishedVersion? version, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            string reason;
            Waiter waiter;
            List<ExecutionEnvironment>? retired = null;
            ExecutionEnvironment? handedOver = null;
            try
            {
                lock (_gate)
                {
                    if (_deleted)
                    {
                        throw LambdaException.FunctionNotFound(_host.Arn(_definition.Name));
                    }

                    if ((version is null ? PopIdleLocked(ref retired) : PopVersionIdleLocked(version, ref retired)) is { } idle)
                    {
                        return idle;
                    }

                    int reserved = _definition.ReservedConcurrency ?? int.MaxValue;
                    if (reserved == 0)
                    {
                        LambdaMetrics.Throttled(_definition.Name);
                        throw LambdaException.Throttled(LambdaException.ReservedConcurrencyReason);
                    }

                    if (_all.Count < reserved)
                    {
                        if (_host.TryTakeAccountSlot())
                        {
                            return CreateLocked(version);
                        }

                        reason = LambdaException.AccountConcurrencyReason;
                    }
                    else
                    {
                        reason = LambdaException.ReservedConcurrencyReason;
                    }

                    // Versions share the function's reserved concurrency (and the account's): an idle environment of
                    // another version gives its slots to this invocation's version, as Lambda's would.
                    if (_versions is not null && TakeIdleOfOtherVersionLocked(version) is { } other)
                    {
                        handedOver = other;
                        return CreateLocked(version);
                    }

                    if (reason == LambdaException.AccountConcurrencyReason && attempt == 0)
                    {
                        waiter = null!;
                    }
                    else if (_waiters.Count >= _host.Options.MaxQueuedInvocationsPerFunction || _host.IsEnvironmentCaller(invocation))
                    {
                        // A function that invokes another holds its own slot while it waits: queued, callers holding
                        // every slot would wait for each other until they time out. Lambda throttles them at once, and
                        // their SDK retries with backoff.
                        LambdaMetrics.Throttled(_definition.Name);
                        throw LambdaException.Throttled(reason);
                    }
                    else
                    {
                        // Completed outside the lock, by the invocation that frees an environment: the queued invocation
                        // then starts on that thread, before the runtime's next `next` arrives (no hop, no freeze).
                        waiter = new(_host.NextWaiterTicket(), version);
                        _waiters.AddLast(waiter);
                    }
                }
            }
            finally
            {
                // However the lock was left (an environment taken or created, a throttle), the dead ones found go now.
                if (retired is not null)
                {
                    Retire(retired);
                }

                // Its slots went to the new environment: shut down without returning them.
                _ = handedOver?.ShutdownAsync();
            }

            if (waiter is null)
            {
                // The account is full: take an idle environment from another function, then try once more.
                _host.TryEvictIdleElsewhere(this);
                continue;
            }

            if (reason == LambdaException.AccountConcurrencyReason)
            {
                // An environment of another function that went idle after the first attempt's eviction, but before this
                // waiter was queued, found no waiter to make room for, and would hold its account slot until it is
                // reaped: evict it now. Its slot goes to the queued waiters (OnCapacityAvailable).
                _host.TryEvictIdleElsewhere(this);
            }

            try
            {
                return await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    _waiters.Remove(waiter);
                }

                // It may have been handed an environment just before the cancellation: give it back.
                if (waiter.Task.IsCompletedSuccessfully)
                {
                    Release(waiter.Task.Result, reset: false);
                }

                throw;
            }
        }
    }

    private void Release(ExecutionEnvironment environment, bool reset)
    {
        List<(Waiter, ExecutionEnvironment)> handed = [];
        bool slotFreed = false;
        bool wentIdle = false;
        // Asked before taking the lock (it takes the other pools' locks). _waiters.Count and _all.Count are read without
        // the lock: a stale answer only skips or makes one needless look at the other functions, or moves one slot more or
        // one less (two environments released at once may both see the other function without one).
        long olderElsewhere = _waiters.Count > 0 ? _host.OldestAccountWaiterElsewhere(this, _all.Count) : long.MaxValue;
        bool yieldSlot;
        lock (_gate)
        {
            // The account is full and another function with fewer environments has waited longer for a slot than this
            // one's queue: the slot goes to it (see Waiter).
            yieldSlot = olderElsewhere < (_waiters.First?.Value.Ticket ?? long.MaxValue)
                && _host.AccountEnvironmentCount >= _host.Options.AccountConcurrencyLimit;
            // Beyond a reserved concurrency lowered while it ran, the environment leaves instead of serving again. So
            // does one whose version the next queued invocation does not ask for: its slot goes to that version.
            bool leaves = yieldSlot || IsOutdatedLocked(environment) || _deleted || _all.Count > (_definition.ReservedConcurrency ?? int.MaxValue) || _host.IsStopping
                || (_versions is not null && PeekWaiterLocked() is { } first && !first.Serves(environment));
            // A timeout or a crash resets the environment, as on Lambda: it stays, with its slot, and re-runs init within
            // the next invocation that comes for it (its killed process is shut down by the successor's start).
            ExecutionEnvironment? successor = reset && !leaves
                ? SucceedLocked(environment, environment.Definition.IsPublished ? environment.Definition : _definition)
                : null;
            if (successor is not null)
            {
                _ = environment.ShutdownAsync();
                if (DequeueWaiterLocked() is { } next)
                {
                    handed.Add((next, successor));
                }
                else
                {
                    successor.LastUsed = _host.Options.Clock.GetUtcNow();
                    ResetStackLocked(successor).Push(successor);
                    wentIdle = true;
                }
            }
            else if (reset || leaves || environment.IsDead)
            {
                if (_all.Remove(environment))
                {
                    _host.ReturnAccountSlot();
                    slotFreed = true;
                }

                _ = environment.ShutdownAsync();
                // A waiter gets a fresh environment in its place, unless an older waiter of another function is owed it.
                while (!yieldSlot && _waiters.Count > 0 && !_deleted && _all.Count < (_definition.ReservedConcurrency ?? int.MaxValue) && _host.TryTakeAccountSlot())
                {
                    if (DequeueWaiterLocked() is not { } waiter)
                    {
                        _host.ReturnAccountSlot();
                        break;
                    }

                    handed.Add((waiter, CreateLocked(waiter.Version)));
                    slotFreed = false;
                }
            }
            else if (DequeueWaiterLocked() is { } waiter)
            {
                handed.Add((waiter, environment));
            }
            else
            {
                environment.LastUsed = _host.Options.Clock.GetUtcNow();
                // SuppressedInit (a plain field) first: releasing an environment that was never reset takes no environment lock.
                if (environment.SuppressedInit && environment.AwaitsReinit)
                {
                    // A reset environment handed to a waiter that had gone (cancelled): still reset, still no process.
                    ResetStackLocked(environment).Push(environment);
                }
                else
                {
                    IdleStackLocked(environment).Push(environment);
                    environment.EnterIdle();
                }

                wentIdle = true;
            }
        }

        foreach ((Waiter waiter, ExecutionEnvironment handedEnvironment) in handed)
        {
            if (!waiter.TrySetResult(handedEnvironment))
            {
                Release(handedEnvironment, reset: false);
            }
        }

        if (slotFreed || wentIdle)
        {
            _host.OnCapacityAvailable(this);
        }

        if (yieldSlot && slotFreed)
        {
            // The older waiter may have been served (or cancelled) meanwhile: then the slot is this function's again.
            ServeWaiters();
        }
    }

    /// <summary>
    /// The ticket of the oldest queued invocation that waits only for the account's capacity (the function is below its
    /// reserved concurrency), or long.MaxValue. Only a function that would be owed a slot by one with
    /// <paramref name="releasingCount"/> environments counts: it has none, or at least two fewer. A slot moved between
    /// functions costs a cold start, so slots move towards an even share and stop there (two functions kept busy
    /// settle at half the account each), instead of changing hands at every invocation.
    /// </summary>
    public long OldestAccountWaiterTicket(int releasingCount)
    {
        lock (_gate)
        {
            return _deleted || _waiters.First is not { } first || _all.Count >= (_definition.ReservedConcurrency ?? int.MaxValue)
                || (_all.Count > 0 && _all.Count >= releasingCount - 1)
                ? long.MaxValue
                : first.Value.Ticket;
        }
    }

    /// <summary>Environments freed by the pool itself (reaped, evicted, outdated) are shut down and their slots returned.</summary>
    private void Retire(List<ExecutionEnvironment> environments)
    {
        foreach (ExecutionEnvironment environment in environments)
        {
            _host.ReturnAccountSlot();
            _ = environment.ShutdownAsync();
        }

        if (environments.Count > 0)
        {
            _host.OnCapacityAvailable(this);
        }
    }

    private List<ExecutionEnvironment> RemoveIdle()
    {
        List<ExecutionEnvironment> removed = [.. _idle, .. _reset];
        _idle.Clear();
        _reset.Clear();
        foreach (ExecutionEnvironment environment in removed)
        {
            _all.Remove(environment);
        }

        return removed;
    }

    /// <param name="version">A published version, or null for $LATEST.</param>
    private ExecutionEnvironment CreateLocked(PublishedVersion? version = null)
    {
        ExecutionEnvironment created = version is null ? new(_host, _definition, _generation) : new(_host, version.Definition, PublishedGeneration);
        _all.Add(created);
        PeakEnvironmentCount = Math.Max(PeakEnvironmentCount, _all.Count);
        return created;
    }

    private Waiter? DequeueWaiterLocked()
    {
        while (_waiters.First is { } first)
        {
            _waiters.RemoveFirst();
            if (!first.Value.Task.IsCompleted)
            {
                return first.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// A queued invocation. The ticket orders waiters across functions: when the account is full, a released
    /// environment goes to its own function's queue only if no other function has waited longer for a slot. Without
    /// that, a function kept busy (its queue never empty) would keep every slot, and another function's invocations
    /// would wait until the load stopped.
    /// </summary>
    private sealed class Waiter(long ticket, PublishedVersion? version) : TaskCompletionSource<ExecutionEnvironment>
    {
        public long Ticket { get; } = ticket;

        /// <summary>The published version the invocation asks for; null for $LATEST.</summary>
        public PublishedVersion? Version { get; } = version;

        public bool Serves(ExecutionEnvironment environment) => Version is null
            ? !environment.Definition.IsPublished
            : ReferenceEquals(Version.Definition, environment.Definition);
    }

    private static bool OnlyConcurrencyChanged(FunctionDefinition before, FunctionDefinition after) =>
        before with { ReservedConcurrency = after.ReservedConcurrency, RevisionId = after.RevisionId, LastModified = after.LastModified } == after;
}
