using System.Buffers;
using System.Diagnostics;
using Handshake.Dynamo.Storage;
using Handshake.Sockets;

namespace Handshake.Dynamo.Protocol;

/// <summary>The loop's requests: parsed in order, run inline or on the thread pool, their writes committed per turn.</summary>
internal sealed partial class DynamoEventLoop
{
    /// <summary>Answers the whole requests waiting in the connection's buffer, one at a time, in order.</summary>
    private void ProcessInput(LoopConnection connection)
    {
        // A client that pipelines requests without reading the answers gets no more answered than MaxUnsentBytes
        // ahead, as Kestrel bounds a connection's response buffer: the rest wait in the socket.
        while (!connection.Executing && !connection.Closed && connection.Unsent <= MaxUnsentBytes)
        {
            ReadOnlySpan<byte> data = connection.Input.AsSpan(connection.Start, connection.End - connection.Start);
            if (data.IsEmpty)
            {
                // Between requests a connection holds no input buffer: idle keep-alive connections cost little.
                connection.ReleaseInput();
                connection.Partial = false;
                if (connection.InputClosed)
                {
                    CloseWhenSent(connection);
                }

                return;
            }

            PlainRequest.Parsed parsed = PlainRequest.Parse(data, routes: _route is not null);
            switch (parsed.Outcome)
            {
                case PlainRequest.Outcome.NeedMore:
                    connection.Partial = true;
                    if (connection.InputClosed)
                    {
                        CloseWhenSent(connection); // cut off mid-request: nothing can answer it
                    }

                    return;
                case PlainRequest.Outcome.HandOver:
                    HandOverWhenSent(connection);
                    return;
                default:
                    connection.Partial = false;
                    if (!Execute(connection, parsed, data))
                    {
                        HandOverWhenSent(connection);
                        return;
                    }

                    connection.Start += parsed.Length;
                    _observer?.Transferred(connection.Features, parsed.Length, 0);
                    break;
            }
        }
    }

    /// <summary>Starts the request; false when nothing here answers it (it goes to Kestrel, with its connection).</summary>
    private bool Execute(LoopConnection connection, PlainRequest.Parsed request, ReadOnlySpan<byte> data)
    {
        if (request.Routed)
        {
            return Route(connection, request, data);
        }

        if (_endpoint() is not { } endpoint)
        {
            return false;
        }

        string? operation = DynamoHttpEndpoint.OperationOf(request.Target);
        if (operation is null && endpoint.AnswersElsewhere(request.Target))
        {
            return false; // another service's target (CloudWatch Logs): Kestrel's path routes it
        }

        connection.Started = Stopwatch.GetTimestamp();
        connection.MetricOperation = DynamoHttpEndpoint.MetricTag(operation);
        _observer?.Request(connection.Features, request.Authorization);
        byte[] body = ArrayPool<byte>.Shared.Rent(Math.Max(request.BodyLength, 1));
        data.Slice(request.Length - request.BodyLength, request.BodyLength).CopyTo(body);
        connection.Body = body;
        connection.Response = ResponseBuffer.Rent();
        ReadOnlyMemory<byte> memory = body.AsMemory(0, request.BodyLength);
        ValueTask<int> execution;
        if (RunsInline(operation))
        {
            _deferredOn = endpoint.Store;
            execution = endpoint.ExecuteAsync(operation, request.Authorization, null, memory, connection.Response);
        }
        else
        {
            ResponseBuffer response = connection.Response;
            string? authorization = request.Authorization;
            execution = new ValueTask<int>(Task.Run(() => endpoint.ExecuteAsync(operation, authorization, null, memory, response).AsTask()));
        }

        if (execution.IsCompleted)
        {
            Answer(connection, execution.Result);
            return true;
        }

        connection.Executing = true;
        connection.Execution = execution;
        execution.GetAwaiter().UnsafeOnCompleted(connection.OnCompleted ??= () => Completed(connection));
        return true;
    }

    /// <summary>A request for the route (the Invoke API): begun here, answered when its completion comes back.</summary>
    private bool Route(LoopConnection connection, PlainRequest.Parsed request, ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<byte> head = data[request.HeadersAt..request.HeadEnd];
        ReadOnlySpan<byte> body = data.Slice(request.Length - request.BodyLength, request.BodyLength);
        if (_route?.Invoke()?.Begin(request.Target, head, body) is not { } exchange)
        {
            return false;
        }

        _observer?.Request(connection.Features, request.Authorization);
        connection.Exchange = exchange;
        Task completion = exchange.Completion;
        if (completion.IsCompleted)
        {
            Answer(connection, 0);
            return true;
        }

        connection.Executing = true;
        connection.MaySendDirectly = connection.Unsent == 0 && !connection.Answered;
        completion.GetAwaiter().UnsafeOnCompleted(connection.OnCompleted ??= () => Completed(connection));
        return true;
    }

    /// <summary>
    /// A route's answer, sent by the thread that completed it (a function's answer arrives on the Runtime API's thread)
    /// instead of waking the loop first: one thread wake-up less between the function's answer and its caller. Only
    /// while the loop leaves the connection's output alone (<see cref="LoopConnection.MaySendDirectly"/>); the loop
    /// still takes the completion afterwards for the rest (what is left unsent, the requests behind it, END/REPORT).
    /// </summary>
    private static void SendDirectly(LoopConnection connection, IPlainExchange exchange)
    {
        lock (connection.FdLock)
        {
            if (connection.Closed)
            {
                return;
            }

            // The output is empty here (MaySendDirectly): an answer that fails half-written is dropped whole, and the
            // loop writes it again (and closes the connection if that fails too).
            try
            {
                exchange.WriteAnswer(connection.Output);
            }
            catch
            {
                connection.Output.ResetWrittenCount();
                throw;
            }

            connection.SentDirectly = true;
            int sent = LinuxSockets.Send(connection.Fd, connection.Output.WrittenSpan);
            // Whatever did not go (a full socket buffer, an error) is the loop's to send or to fail, as for any answer.
            connection.DirectBytes = Math.Max(sent, 0);
            connection.Sent = connection.DirectBytes;
        }
    }

    /// <summary>
    /// Point reads and writes run on the loop (a write only queues, committed with the others at the end of the turn);
    /// what can take long runs on the thread pool.
    /// </summary>
    private static bool RunsInline(string? operation) => operation switch
    {
        "PutItem" or "GetItem" or "UpdateItem" or "DeleteItem" or "BatchGetItem" or "BatchWriteItem"
            or "DescribeTable" or "ListTables" or "DescribeEndpoints" or "DescribeLimits" or "DescribeTimeToLive"
            or "ListTagsOfResource" or "DescribeContinuousBackups" or "DescribeKinesisStreamingDestination" => true,
        // An unknown or missing target is answered by the envelope check at once.
        _ => operation is null || !OperationRouter.IsKnown(operation),
    };

    // On whichever thread completed the operation: the loop's own (its commit), the thread pool's, or a route's.
    private void Completed(LoopConnection connection)
    {
        if (connection.MaySendDirectly && Thread.CurrentThread != _thread)
        {
            connection.MaySendDirectly = false;
            try
            {
                SendDirectly(connection, connection.Exchange!);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The loop answers it (SentDirectly is still false) or closes the connection.
            }
        }

        _completed.Enqueue(connection);
        if (Thread.CurrentThread != _thread)
        {
            Wake();
        }
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            // Under the lock: an operation finishing on the thread pool after the loop has stopped must not write to
            // the eventfd's number once it is closed (and perhaps reused by another file).
            lock (_wakeLock)
            {
                if (!_wakeClosed)
                {
                    LinuxSockets.Signal(_wake);
                }
            }
        }
    }

    /// <summary>Commits the turn's writes and answers what completed, until nothing more is waiting.</summary>
    private void Settle()
    {
        while (true)
        {
            if (_deferredOn is { } store)
            {
                _deferredOn = null;
                try
                {
                    store.Writes.CommitDeferred();
                }
                catch (ObjectDisposedException)
                {
                    // The store closed under the loop: its queue already failed every command.
                }
            }

            if (!_completed.TryDequeue(out LoopConnection? connection))
            {
                return;
            }

            do
            {
                connection.Executing = false;
                ValueTask<int> execution = connection.Execution;
                connection.Execution = default;
                int status = 0;
                if (connection.Exchange is null)
                {
                    try
                    {
                        status = execution.Result;
                    }
                    catch (Exception)
                    {
                        status = DynamoHttpEndpoint.WriteError(connection.Response!, new DynamoException(DynamoErrorCode.InternalServerError, "Internal server error"));
                    }
                }

                connection.MaySendDirectly = false;
                if (connection.Closed)
                {
                    // The client went away while its request ran: the route still settles what waits for the answer.
                    if (connection.Exchange is { } abandoned)
                    {
                        connection.Exchange = null;
                        _sentExchanges.Add(abandoned);
                    }

                    connection.SentDirectly = false;
                    connection.ReleaseRequest();
                    continue;
                }

                WriteQueue.DeferCommits = true;
                try
                {
                    Answer(connection, status);
                    if (connection.ReadPaused)
                    {
                        connection.ReadPaused = false;
                        Register(connection, LinuxSockets.EpollModify, LinuxSockets.EpollIn | (connection.WaitsToSend ? LinuxSockets.EpollOut : 0));
                    }

                    ProcessInput(connection);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    Close(connection);
                }
                finally
                {
                    WriteQueue.DeferCommits = false;
                }
            }
            while (_completed.TryDequeue(out connection));
        }
    }

    private void Answer(LoopConnection connection, int status)
    {
        if (connection.Exchange is { } exchange)
        {
            connection.Exchange = null;
            _sentExchanges.Add(exchange);
            if (connection.SentDirectly)
            {
                // Written (and perhaps wholly sent) by the completing thread: Flush sends what is left.
                connection.SentDirectly = false;
                _observer?.Transferred(connection.Features, 0, connection.DirectBytes);
            }
            else
            {
                exchange.WriteAnswer(connection.Output);
            }
        }
        else
        {
            ResponseBuffer response = connection.Response!;
            PlainRequest.WriteResponse(connection.Output, status, response.Written.Span);
            DynamoMetrics.RecordRequest(connection.MetricOperation, connection.Started);
        }

        connection.ReleaseRequest();
        if (!connection.Answered)
        {
            connection.Answered = true;
            _answered.Add(connection);
        }
    }
}
