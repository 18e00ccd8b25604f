using Handshake.Lambda.Functions;
using Microsoft.Extensions.Logging;

namespace Handshake.Lambda;

/// <summary>Asynchronous (Event) invocations: queued, answered 202, retried on a function error, sent on to destinations.</summary>
public sealed partial class FunctionHost
{
    private static readonly TimeSpan MaxThrottleBackoff = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Records sent on along a chain of destinations before the chain is stopped: the bound Lambda's recursive loop
    /// detection applies to loops through queues and topics (about 16 invocations). Whether AWS stops a loop of
    /// function destinations is not documented; without a bound it would run until the host stops.
    /// </summary>
    internal const int MaxDestinationHops = 16;

    private long _destinationLoopsStopped;

    /// <summary>Records dropped because their chain of destinations reached <see cref="MaxDestinationHops"/>.</summary>
    internal long DestinationLoopsStopped => Interlocked.Read(ref _destinationLoopsStopped);

    /// <summary>
    /// Queues an Event invocation. A function error is retried up to the qualifier's MaximumRetryAttempts (default 2)
    /// after <see cref="FunctionHostOptions.EventRetryDelays"/>; throttles are retried with backoff from 1 s; an event
    /// older than MaximumEventAgeInSeconds (default 6 hours) is dropped. Every attempt keeps the request id, as on
    /// Lambda, and the outcome goes to the OnSuccess or OnFailure destination when one is configured. The invocation
    /// is in the state database when this returns (see FunctionHost.EventQueue.cs): it survives a restart.
    /// </summary>
    /// <exception cref="LambdaException">ResourceNotFoundException for an unknown function.</exception>
    public void InvokeEvent(string functionName, Invocation invocation)
    {
        CheckQualifier(functionName, invocation.Qualifier);
        StartDelivery(Enqueue(functionName, invocation));
    }

    private void StartDelivery(QueuedEvent queued)
    {
        Task delivery = DeliverEventAsync(queued);
        _eventInvocations[delivery] = 0;
        _ = delivery.ContinueWith(t => _eventInvocations.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>
    /// Runs the invocation until it finishes, then removes it from the queue. A stop of the host leaves it queued as
    /// it was last saved: a retry's wait or a throttle is resumed at the next start, and an attempt in flight (its
    /// outcome unknown, or a failure caused by the stop) is not counted and is made again.
    /// </summary>
    private async Task DeliverEventAsync(QueuedEvent queued)
    {
        await Task.Yield();
        string functionName = queued.FunctionName;
        TimeSpan throttleBackoff = TimeSpan.FromSeconds(1);
        // The token taken at construction: this may start after DisposeAsync has disposed _stopping (a destination
        // record queued by a delivery that finished during the stop), when reading _stopping.Token would throw.
        CancellationToken stopping = _stoppingToken;
        if (queued.RetryAt is { } due && due - Options.Clock.GetUtcNow() is { Ticks: > 0 } rest)
        {
            // Restored while a retry waited: the rest of its delay, not a new one.
            await DelayAsync(rest, stopping).ConfigureAwait(false);
        }

        while (!stopping.IsCancellationRequested)
        {
            // Read at each attempt: Lambda applies a changed configuration to events already queued.
            EventInvokeConfig? config = EventInvokeConfigFor(functionName, queued.Qualifier);
            int maxAge = config?.MaximumEventAgeInSeconds ?? EventInvokeConfig.DefaultMaximumEventAgeInSeconds;
            if (Options.Clock.GetUtcNow() - queued.Accepted > TimeSpan.FromSeconds(maxAge))
            {
                LogEventDropped(_logger, functionName, queued.RequestId, $"older than {maxAge} s after {queued.Attempts} attempts");
                Dequeue(queued, DestinationRecord(queued, config?.OnFailure, InvocationRecord.EventAgeExceeded));
                return;
            }

            InvocationResult last;
            try
            {
                last = await InvokeAsync(functionName, queued.NextAttempt(), stopping).ConfigureAwait(false);
            }
            catch (LambdaException e) when (e.StatusCode == 429)
            {
                await DelayAsync(throttleBackoff, stopping).ConfigureAwait(false);
                throttleBackoff = TimeSpan.FromTicks(Math.Min(throttleBackoff.Ticks * 2, MaxThrottleBackoff.Ticks));
                continue;
            }
            catch (LambdaException e) when (!stopping.IsCancellationRequested)
            {
                LogEventDropped(_logger, functionName, queued.RequestId, e.Message);
                Dequeue(queued, null);
                return;
            }
            catch (Exception e) when (e is OperationCanceledException or LambdaException)
            {
                return;
            }

            config = EventInvokeConfigFor(functionName, queued.Qualifier);
            if (last.FunctionError is null)
            {
                queued.Attempts++;
                queued.Last = last;
                Dequeue(queued, DestinationRecord(queued, config?.OnSuccess, InvocationRecord.Success));
                return;
            }

            if (stopping.IsCancellationRequested)
            {
                // The host is stopping: the error may be the stop's own (its environment shut down under it).
                return;
            }

            queued.Attempts++;
            queued.Last = last;
            int retries = config?.MaximumRetryAttempts ?? EventInvokeConfig.DefaultRetryAttempts;
            if (queued.Attempts > retries)
            {
                LogEventDropped(_logger, functionName, queued.RequestId, $"{last.ErrorType} after {queued.Attempts} attempts");
                Dequeue(queued, DestinationRecord(queued, config?.OnFailure, InvocationRecord.RetriesExhausted));
                return;
            }

            IReadOnlyList<TimeSpan> delays = Options.EventRetryDelays;
            TimeSpan delay = delays.Count == 0 ? TimeSpan.Zero : delays[Math.Min(queued.Attempts - 1, delays.Count - 1)];
            queued.RetryAt = Options.Clock.GetUtcNow() + delay;
            SaveRetry(queued);
            await DelayAsync(delay, stopping).ConfigureAwait(false);
            queued.RetryAt = null;
        }
    }

    /// <summary>
    /// The invocation record for a function destination, as an Event invocation of its own (a new request id), as
    /// Lambda sends it; null when there is no destination or the record is dropped (with a warning): a destination
    /// deleted since it was configured, a record too large, a loop of destinations.
    /// </summary>
    private QueuedEvent? DestinationRecord(QueuedEvent queued, string? destination, string condition)
    {
        if (destination is null || !FunctionName.TryParse(destination, out string target, out string? qualifier))
        {
            return null;
        }

        if (queued.DestinationHops >= MaxDestinationHops)
        {
            Interlocked.Increment(ref _destinationLoopsStopped);
            LogEventDropped(_logger, target, queued.RequestId, $"its {condition} record: {MaxDestinationHops} destinations in a row (a loop?)");
            return null;
        }

        string invokedArn = Arn(queued.FunctionName) + ":" + (queued.Qualifier ?? FunctionDefinition.LatestVersion);
        byte[] record = InvocationRecord.Build(Options.Clock.GetUtcNow(), queued.RequestId, invokedArn, condition, queued.Attempts, queued.Payload, queued.Last);
        if (record.Length > InvokeApi.Invoke.MaxAsyncPayloadBytes)
        {
            // A record is an Event invocation of the destination, held to the same limit as any other.
            LogEventDropped(_logger, target, queued.RequestId, $"its {condition} record: {record.Length} bytes, above the Event limit of {InvokeApi.Invoke.MaxAsyncPayloadBytes}");
            return null;
        }

        try
        {
            CheckQualifier(target, qualifier);
        }
        catch (LambdaException e)
        {
            LogEventDropped(_logger, target, queued.RequestId, $"its {condition} record: {e.Message}");
            return null;
        }

        Invocation invocation = new(Guid.NewGuid().ToString(), record) { Qualifier = qualifier, DestinationHops = queued.DestinationHops + 1 };
        return new QueuedEvent(Guid.CreateVersion7().ToString("N"), target, invocation, Options.Clock.GetUtcNow());
    }

    private async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, Options.Clock, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event invocation {RequestId} of {FunctionName} dropped: {Reason}")]
    private static partial void LogEventDropped(ILogger logger, string functionName, string requestId, string reason);
}
