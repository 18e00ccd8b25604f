using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>The calls a sequence makes, each with the model's expectation, decided when its answer is read.</summary>
internal sealed partial class RuntimeApiFuzzSequence
{
    /// <summary>One acceptable answer: a status and, when given, the exact body or its errorType; status 0: closed, no answer.</summary>
    private readonly record struct Answer(int Status, string? Body = null, string? ErrorType = null)
    {
        public bool Matches(RawResponse? response) => response is null
            ? Status == 0
            : Status == response.Status && (Body is null || Body == response.Text)
                && (ErrorType is null || response.Text.Contains($"\"errorType\":\"{ErrorType}\"", StringComparison.Ordinal));

        public override string ToString() => Status == 0 ? "closed" : $"{Status} {Body ?? ErrorType}";
    }

    private static readonly Answer Accepted = new(202, """{"status":"OK"}""");
    private static readonly Answer InvalidRequestId = new(400, """{"errorType":"InvalidRequestID","errorMessage":"Invalid request ID"}""");
    private static readonly Answer Truncated400 = new(400, """{"errorType":"TruncatedHTTPRequest","errorMessage":"Truncated HTTP request"}""");
    private static readonly Answer InitAfterInit = new(403, """{"errorType":"InvalidStateTransition","errorMessage":"Init error reported after init"}""");
    private static readonly Answer NotFound = new(404, """{"errorType":"NotFound","errorMessage":"Not found"}""");
    private static readonly Answer MethodNotAllowed = new(405, """{"errorType":"MethodNotAllowed","errorMessage":"Method not allowed"}""");
    private static readonly Answer TooLarge = new(413, $$"""{"errorType":"RequestEntityTooLarge","errorMessage":"Exceeded maximum allowed payload size ({{Limit}} bytes)."}""");
    private static readonly Answer Exit500 = new(500, """{"errorType":"Runtime.ExitError","errorMessage":"Non-recoverable state. Runtime should exit promptly."}""");
    private static readonly Answer AnyStateTransition = new(403, ErrorType: "InvalidStateTransition");
    private static readonly Answer ClosedAnswer = new(0);
    private static readonly Answer[] DoomedNext = [Exit500, AnyStateTransition, ClosedAnswer];
    private static readonly Answer[] DoomedAnswer = [InvalidRequestId, AnyStateTransition, ClosedAnswer];

    private static Answer NextRefused(string message) => new(403, $$"""{"errorType":"InvalidStateTransition","errorMessage":"{{message}}"}""");

    /// <summary>A request's bytes, and what reads and checks its answer and applies it to the model (run in order after sending).</summary>
    private sealed record Item(RawConnection Connection, byte[] Bytes, string Description, Func<Task> ReadAndApply);

    private async Task SingleAsync(Item item)
    {
        Log($"{item.Connection.Name}: {item.Description} in {_phase}");
        await item.Connection.SendAsync(item.Bytes);
        await item.ReadAndApply();
    }

    /// <summary>Two to four calls in one write, sometimes with a `next` behind them (as the C# client pipelines it).</summary>
    private async Task PipelineAsync()
    {
        RawConnection connection = await PickConnectionAsync();
        List<Item> items = [];
        bool current = false;
        for (int i = rng.Next(2, 5); i > 0; i--)
        {
            items.Add(rng.Next(5) switch
            {
                0 => UnknownPathItem(connection),
                1 => WrongMethodItem(connection),
                2 => AnswerItem(connection, _answered.Count > 0 && rng.Next(2) == 0 ? _answered[rng.Next(_answered.Count)] : RandomId(), rng.Next(0, 300), null),
                3 => InitErrorItem(connection, followUp: false),
                _ when _phase == Phase.Busy && !current && (current = true) => AnswerItem(connection, _pending!.Id, rng.Next(0, 4096), null),
                _ => UnknownPathItem(connection),
            });
        }

        if (rng.Next(100) < 40)
        {
            items.Add(NextItem(connection));
        }

        Log($"{connection.Name}: pipelined in {_phase}: {string.Join(" + ", items.Select(i => i.Description))}");
        await connection.SendAsync(items.SelectMany(i => i.Bytes).ToArray());
        foreach (Item item in items)
        {
            await item.ReadAndApply();
        }
    }

    private Item NextItem(RawConnection connection)
    {
        byte[]? body = rng.Next(100) < 10 ? Body(rng.Next(1, 300)) : null;
        (byte[] bytes, string framing) = Request("GET", "/2018-06-01/runtime/invocation/next" + (rng.Next(100) < 10 ? "?x=1" : ""), body);
        return new Item(connection, bytes, "GET next" + framing, async () =>
        {
            if (IsDoomed(connection))
            {
                await ExpectAsync(connection, "next on a reset environment", DoomedNext);
                return;
            }

            switch (_phase)
            {
                case Phase.Init or Phase.Idle when _pending is not null:
                    await ReadEventAsync(connection);
                    break;
                case Phase.Idle:
                    // Nothing answers it: it is known to wait once the host freezes the idle environment, and only then
                    // may another connection's call come after it (the host serves connections independently).
                    _phase = Phase.Parked;
                    _parkedOn = connection;
                    Generation waiting = _gen!;
                    if (!waiting.Frozen)
                    {
                        waiting.Freezes++;
                        waiting.Frozen = true;
                    }

                    await Eventually.WaitUntilAsync(() => waiting.Process.Stops >= waiting.Freezes && WaitsInNext(), $"{connection.Name}: the environment frozen while its runtime waits in next", Read);
                    Log($"  {connection.Name} waits in next, frozen");
                    break;
                case Phase.Parked:
                    await ExpectAsync(connection, "a second next", NextRefused("State transition from RuntimeNext to RuntimeNext failed: a next request is already waiting"));
                    break;
                default:
                    await ExpectAsync(connection, "next while busy", NextRefused($"State transition from Invoke to RuntimeNext failed: invocation {_pending!.Id} has not been answered"));
                    break;
            }
        });
    }

    /// <summary>A path segment for an answer's request id: the current one, a wrong one, an answered one, one queued but not delivered, or a malformed one.</summary>
    private string ChooseId()
    {
        int roll = rng.Next(100);
        if (_phase == Phase.Busy && roll < 70)
        {
            return _pending!.Id;
        }

        if (_pending is not null && _phase != Phase.Busy && roll < 30)
        {
            // Queued for this environment but not delivered: there is no current invocation (RIE's InvalidRequestID).
            return _pending.Id;
        }

        if (_answered.Count > 0 && roll < 55)
        {
            return _answered[rng.Next(_answered.Count)];
        }

        return roll < 80 ? RandomId() : rng.Next(6) switch
        {
            0 => "not-a-request-id",
            1 => new string('a', 300),
            2 => "%41%42",
            3 => "..",
            4 => "%20",
            _ => "",
        };
    }

    /// <summary>A response or error post for <paramref name="id"/> (a raw path segment) with a body of <paramref name="size"/> bytes.</summary>
    private Item AnswerItem(RawConnection connection, string id, int size, byte[]? body)
    {
        bool isError = rng.Next(100) < 40;
        string? errorType = rng.Next(100) < (isError ? 60 : 15) ? ErrorTypes[rng.Next(ErrorTypes.Length)] : null;
        body ??= Body(size);
        List<string> headers = [];
        if (errorType is not null)
        {
            headers.Add("Lambda-Runtime-Function-Error-Type: " + errorType);
        }

        if (rng.Next(100) < 10)
        {
            headers.Add("Expect: 100-continue");
        }

        string target = $"/2018-06-01/runtime/invocation/{id}/{(isError ? "error" : "response")}" + (rng.Next(100) < 10 ? "?q=1" : "");
        (byte[] bytes, string framing) = Request("POST", target, body, [.. headers]);
        string description = $"POST {(isError ? "error" : "response")} id={Clip(id)} {framing} type={errorType ?? "-"}";
        return new Item(connection, bytes, description, async () =>
        {
            if (id.Length == 0)
            {
                await ExpectAsync(connection, "answer with an empty id", IsDoomed(connection) ? [NotFound, ClosedAnswer] : [NotFound]);
            }
            else if (IsDoomed(connection))
            {
                await ExpectAsync(connection, "answer on a reset environment", DoomedAnswer);
            }
            else if (_phase == Phase.Busy && Uri.UnescapeDataString(id) == _pending!.Id)
            {
                await ExpectAsync(connection, "the answer", Accepted);
                string type = errorType ?? "Function.Unknown";
                await SettleAsync(!isError ? new Outcome(null, body)
                    : body.Length > 0 ? new Outcome(type, body) : Outcome.Platform(type, ""));
                _answered.Add(id);
                _phase = Phase.Idle;
            }
            else
            {
                await ExpectAsync(connection, "an answer for no current invocation", InvalidRequestId);
            }
        });
    }

    private static readonly string[] ErrorTypes = ["Function.MyError", "Runtime.NoSuchHandler", "Unhandled", "NotCategorised.x", "Runtime.Crash"];

    private Item InitErrorItem(RawConnection connection, bool followUp = true)
    {
        byte[] body = Body(rng.Next(100) < 30 ? 0 : rng.Next(1, 500));
        string? errorType = rng.Next(100) < 60 ? ErrorTypes[rng.Next(ErrorTypes.Length)] : null;
        (byte[] bytes, string framing) = Request("POST", "/2018-06-01/runtime/init/error", body, errorType is null ? [] : ["Lambda-Runtime-Function-Error-Type: " + errorType]);
        // Pipelined right behind an accepted init error: a call on an environment whose init has failed.
        string? after = followUp && _phase == Phase.Init && rng.Next(100) < 40 ? (rng.Next(2) == 0 ? "next" : "init/error") : null;
        if (after is not null)
        {
            bytes = [.. bytes, .. Encoding.ASCII.GetBytes(after == "next"
                ? "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n"
                : "POST /2018-06-01/runtime/init/error HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")];
        }

        return new Item(connection, bytes, $"POST init/error {framing} type={errorType ?? "-"}{(after is null ? "" : " + pipelined " + after)}", async () =>
        {
            if (IsDoomed(connection))
            {
                await ExpectAsync(connection, "init error on a reset environment", AnyStateTransition, ClosedAnswer);
                return;
            }

            if (_phase != Phase.Init)
            {
                await ExpectAsync(connection, "init error after init", InitAfterInit);
                return;
            }

            await ExpectAsync(connection, "init error", Accepted);
            Generation failed = _gen!;
            failed.Doomed = true;
            if (after is not null)
            {
                await ExpectAsync(connection, after + " after an accepted init error", after == "next" ? DoomedNext : [AnyStateTransition, ClosedAnswer]);
            }

            string type = errorType ?? "Runtime.Unknown";
            await InitFailedAsync(failed, body.Length > 0 ? new Outcome(type, body) : Outcome.Platform(type, ""));
        });
    }

    /// <summary>
    /// Init failed (an init error, or an exit before the first `next`): in the Init phase Lambda retries it within the
    /// invocation, in a new process; a retry that fails answers the invocation with the failure.
    /// </summary>
    private async Task InitFailedAsync(Generation failed, Outcome outcome)
    {
        failed.Doomed = true;
        if (!failed.Suppressed)
        {
            Log("  init retried within the invocation");
            await StartGenerationAsync(suppressed: true);
            return;
        }

        await SettleAsync(outcome);
        await EndGenerationAsync(resetByInvocation: true);
    }

    private Item WrongMethodItem(RawConnection connection)
    {
        string id = _pending?.Id ?? RandomId();
        (string path, string[] methods) = rng.Next(4) switch
        {
            0 => ("/2018-06-01/runtime/invocation/next", new[] { "POST", "PUT", "DELETE", "PATCH" }),
            1 => ($"/2018-06-01/runtime/invocation/{id}/response", ["GET", "PUT", "DELETE", "PATCH"]),
            2 => ($"/2018-06-01/runtime/invocation/{id}/error", ["GET", "PUT", "DELETE", "PATCH"]),
            _ => ("/2018-06-01/runtime/init/error", ["GET", "PUT", "DELETE"]),
        };
        string method = methods[rng.Next(methods.Length)];
        (byte[] bytes, string framing) = Request(method, path, rng.Next(100) < 30 ? Body(rng.Next(1, 2000)) : null);
        return new Item(connection, bytes, $"{method} {path} {framing}", () =>
            ExpectAsync(connection, "a wrong method", IsDoomed(connection) ? [MethodNotAllowed, ClosedAnswer] : [MethodNotAllowed]));
    }

    private static readonly string[] UnknownPaths =
    [
        "/", "/2018-06-01", "/2018-06-01/runtime", "/2018-06-01/runtime/invocation", "/2018-06-01/runtime/invocation/",
        "/2018-06-01/runtime/invocation/next/", "/2018-06-01/runtime/invocation/next/x", "/2018-06-01/runtime/init",
        "/2018-06-01/runtime/init/error/x", "/2018-06-01/Runtime/invocation/next", "/2018-06-02/runtime/invocation/next",
        "/2019-01-01/runtime/invocation/next", "/2020-01-01/runtime/invocation/next", "/2018-06-01/runtime/restore/next",
        "/2020-01-01/extension/register", "/2018-06-01/runtime/invocation/ID", "/2018-06-01/runtime/invocation/ID/respond",
        "/2018-06-01/runtime/invocation/ID/response/x", "/2018-06-01/runtime/invocation/ID/", "/2018-06-01/runtime/invocation//error",
    ];

    private Item UnknownPathItem(RawConnection connection)
    {
        string path = UnknownPaths[rng.Next(UnknownPaths.Length)].Replace("ID", _pending?.Id ?? RandomId(), StringComparison.Ordinal);
        string method = rng.Next(2) == 0 ? "GET" : "POST";
        (byte[] bytes, string framing) = Request(method, path, rng.Next(100) < 30 ? Body(rng.Next(0, 2000)) : null);
        return new Item(connection, bytes, $"{method} {path} {framing}", () =>
            ExpectAsync(connection, "an unknown path", IsDoomed(connection) ? [NotFound, ClosedAnswer] : [NotFound]));
    }

    private bool IsDoomed(RawConnection connection) => _owner[connection] is var owner && (owner != _gen || owner.Doomed);

    /// <summary>Reads the next answer on <paramref name="connection"/>; it must be one of <paramref name="allowed"/>. An error answer with Connection: close must be followed by the close.</summary>
    private async Task ExpectAsync(RawConnection connection, string what, params Answer[] allowed)
    {
        RawResponse? response = await connection.ReadResponseAsync(Read);
        if (!allowed.Any(a => a.Matches(response)))
        {
            Fail($"{connection.Name}: {what}: got {Show(response)}; expected {string.Join(" or ", allowed)}");
        }

        Log($"  {connection.Name} <- {Show(response)}");
        if (response?.Header("Connection") == "close" && !await connection.IsClosedAsync(Read))
        {
            Fail($"{connection.Name}: {what}: answered with Connection: close, but the connection stayed open");
        }
    }

    private int Size() => rng.Next(100) switch
    {
        >= 80 when _hangs => rng.Next(200, 64 * 1024),
        < 10 => 0,
        < 50 => rng.Next(1, 200),
        < 80 => rng.Next(200, 64 * 1024),
        < 96 => rng.Next(64 * 1024, 1024 * 1024),
        < 98 => Limit,
        _ => rng.Next(Limit - 4096, Limit),
    };

    private byte[] Body(int size)
    {
        byte[] body = new byte[size];
        rng.NextBytes(body);
        return body;
    }

    /// <summary>A request with a Content-Length or a chunked body (random chunks, extensions, trailers), or none.</summary>
    private (byte[] Bytes, string Framing) Request(string method, string target, byte[]? body, params string[] headers)
    {
        bool chunked = body is not null && rng.Next(100) < 40;
        StringBuilder head = new($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        foreach (string header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        if (body is not null)
        {
            head.Append(chunked ? "Transfer-Encoding: chunked\r\n" : $"Content-Length: {body.Length}\r\n");
        }

        head.Append("\r\n");
        using MemoryStream bytes = new();
        bytes.Write(Encoding.UTF8.GetBytes(head.ToString()));
        if (body is not null && chunked)
        {
            WriteChunks(bytes, body, terminate: true);
        }
        else if (body is not null)
        {
            bytes.Write(body);
        }

        return (bytes.ToArray(), body is null ? "" : chunked ? $"chunked:{body.Length}" : $"length:{body.Length}");
    }

    private void WriteChunks(MemoryStream bytes, ReadOnlySpan<byte> body, bool terminate)
    {
        int pieces = rng.Next(1, body.Length > 1024 * 1024 ? 4 : 6);
        while (!body.IsEmpty)
        {
            int size = --pieces <= 0 ? body.Length : rng.Next(1, body.Length + 1);
            bytes.Write(Encoding.ASCII.GetBytes($"{size:x}{(rng.Next(100) < 20 ? ";ext=1" : "")}\r\n"));
            bytes.Write(body[..size]);
            bytes.Write("\r\n"u8);
            body = body[size..];
        }

        if (terminate)
        {
            bytes.Write(Encoding.ASCII.GetBytes("0\r\n" + (rng.Next(100) < 20 ? "X-Trailer: t\r\n" : "") + "\r\n"));
        }
    }
}
