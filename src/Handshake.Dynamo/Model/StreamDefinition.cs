namespace Handshake.Dynamo.Model;

/// <summary>
/// One DynamoDB stream of a table: created when StreamSpecification enables it, DISABLED when it is switched off or
/// its table is deleted, and forgotten 24 hours after that. A stream has exactly one shard here. Mutated only on the
/// writer thread; read racily for descriptions.
/// </summary>
public sealed class StreamDefinition
{
    /// <summary>The row id in the streams table, which keys its records.</summary>
    public long InternalId { get; internal set; }

    public required string Arn { get; init; }

    /// <summary>The creation time as AWS prints it in the ARN: ISO 8601 with milliseconds, no zone.</summary>
    public required string Label { get; init; }

    public required string TableName { get; init; }

    /// <summary>The table's TableId: a table re-created under the same name does not inherit the old stream.</summary>
    public required string TableId { get; init; }

    /// <summary>KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES.</summary>
    public required string ViewType { get; init; }

    public required KeyAttribute Hash { get; init; }
    public KeyAttribute? Range { get; init; }
    public required DateTimeOffset CreationDateTime { get; init; }
    public required string ShardId { get; init; }

    /// <summary>The first sequence number the stream may hold (the store's next one when it was enabled).</summary>
    public required long StartingSequence { get; init; }

    /// <summary>When the stream was disabled (or its table deleted); null while ENABLED.</summary>
    public DateTimeOffset? DisabledAt { get; internal set; }

    /// <summary>The last sequence number allocated before the stream was disabled; the shard's end.</summary>
    public long? EndingSequence { get; internal set; }

    /// <summary>
    /// The stream's trim horizon: its records up to this sequence number have been trimmed (0: none). Per stream, so
    /// a consumer of a quiet stream is not told its data was trimmed when only other streams' records went.
    /// </summary>
    public long TrimmedThrough { get; internal set; }

    public bool Enabled => DisabledAt is null;

    public string Status => DisabledAt is null ? "ENABLED" : "DISABLED";

    public bool IncludesNewImage => ViewType is "NEW_IMAGE" or "NEW_AND_OLD_IMAGES";
    public bool IncludesOldImage => ViewType is "OLD_IMAGE" or "NEW_AND_OLD_IMAGES";
}
