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
    /// Lambda, and the outcome goes to the OnSuccess or OnFailure destination when one is configured.
    /// </summary>
    /// <exception cref="LambdaException">ResourceNotFoundException for an unknown function.</exception>
    public void InvokeEvent(string functionName, Invocation invocation)
    {
        CheckQualifier(functionName, invocation.Qualifier);
        Task delivery = DeliverEventAsync(functionName, invocation, Options.Clock.GetUtcNow());
        _eventInvocations[delivery] = 0;
        _ = delivery.ContinueWith(t => _eventInvocations.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task DeliverEventAsync(string functionName, Invocation first, DateTimeOffset received)
    {
        await Task.Yield();
        int attempts = 0;
        InvocationResult? last = null;
        TimeSpan throttleBackoff = TimeSpan.FromSeconds(1);
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            // Read at each attempt: Lambda applies a changed configuration to events already queued.
            EventInvokeConfig? config = EventInvokeConfigFor(functionName, first.Qualifier);
            int maxAge = config?.MaximumEventAgeInSeconds ?? EventInvokeConfig.DefaultMaximumEventAgeInSeconds;
            if (Options.Clock.GetUtcNow() - received > TimeSpan.FromSeconds(maxAge))
            {
                LogEventDropped(_logger, functionName, first.RequestId, $"older than {maxAge} s after {attempts} attempts");
                SendToDestination(functionName, first, config?.OnFailure, InvocationRecord.EventAgeExceeded, attempts, last);
                return;
            }

            Invocation attempt = new(first.RequestId, first.Payload) { TraceId = first.TraceId, Qualifier = first.Qualifier };
            try
            {
                last = await InvokeAsync(functionName, attempt, stopping).ConfigureAwait(false);
            }
            catch (LambdaException e) when (e.StatusCode == 429)
            {
                await DelayAsync(throttleBackoff, stopping).ConfigureAwait(false);
                throttleBackoff = TimeSpan.FromTicks(Math.Min(throttleBackoff.Ticks * 2, MaxThrottleBackoff.Ticks));
                continue;
            }
            catch (LambdaException e)
            {
                LogEventDropped(_logger, functionName, first.RequestId, e.Message);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            attempts++;
            config = EventInvokeConfigFor(functionName, first.Qualifier);
            if (last.FunctionError is null)
            {
                SendToDestination(functionName, first, config?.OnSuccess, InvocationRecord.Success, attempts, last);
                return;
            }

            int retries = config?.MaximumRetryAttempts ?? EventInvokeConfig.DefaultRetryAttempts;
            if (attempts > retries)
            {
                LogEventDropped(_logger, functionName, first.RequestId, $"{last.ErrorType} after {attempts} attempts");
                SendToDestination(functionName, first, config?.OnFailure, InvocationRecord.RetriesExhausted, attempts, last);
                return;
            }

            IReadOnlyList<TimeSpan> delays = Options.EventRetryDelays;
            await DelayAsync(delays.Count == 0 ? TimeSpan.Zero : delays[Math.Min(attempts - 1, delays.Count - 1)], stopping).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends the invocation record to a function destination as an Event invocation of its own (a new request id), as
    /// Lambda does. A destination deleted since it was configured drops the record, with a warning.
    /// </summary>
    private void SendToDestination(string functionName, Invocation invocation, string? destination, string condition, int attempts, InvocationResult? last)
    {
        if (destination is null || !FunctionName.TryParse(destination, out string target, out string? qualifier))
        {
            return;
        }

        if (invocation.DestinationHops >= MaxDestinationHops)
        {
            Interlocked.Increment(ref _destinationLoopsStopped);
            LogEventDropped(_logger, target, invocation.RequestId, $"its {condition} record: {MaxDestinationHops} destinations in a row (a loop?)");
            return;
        }

        string invokedArn = Arn(functionName) + ":" + (invocation.Qualifier ?? FunctionDefinition.LatestVersion);
        byte[] record = InvocationRecord.Build(Options.Clock.GetUtcNow(), invocation.RequestId, invokedArn, condition, attempts, invocation.Payload, last);
        if (record.Length > InvokeApi.Invoke.MaxAsyncPayloadBytes)
        {
            // A record is an Event invocation of the destination, held to the same limit as any other.
            LogEventDropped(_logger, target, invocation.RequestId, $"its {condition} record: {record.Length} bytes, above the Event limit of {InvokeApi.Invoke.MaxAsyncPayloadBytes}");
            return;
        }

        try
        {
            InvokeEvent(target, new Invocation(Guid.NewGuid().ToString(), record) { Qualifier = qualifier, DestinationHops = invocation.DestinationHops + 1 });
        }
        catch (LambdaException e)
        {
            LogEventDropped(_logger, target, invocation.RequestId, $"its {condition} record: {e.Message}");
        }
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
