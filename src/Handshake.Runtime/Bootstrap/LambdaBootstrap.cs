using Handshake.Runtime.Client;
using Handshake.Runtime.Context;

namespace Handshake.Runtime.Bootstrap;

/// <summary>
/// The Runtime API loop: get the next event, run the handler, post its result or its error, repeat. One iteration is
/// <see cref="InvokeOnceAsync"/>, so tests can drive the loop one event at a time.
/// </summary>
public sealed class LambdaBootstrap
{
    private readonly LambdaHandler? _handler;
    private readonly LambdaStreamingHandler? _streamingHandler;
    private readonly RuntimeApiClient _client;
    private readonly LambdaEnvironment _environment;
    private readonly TimeProvider _clock;

    // One response buffer for the life of the environment: invocations are sequential, and the buffer's capacity
    // settles at the largest response, so warm invocations allocate no new response storage.
    private readonly MemoryStream _response = new();

    public LambdaBootstrap(LambdaHandler handler, RuntimeApiClient client, LambdaEnvironment environment, TimeProvider? clock = null)
    {
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>A loop whose handler streams its responses (see <see cref="LambdaStreamingHandler"/>).</summary>
    public LambdaBootstrap(LambdaStreamingHandler handler, RuntimeApiClient client, LambdaEnvironment environment, TimeProvider? clock = null)
    {
        _streamingHandler = handler ?? throw new ArgumentNullException(nameof(handler));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>Runs invocations until <paramref name="cancellationToken"/> is cancelled or the Runtime API says to exit.</summary>
    /// <remarks>
    /// The loop runs on the caller's thread and stays there while handlers complete synchronously (the no-op function,
    /// anything CPU-bound): that thread blocks in <c>recv()</c> for the next event, runs the handler and posts the
    /// answer, with no hop to another thread. After a handler that really awaits, the loop goes on on the thread that
    /// finished it.
    /// </remarks>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var once = InvokeOnceAsync(thenNext: true, cancellationToken);
            if (!once.IsCompletedSuccessfully)
            {
                await once.ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One iteration: waits for an event, runs the handler and posts the outcome. A handler's exception is posted as the
    /// invocation's error and does not escape. A rejected post (400 for a stale request id, 413 for an oversized
    /// response) is logged and the loop goes on, as Lambda's runtimes do; a 500 or a lost Runtime API escapes, because
    /// then the runtime must exit. Completes synchronously unless the handler itself awaits.
    /// </summary>
    public Task InvokeOnceAsync(CancellationToken cancellationToken = default) => InvokeOnceAsync(thenNext: false, cancellationToken);

    // thenNext: the loop asks for the next event in the same write as this one's answer (RuntimeApiClient.PostInvocationResponse).
    private Task InvokeOnceAsync(bool thenNext, CancellationToken cancellationToken)
    {
        var invocation = _client.GetNextInvocation(cancellationToken);

        // Console lines written during this invocation carry its id (under LambdaRuntime, which prefixes them).
        LambdaConsole.CurrentRequestId = invocation.AwsRequestId;

        // Lambda's runtimes expose the trace header to SDKs through this variable, changed per invocation.
        Environment.SetEnvironmentVariable("_X_AMZN_TRACE_ID", invocation.TraceId);

        var context = new LambdaContext(invocation, _environment, _clock);
        _response.SetLength(0);
        var payload = new MemoryStream(invocation.Payload, writable: false);
        var stream = _streamingHandler is null ? null : _client.StartResponseStream(invocation.AwsRequestId);
        Task handled;
        try
        {
            handled = stream is null ? _handler!(payload, context, _response) : _streamingHandler!(payload, context, stream);
        }
        catch (Exception exception)
        {
            handled = Task.FromException(exception);
        }

        if (handled.IsCompleted)
        {
            Answer(invocation, handled, stream, thenNext, cancellationToken);
            return Task.CompletedTask;
        }

        return AnswerWhenHandledAsync(invocation, handled, stream, thenNext, cancellationToken);
    }

    private async Task AnswerWhenHandledAsync(InvocationRequest invocation, Task handled, LambdaResponseStream? stream, bool thenNext, CancellationToken cancellationToken)
    {
        try
        {
            await handled.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Observed here; Answer reads the exception from the task.
        }

        Answer(invocation, handled, stream, thenNext, cancellationToken);
    }

    private void Answer(InvocationRequest invocation, Task handled, LambdaResponseStream? stream, bool thenNext, CancellationToken cancellationToken)
    {
        LambdaError? error = null;
        if (!handled.IsCompletedSuccessfully)
        {
            // What the handler threw, as awaiting it would rethrow it (not the task's AggregateException wrapper).
            var thrown = handled.Exception?.InnerException ?? new TaskCanceledException(handled);
            error = LambdaError.FromException(thrown);

            // As AWS's .NET runtime logs it: the whole exception (type, message, stack, inner exceptions) at level fail.
            LambdaConsole.WriteErrorLine(invocation.AwsRequestId, thrown.ToString(), _clock);
        }

        try
        {
            if (stream is not null)
            {
                // The stream's end is the answer: the last chunk, or the error in the trailers (a no-op when the
                // handler ended the stream itself; its error is then only logged). No `next` rides behind it.
                if (error is null)
                {
                    stream.Complete();
                }
                else
                {
                    stream.Fail(error);
                }
            }
            else if (error is null)
            {
                _client.PostInvocationResponse(invocation.AwsRequestId, new ReadOnlySpan<byte>(_response.GetBuffer(), 0, (int)_response.Length), thenNext, cancellationToken);
            }
            else
            {
                _client.PostInvocationError(invocation.AwsRequestId, error, thenNext, cancellationToken);
            }
        }
        catch (RuntimeApiException rejected) when (!rejected.RuntimeShouldExit)
        {
            LambdaConsole.WriteErrorLine(invocation.AwsRequestId, rejected.Message, _clock);
        }
    }
}
