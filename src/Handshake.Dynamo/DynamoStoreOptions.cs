namespace Handshake.Dynamo;

/// <summary>How to open a store: where its database lives (or in memory), its clock and its AWS identity.</summary>
public sealed class DynamoStoreOptions
{
    /// <summary>Directory holding the store's single SQLite database (created if missing). Ignored when <see cref="InMemory"/>.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Keep everything in memory: for tests and throwaway runs. Nothing survives disposal.</summary>
    public bool InMemory { get; init; }

    /// <summary>The clock for CreationDateTime and other timestamps; injectable so tests need not wait.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// How often the TTL sweeper deletes expired items (DynamoDB does it "within a few days"; one minute keeps local
    /// runs honest without waiting). Zero or negative turns the background sweeper off;
    /// <see cref="DynamoStore.SweepExpiredItemsAsync"/> still sweeps on demand.
    /// </summary>
    public TimeSpan TimeToLiveSweepInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The WAL size, in frames (pages), above which the background checkpoint rewinds the WAL instead of only copying
    /// it back (see <see cref="Storage.WalCheckpointer"/>). Internal: tests lower it to see a rewind quickly.
    /// </summary>
    internal int WalTruncateAboveFrames { get; init; } = Storage.WalCheckpointer.DefaultTruncateAboveFrames;

    /// <summary>How often the background checkpoint runs. Internal: tests that drive checkpoints themselves lengthen it.</summary>
    internal TimeSpan WalCheckpointInterval { get; init; } = Storage.WalCheckpointer.DefaultInterval;

    public string Region { get; init; } = "us-east-1";

    public string AccountId { get; init; } = "000000000000";
}
