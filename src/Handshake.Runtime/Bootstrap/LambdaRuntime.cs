using Handshake.Runtime.Client;
using Handshake.Runtime.Context;

namespace Handshake.Runtime.Bootstrap;

/// <summary>
/// The entry point of a function executable: <c>return await LambdaRuntime.RunAsync(...)</c> from Main. It reads
/// AWS_LAMBDA_RUNTIME_API, runs the function's initialization (whose exceptions go to <c>/init/error</c>), then loops.
/// The same executable runs under Handshake and, published NativeAOT as <c>bootstrap</c>, on Lambda's provided.al2023.
/// </summary>
public static class LambdaRuntime
{
    /// <summary>Exit code after an init error was posted, as Lambda expects the runtime to exit then.</summary>
    public const int InitErrorExitCode = 1;

    /// <summary>Exit code when the Runtime API is missing, answered 500 or went away.</summary>
    public const int RuntimeApiExitCode = 2;

    /// <summary>Runs <paramref name="handler"/> for every invocation.</summary>
    public static Task<int> RunAsync(LambdaHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunAsync(_ => Task.FromResult(handler), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="handler"/>, which streams its responses, for every invocation. (Not an overload of RunAsync:
    /// a lambda such as <c>(payload, context, response) => payload.CopyToAsync(response)</c> fits both handler shapes.)
    /// </summary>
    public static Task<int> RunStreamingAsync(LambdaStreamingHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunCoreAsync(_ => Task.FromResult<Delegate>(handler), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="initialize"/> once (Lambda's Init phase: build SDK clients, read configuration) and then the
    /// handler it returns for every invocation. An exception from <paramref name="initialize"/> is posted to
    /// <c>/init/error</c> in Lambda's error shape, and the process exits with <see cref="InitErrorExitCode"/>.
    /// </summary>
    public static Task<int> RunAsync(Func<CancellationToken, Task<LambdaHandler>> initialize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialize);
        return RunCoreAsync(async token => await initialize(token).ConfigureAwait(false), cancellationToken);
    }

    /// <summary><see cref="RunAsync(Func{CancellationToken, Task{LambdaHandler}}, CancellationToken)"/> for a handler that streams.</summary>
    public static Task<int> RunStreamingAsync(Func<CancellationToken, Task<LambdaStreamingHandler>> initialize, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(initialize);
        return RunCoreAsync(async token => await initialize(token).ConfigureAwait(false), cancellationToken);
    }

    // initialize returns a LambdaHandler or a LambdaStreamingHandler.
    private static async Task<int> RunCoreAsync(Func<CancellationToken, Task<Delegate>> initialize, CancellationToken cancellationToken)
    {
        var environment = LambdaEnvironment.FromEnvironmentVariables();
        if (environment.RuntimeApi.Length == 0)
        {
            Console.Error.WriteLine("AWS_LAMBDA_RUNTIME_API is not set: this executable is a Lambda function and runs under a Lambda host.");
            return RuntimeApiExitCode;
        }

        // As AWS's .NET runtime: Console.WriteLine lines get timestamp, request id and level (AWS_LAMBDA_LOG_LEVEL filters).
        LambdaConsole.Install(TimeProvider.System);
        using var client = new RuntimeApiClient(environment.RuntimeApi);
        Delegate handler;
        try
        {
            handler = await initialize(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = LambdaError.FromException(exception);
            // As AWS's .NET runtime logs it: the whole exception, level fail, no request id yet.
            LambdaConsole.WriteErrorLine(string.Empty, exception.ToString(), TimeProvider.System);
            try
            {
                await client.PostInitErrorAsync(error, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception postFailed) when (postFailed is HttpRequestException or RuntimeApiException)
            {
                LambdaConsole.WriteErrorLine(string.Empty, $"could not post the init error: {postFailed.Message}", TimeProvider.System);
            }

            return InitErrorExitCode;
        }

        var bootstrap = handler is LambdaStreamingHandler streaming
            ? new LambdaBootstrap(streaming, client, environment)
            : new LambdaBootstrap((LambdaHandler)handler, client, environment);
        try
        {
            await bootstrap.RunAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception exception) when (exception is HttpRequestException or RuntimeApiException)
        {
            // The host said "exit" (500) or is gone: a runtime must not spin on a dead Runtime API.
            Console.Error.WriteLine($"Runtime API unavailable, exiting: {exception.Message}");
            return RuntimeApiExitCode;
        }
    }
}
