namespace Handshake.Clients.Tests.Infrastructure;

/// <summary>
/// A class fixture that runs one oracle script once against an in-memory store and once against a durable store
/// (both started for the run, on port 0, and stopped after it), so many checks share one process start.
/// </summary>
public abstract class OracleRuns : IAsyncLifetime
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(90);
    private readonly string program;
    private readonly string script;
    private OracleReport? inMemory;
    private OracleReport? durable;

    protected OracleRuns(string program, string script)
    {
        this.program = program;
        this.script = script;
    }

    public OracleReport For(StoreMode mode) =>
        (mode == StoreMode.InMemory ? inMemory : durable) ?? throw new InvalidOperationException("the fixture did not run");

    public async Task InitializeAsync()
    {
        if (program == "node")
        {
            RepositoryLayout.RequireNodeModules();
        }

        var runs = await Task.WhenAll(RunAsync(StoreMode.InMemory), RunAsync(StoreMode.Durable));
        inMemory = runs[0];
        durable = runs[1];
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<OracleReport> RunAsync(StoreMode mode)
    {
        await using var store = await StoreUnderTest.StartAsync(mode);
        var result = await OracleProcess.RunAsync(program, [script, store.Endpoint], ScriptTimeout);
        return OracleReport.Parse(result, $"{program} {script} ({mode})");
    }
}
