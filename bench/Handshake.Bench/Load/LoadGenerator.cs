using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HdrHistogram;

namespace Handshake.Bench.Load;

/// <summary>Returns false for a 2xx response whose body is not what the operation must answer.</summary>
public delegate bool BodyCheck(ReadOnlySpan<byte> body);

/// <summary>
/// A wrk-like closed-loop load generator over raw sockets: N kept-alive HTTP/1.1 connections, each sending the next
/// prebuilt request as soon as the previous response is read. Bounded by a request count and a duration; every
/// response's status is checked, and optionally its body. The same generator drives every target in a run.
/// </summary>
public static class LoadGenerator
{
    // Latencies above this are clamped into the histogram's top bucket rather than lost.
    private const long HighestLatencyMicroseconds = 60_000_000;

    /// <summary>Runs the load. <paramref name="bodyCheck"/> returns false for a 2xx response whose body is wrong.</summary>
    public static async Task<LoadResult> RunAsync(
        IPEndPoint target, RequestSet requests, int connections, TimeSpan duration, long maxRequests,
        BodyCheck? bodyCheck, CancellationToken ct)
    {
        var shared = new SharedCounters(maxRequests);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // A hung server must not hang the bench: the sockets are cancelled a little after the run's end.
        stop.CancelAfter(duration + TimeSpan.FromSeconds(10));
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var loops = new Task<LongHistogram>[connections];
        for (var i = 0; i < connections; i++)
        {
            var connection = i;
            loops[i] = Task.Run(() => ConnectionLoopAsync(target, requests, connection, connections, deadline, shared, bodyCheck, stop.Token), ct);
        }

        var histograms = await Task.WhenAll(loops);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var clientCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        var merged = new LongHistogram(HighestLatencyMicroseconds, 3);
        foreach (var histogram in histograms)
        {
            merged.Add(histogram);
        }

        return new LoadResult(connections, shared.Completed, shared.Errors, shared.Reconnects, elapsed, merged, shared.FirstError, clientCpu);
    }

    private static async Task<LongHistogram> ConnectionLoopAsync(
        IPEndPoint target, RequestSet requests, int connection, int connections, long deadline, SharedCounters shared,
        BodyCheck? bodyCheck, CancellationToken ct)
    {
        var histogram = new LongHistogram(HighestLatencyMicroseconds, 3);
        var socket = await ConnectAsync(target, ct);
        var reader = new HttpResponseReader(socket);
        var next = connection;
        try
        {
            while (Stopwatch.GetTimestamp() < deadline && shared.TryTake())
            {
                var request = requests.Next(next);
                next = (next + connections) % requests.Count;
                var sent = Stopwatch.GetTimestamp();
                try
                {
                    await socket.SendAsync(request, SocketFlags.None, ct);
                    var head = await reader.ReadAsync(ct);
                    var micros = (long)(Stopwatch.GetElapsedTime(sent).TotalMicroseconds);
                    histogram.RecordValue(Math.Clamp(micros, 1, HighestLatencyMicroseconds));
                    var ok = head.Status is >= 200 and < 300;
                    if (ok && bodyCheck is not null)
                    {
                        ok = bodyCheck(reader.Body(head));
                    }

                    shared.Complete(ok, ok ? null : $"status {head.Status}: {Encoding.UTF8.GetString(reader.Body(head))}");
                    if (head.Close)
                    {
                        socket.Dispose();
                        socket = await ConnectAsync(target, ct);
                        reader = new HttpResponseReader(socket);
                        shared.Reconnected();
                    }
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    shared.Complete(false, e.Message);
                    socket.Dispose();
                    socket = await ConnectAsync(target, ct);
                    reader = new HttpResponseReader(socket);
                    shared.Reconnected();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C, or a response that did not come within the run's time bound.
            shared.Complete(false, "cancelled while waiting for a response");
        }
        finally
        {
            socket.Dispose();
        }

        return histogram;
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint target, CancellationToken ct)
    {
        var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, ct);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class SharedCounters(long maxRequests)
    {
        private long taken;
        private long completed;
        private long errors;
        private long reconnects;
        private string? firstError;

        public long Completed => Interlocked.Read(ref completed);

        public long Errors => Interlocked.Read(ref errors);

        public long Reconnects => Interlocked.Read(ref reconnects);

        public string? FirstError => Volatile.Read(ref firstError);

        public bool TryTake() => Interlocked.Increment(ref taken) <= maxRequests;

        public void Complete(bool ok, string? error)
        {
            Interlocked.Increment(ref completed);
            if (!ok)
            {
                Interlocked.Increment(ref errors);
                Interlocked.CompareExchange(ref firstError, error, null);
            }
        }

        public void Reconnected() => Interlocked.Increment(ref reconnects);
    }
}
