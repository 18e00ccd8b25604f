using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>A sequence's faults: bodies over the limit, connections closed or reset mid-body, exits, hangs.</summary>
internal sealed partial class RuntimeApiFuzzSequence
{
    /// <summary>
    /// An answer one byte over the limit: a Content-Length of 6 MiB + 101 (the head alone: the host refuses it unread),
    /// or 6 MiB + 100 bytes of chunks and the size line of one more byte (the last thing the host reads).
    /// </summary>
    private async Task OversizedAsync(RawConnection connection, string id)
    {
        id = id.Length == 0 ? RandomId() : id;
        bool isError = rng.Next(2) == 0;
        string target = $"/2018-06-01/runtime/invocation/{id}/{(isError ? "error" : "response")}";
        bool chunked = rng.Next(2) == 0;
        using MemoryStream bytes = new();
        bytes.Write(Encoding.ASCII.GetBytes($"POST {target} HTTP/1.1\r\nHost: x\r\n"
            + (chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {Limit + 1}\r\n")
            + (rng.Next(100) < 30 ? "Expect: 100-continue\r\n" : "") + "\r\n"));
        if (chunked)
        {
            WriteChunks(bytes, Body(Limit), terminate: false);
            bytes.Write("1\r\n"u8);
        }

        Log($"{connection.Name}: POST {(isError ? "error" : "response")} id={Clip(id)} over the limit ({(chunked ? "chunked" : "Content-Length")}) in {_phase}");
        await connection.SendAsync(bytes.ToArray());
        if (IsDoomed(connection))
        {
            await ExpectAsync(connection, "an oversized answer on a reset environment", [.. DoomedAnswer, TooLarge]);
        }
        else if (_phase == Phase.Busy && Uri.UnescapeDataString(id) == _pending!.Id)
        {
            await ExpectAsync(connection, "an oversized answer", TooLarge);
            await SettleAsync(Outcome.Platform("Function.ResponseSizeTooLarge", $"Response payload size exceeded maximum allowed payload size ({Limit} bytes)."));
            await EndGenerationAsync(resetByInvocation: true);
        }
        else
        {
            // Refused for its id, and too large to skip: the connection closes after the 400.
            await ExpectAsync(connection, "an oversized answer for no current invocation", InvalidRequestId);
        }
    }

    /// <summary>
    /// An answer whose connection ends in the middle of its body: half-closed (FIN; the host can still answer 400), or
    /// reset (RST) once the host has read the head (it invites the body with 100 Continue).
    /// </summary>
    private async Task TruncatedAsync(RawConnection connection, string id)
    {
        id = id.Length == 0 ? RandomId() : id;
        bool isError = rng.Next(2) == 0;
        bool reset = rng.Next(100) < 40;
        bool chunked = rng.Next(100) < 30;
        int declared = rng.Next(10, 5000);
        byte[] part = Body(rng.Next(0, declared));
        string head = $"POST /2018-06-01/runtime/invocation/{id}/{(isError ? "error" : "response")} HTTP/1.1\r\nHost: x\r\n"
            + (chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {declared}\r\n") + (reset ? "Expect: 100-continue\r\n" : "") + "\r\n";
        byte[] body = chunked ? [.. Encoding.ASCII.GetBytes($"{declared:x}\r\n"), .. part] : part;
        Log($"{connection.Name}: POST {(isError ? "error" : "response")} id={Clip(id)} {(chunked ? "chunked" : "length")}:{declared} cut after {part.Length} B by {(reset ? "RST" : "FIN")} in {_phase}");
        bool current = !IsDoomed(connection) && _phase == Phase.Busy && Uri.UnescapeDataString(id) == _pending!.Id;
        if (reset)
        {
            await connection.SendAsync(Encoding.ASCII.GetBytes(head));
            if (!await connection.ReadContinueAsync(Read))
            {
                Fail($"{connection.Name}: no 100 Continue for an answer that asked for it");
            }

            await connection.SendAsync(body);
            connection.Reset();
        }
        else
        {
            await connection.SendAsync((byte[])[.. Encoding.ASCII.GetBytes(head), .. body]);
            connection.HalfClose();
            await ExpectAsync(connection, "a truncated answer", current ? Truncated400 : InvalidRequestId);
        }

        if (current)
        {
            Pending pending = _pending!;
            await SettleAsync(Outcome.Platform("Runtime.TruncatedResponse", $"RequestId: {pending.Id} Error: Runtime sent a truncated response"));
            await EndGenerationAsync(resetByInvocation: true);
        }
    }

    /// <summary>The runtime exits by itself (exit status 1), in whatever state it is.</summary>
    private async Task ExitAsync()
    {
        Generation exiting = _gen!;
        Log($"runtime exits in {_phase}{(_phase == Phase.Idle && _pending is not null ? " (an invocation assigned)" : "")}");
        exiting.Process.Exit("exit status 1");
        string error = $"RequestId: {_pending?.Id} Error: Runtime exited with error: exit status 1";
        switch (_phase)
        {
            case Phase.Init:
                await InitFailedAsync(exiting, Outcome.Platform("Runtime.ExitError", error));
                break;
            case Phase.Busy:
            case Phase.Idle when _pending is not null:
                // Delivered or not, the invocation was this environment's: it fails at once, not at its timeout.
                exiting.Doomed = true;
                await SettleAsync(Outcome.Platform("Runtime.ExitError", error));
                await EndGenerationAsync(resetByInvocation: true);
                break;
            case Phase.Parked:
                RawConnection parked = _parkedOn!;
                await ExpectAsync(parked, "the waiting next when the runtime exits", Exit500);
                await EndGenerationAsync(resetByInvocation: false);
                break;
            default:
                // Idle, nothing assigned: the next invocation gets a new environment once the host has seen the exit.
                // (One that comes before fails with the exit, as the case above: a race the model leaves out.)
                await Eventually.WaitUntilAsync(() => host.Environments(function).All(e => e.IsDead), "the host sees the exit", Read);
                await EndGenerationAsync(resetByInvocation: false);
                break;
        }
    }

    /// <summary>The runtime closes a connection it is not waiting on: nothing changes.</summary>
    private Task CloseIdleConnectionAsync()
    {
        List<RawConnection> open = _gen!.Connections.FindAll(c => !c.Closed && c != _parkedOn);
        if (open.Count > 0)
        {
            RawConnection closing = open[rng.Next(open.Count)];
            Log($"{closing.Name}: closed by the runtime in {_phase}");
            closing.Dispose();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// The runtime closes the connection its `next` waits on (a runtime with a timeout on `next`, left unfrozen, does):
    /// the host withdraws that `next`, so that one on another connection waits in its place and gets the next event.
    /// </summary>
    private async Task CloseParkedConnectionAsync()
    {
        RawConnection parked = _parkedOn!;
        Log($"{parked.Name}: closed by the runtime while its next waits");
        parked.Dispose();
        _parkedOn = null;
        _phase = Phase.Idle;
        await Eventually.WaitUntilAsync(() => !WaitsInNext(), "the closed connection's next withdrawn", Read);
    }

    private bool WaitsInNext() => host.Environments(function).Any(e => e.WaitsInNext);

    /// <summary>The runtime never answers: the invocation must time out (checked at the end of the seed).</summary>
    private Task HangAsync()
    {
        Pending pending = _pending!;
        _pending = null;
        Log($"runtime hangs on {pending.Id}");
        Hanging = (pending.Task, Outcome.Platform("Sandbox.Timedout", $"RequestId: {pending.Id} Error: Task timed out after {HangTimeoutSeconds}.00 seconds"), pending.Id);
        return Task.CompletedTask;
    }
}
