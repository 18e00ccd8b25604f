namespace Handshake.Network.Accounting;

public sealed class ConnectionLedgerOptions
{
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How many closed connections the report lists one by one; totals count every connection regardless.</summary>
    public int RecentCapacity { get; init; } = 1000;

    public Func<string, (string FunctionName, string EnvironmentId)?>? Resolver { get; init; }

    /// <summary>The Scope of the ledger's meter, so that an exporter can tell one server's meter from another's.</summary>
    public object? MeterScope { get; init; }
}
