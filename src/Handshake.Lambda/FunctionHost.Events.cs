using Microsoft.Extensions.Logging;

namespace Handshake.Lambda;

/// <summary>Asynchronous (Event) invocations: queued, answered 202, retried twice on a function error.</summary>
public sealed partial class FunctionHost
{
    private static readonly TimeSpan MaxThrottleBackoff = TimeSpan.FromMinutes(5);

    /// <summary>Queues an Event invocation. Function errors are retried twice after <see cref="FunctionHostOptions.EventRetryDelays"/>;
    /// throttles are retried with backoff from 1 s; every attempt keeps the request id, as on Lambda.</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException for an unknown function.</exception>
    public void InvokeEvent(string functionName, Invocation invocation)
    {
        CheckQualifier(functionName, invocation.Qualifier);
        Task delivery = DeliverEventAsync(functionName, invocation);
        _eventInvocations[delivery] = 0;
        _ = delivery.ContinueWith(t => _eventInvocations.TryRemove(t, out _), TaskScheduler.Default);
    }

    private async Task DeliverEventAsync(string functionName, Invocation first)
    {
        await Task.Yield();
        int functionErrors = 0;
        TimeSpan throttleBackoff = TimeSpan.FromSeconds(1);
        CancellationToken stopping = _stopping.Token;
        while (!stopping.IsCancellationRequested)
        {
            Invocation attempt = new(first.RequestId, first.Payload) { TraceId = first.TraceId, Qualifier = first.Qualifier };
            InvocationResult result;
            try
            {
                result = await InvokeAsync(functionName, attempt, stopping).ConfigureAwait(false);
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

            if (result.FunctionError is null)
            {
                return;
            }

            if (functionErrors >= Options.EventRetryDelays.Count)
            {
                LogEventDropped(_logger, functionName, first.RequestId, $"{result.ErrorType} after {functionErrors + 1} attempts");
                return;
            }

            await DelayAsync(Options.EventRetryDelays[functionErrors], stopping).ConfigureAwait(false);
            functionErrors++;
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
