using System.Diagnostics.Metrics;
using Handshake.Lambda.Logs;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The functions' logs kept in the data directory's logs.db (Logs/LogDatabase.cs, LogWriter.cs): read back after a
/// restart, pruned to each function's newest events, and never in the way of an invocation when the file fails.
/// </summary>
public sealed class LogPersistenceTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "handshake-logs-" + Guid.NewGuid().ToString("N")[..12]);

    private string LogsFile => Path.Combine(_dataDirectory, LogDatabase.FileName);

    [Fact]
    public async Task The_file_keeps_each_functions_newest_events_which_a_restart_reads_back_even_for_a_deleted_function()
    {
        FunctionHostOptions options = new() { DataDirectory = _dataDirectory, LogEventsPerFunction = 5 };
        TestHost first = TestHost.Start(options);
        await using (first)
        {
            first.AddBash("pruned");
            for (int i = 0; i < 3; i++)
            {
                Assert.Null((await first.InvokeAsync("pruned", "{}")).FunctionError);
            }

            await first.Host.LogsSettledAsync("pruned").WaitAsync(TestHost.Wait);
            // CloudWatch keeps a deleted function's log group; so does the host, in memory and in the file.
            first.Host.DeleteFunction("pruned");
        }

        // Read once the host has stopped: its environment's shutdown may have logged a line of its own (bash's "Terminated").
        FunctionLog stopped = first.Host.Logs.For("pruned");
        (List<LogEvent> kept, long next) = stopped.Snapshot();
        DateTimeOffset? created = stopped.FirstTimestamp;
        Assert.Equal(5, kept.Count);
        Assert.True(next >= 9, $"3 invocations log START, END and REPORT each; {next} events"); // so the first ones were pruned

        // The file holds what the ring held: the 5 newest events, numbered alike.
        Assert.Equal(kept.Select(e => e.Sequence), Query<long>("SELECT sequence FROM log_events WHERE function = 'pruned' ORDER BY sequence;"));
        Assert.Equal(["pruned"], Query<string>("SELECT function FROM log_groups;"));

        await using (TestHost test = TestHost.Start(options, marker: first.Marker))
        {
            Assert.False(test.Host.TryGetFunction("pruned", out _));
            Assert.True(test.Host.Logs.TryGet("pruned", out FunctionLog log));
            (List<LogEvent> restored, long restoredNext) = log.Snapshot();
            Assert.Equal(kept, restored); // sequence, timestamp, stream and message of each
            Assert.Equal(next, restoredNext);
            Assert.Equal(created, log.FirstTimestamp);

            // A function made again under the name goes on in the same log group, numbered after the kept events.
            test.AddBash("pruned");
            Assert.Null((await test.InvokeAsync("pruned", "{}")).FunctionError);
            List<string> messages = await test.LogMessagesAsync("pruned");
            Assert.StartsWith("REPORT RequestId: ", messages[^1]);
            (List<LogEvent> events, long after) = log.Snapshot();
            Assert.True(after >= next + 3, $"{after - next} events after the restart");
            Assert.Equal(Enumerable.Range(0, 5).Select(i => after - 5 + i), events.Select(e => e.Sequence));
        }

        Assert.Equal(5, Query<long>("SELECT sequence FROM log_events WHERE function = 'pruned';").Count);
    }

    [Fact]
    public async Task A_host_whose_logs_file_cannot_be_opened_answers_invocations_and_keeps_its_logs_in_memory()
    {
        // A directory where the file should be: SQLite cannot open it, whoever runs the test (root ignores modes).
        Directory.CreateDirectory(LogsFile);
        await using TestHost test = TestHost.Start(new FunctionHostOptions { DataDirectory = _dataDirectory });
        test.AddBash("degraded");
        for (int i = 0; i < 2; i++)
        {
            Assert.Null((await test.InvokeAsync("degraded", "{}")).FunctionError);
        }

        Assert.Equal(2, (await test.LogMessagesAsync("degraded")).Count(m => m.StartsWith("REPORT RequestId: ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_host_whose_logs_file_refuses_writes_answers_invocations_and_counts_the_events_it_could_not_keep()
    {
        Directory.CreateDirectory(_dataDirectory);
        new LogDatabase(_dataDirectory).Dispose();
        StateFileFaults.RefuseWrites(LogsFile, table: "log_events");

        // The drops are also counted on /metrics (handshake.lambda.log_events.dropped, by function).
        long counted = 0;
        using MeterListener listener = new();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LambdaMetrics.MeterName && instrument.Name == "handshake.lambda.log_events.dropped")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (tag.Key == "function" && (string?)tag.Value == "refused")
                {
                    Interlocked.Add(ref counted, value);
                }
            }
        });
        listener.Start();

        TestHost test = TestHost.Start(new FunctionHostOptions { DataDirectory = _dataDirectory });
        await using (test)
        {
            test.AddBash("refused");
            for (int i = 0; i < 2; i++)
            {
                Assert.Null((await test.InvokeAsync("refused", "{}")).FunctionError);
            }

            Assert.Equal(2, (await test.LogMessagesAsync("refused")).Count(m => m.StartsWith("REPORT RequestId: ", StringComparison.Ordinal)));
        }

        // Disposing flushed the writer: every event was offered to the file, and refused.
        Assert.Equal(test.Host.Logs.For("refused").NextSequence, test.Host.Logs.DroppedFromFile);
        Assert.Equal(test.Host.Logs.DroppedFromFile, Interlocked.Read(ref counted));
        Assert.Empty(Query<long>("SELECT sequence FROM log_events;"));
    }

    [Fact]
    public async Task A_host_without_a_data_directory_writes_no_logs_file()
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("ephemeral");
        Assert.Null((await test.InvokeAsync("ephemeral", "{}")).FunctionError);
        Assert.Contains(await test.LogMessagesAsync("ephemeral"), m => m.StartsWith("REPORT RequestId: ", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(test.Host.DataDirectory, LogDatabase.FileName)));
        Assert.Equal(0, test.Host.Logs.DroppedFromFile);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private List<T> Query<T>(string sql) => SqliteColumn.Read<T>(LogsFile, sql);
}
