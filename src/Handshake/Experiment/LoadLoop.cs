using System.Diagnostics;
using System.Text;
using System.Text.Unicode;

namespace Handshake.Experiment;

/// <summary>
/// Invokes the function N times from C workers (a closed loop: each worker invokes, waits for the answer, invokes
/// again). With a freeze gap the invocations run in bursts separated by pauses in which every environment sits frozen.
/// Latencies go into the result's histogram; errors are counted by type, never thrown, so a run that meets
/// EADDRNOTAVAIL or a reset reports it instead of stopping. Workers either await an asynchronous invoke (the in-process
/// path) or, given <c>connect</c>, each run on a thread of their own with one blocking <see cref="InvokeConnection"/>.
/// </summary>
internal sealed class LoadLoop(Func<byte[], CancellationToken, Task<string?>>? invoke, Func<InvokeConnection>? connect, ModeResult result,
    int concurrency, int bursts, TimeSpan gap)
{
    private const int MaxErrorTypes = 20;
    private long _issued;
    private long _completed;
    private long _errors;
    private long _abandoned;

    public int Concurrency => concurrency;

    public long Completed => Interlocked.Read(ref _completed);

    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Set while the loop pauses between bursts (for the progress line).</summary>
    public bool Pausing { get; private set; }

    public async Task RunAsync(long invocations, CancellationToken cancellationToken)
    {
        long perBurst = (invocations + bursts - 1) / bursts;
        long start = Stopwatch.GetTimestamp();
        TimeSpan paused = TimeSpan.Zero;
        try
        {
            for (int burst = 0; burst < bursts && !cancellationToken.IsCancellationRequested; burst++)
            {
                if (burst > 0)
                {
                    Pausing = true;
                    long pauseStart = Stopwatch.GetTimestamp();
                    await Task.Delay(gap, cancellationToken).ConfigureAwait(false);
                    paused += Stopwatch.GetElapsedTime(pauseStart);
                    Pausing = false;
                }

                long limit = Math.Min(invocations, perBurst * (burst + 1));
                Task[] workers = new Task[concurrency];
                for (int i = 0; i < workers.Length; i++)
                {
                    workers[i] = connect is null
                        ? WorkAsync(invoke!, limit, cancellationToken)
                        : Task.Factory.StartNew(() => Work(connect, limit, cancellationToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }

                await Task.WhenAll(workers).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            result.Elapsed = Stopwatch.GetElapsedTime(start);
            result.Paused = paused;
            result.Completed = Completed;
            result.Errors = Errors;
            result.Abandoned = Interlocked.Read(ref _abandoned);
            result.Cancelled = cancellationToken.IsCancellationRequested;
        }
    }

    private async Task WorkAsync(Func<byte[], CancellationToken, Task<string?>> invokeAsync, long limit, CancellationToken cancellationToken)
    {
        await Task.Yield();
        while (!cancellationToken.IsCancellationRequested && TryTake(limit, out long number))
        {
            byte[] payload = Encoding.UTF8.GetBytes($$"""{"invocation":{{number}},"mode":"{{result.Mode.Name}}"}""");
            long started = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                error = await invokeAsync(payload, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl-C: the host still runs it, and its record may land; the records check allows for it.
                Interlocked.Increment(ref _abandoned);
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                error = "Invoke failed: " + (e.InnerException ?? e).GetType().Name;
            }
            catch (Handshake.Lambda.LambdaException e)
            {
                error = $"{e.ErrorType} ({e.StatusCode})";
            }

            Record(started, error);
        }
    }

    /// <summary>A worker on its own thread: blocking exchanges on one kept-alive connection, closed by Ctrl-C.</summary>
    private void Work(Func<InvokeConnection> connect, long limit, CancellationToken cancellationToken)
    {
        using InvokeConnection connection = connect();
        using CancellationTokenRegistration stop = cancellationToken.Register(connection.Dispose);
        Span<byte> payload = stackalloc byte[256];
        while (!cancellationToken.IsCancellationRequested && TryTake(limit, out long number))
        {
            if (!Utf8.TryWrite(payload, $$"""{"invocation":{{number}},"mode":"{{result.Mode.Name}}"}""", out int length))
            {
                throw new InvalidOperationException("a mode name longer than the payload buffer");
            }

            long started = Stopwatch.GetTimestamp();
            string? error;
            try
            {
                error = connection.Invoke(payload[..length]);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _abandoned);
                    return;
                }

                error = "Invoke failed: " + (e.InnerException ?? e).GetType().Name;
            }

            Record(started, error);
        }
    }

    private bool TryTake(long limit, out long number)
    {
        number = Interlocked.Increment(ref _issued);
        if (number <= limit)
        {
            return true;
        }

        Interlocked.Decrement(ref _issued);
        return false;
    }

    private void Record(long started, string? error)
    {
        long micros = (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds;
        result.Latency.RecordValue(Math.Clamp(micros, 1, ModeResult.HighestMicroseconds));
        if (error is not null)
        {
            Interlocked.Increment(ref _errors);
            lock (result.ErrorTypes)
            {
                if (result.ErrorTypes.ContainsKey(error) || result.ErrorTypes.Count < MaxErrorTypes)
                {
                    result.ErrorTypes[error] = result.ErrorTypes.GetValueOrDefault(error) + 1;
                }
            }
        }

        Interlocked.Increment(ref _completed);
    }
}
