namespace Handshake.Dynamo.Model;

/// <summary>A key attribute of a table or index: its name and scalar type (S, N or B).</summary>
public sealed record KeyAttribute(string Name, AttributeType Type);

/// <summary>
/// A secondary index: its schema as declared (immutable) and its live state (status, counters), changed only on the
/// writer thread and read racily for descriptions. <see cref="InternalId"/> keys its rows in the index_items table.
/// </summary>
public sealed class SecondaryIndexDefinition(
    string indexName,
    bool isGlobal,
    KeyAttribute hash,
    KeyAttribute? range,
    string projectionType,
    IReadOnlyList<string>? nonKeyAttributes,
    long readCapacityUnits,
    long writeCapacityUnits)
{
    public string IndexName { get; } = indexName;
    public bool IsGlobal { get; } = isGlobal;
    public KeyAttribute Hash { get; } = hash;
    public KeyAttribute? Range { get; } = range;
    public string ProjectionType { get; } = projectionType;
    public IReadOnlyList<string>? NonKeyAttributes { get; } = nonKeyAttributes;
    public long ReadCapacityUnits { get; set; } = readCapacityUnits;
    public long WriteCapacityUnits { get; set; } = writeCapacityUnits;

    /// <summary>A GSI's OnDemandThroughput ceilings as given when it was created or set by an UpdateTable Update action (null: none).</summary>
    public long? MaxReadRequestUnits { get; set; }
    public long? MaxWriteRequestUnits { get; set; }

    /// <summary>
    /// A GSI's WarmThroughput as given when it was created or raised by an UpdateTable Update action; null if never
    /// given, when DescribeTable reports the on-demand baseline or the index's capacity.
    /// </summary>
    public long? WarmReadUnitsPerSecond { get; set; }
    public long? WarmWriteUnitsPerSecond { get; set; }

    /// <summary>The index_items key of this index; assigned when the index is stored.</summary>
    public long InternalId { get; internal set; }

    /// <summary>CREATING while a GSI added by UpdateTable is backfilled, then ACTIVE.</summary>
    public string IndexStatus { get; internal set; } = "ACTIVE";

    public bool Backfilling { get; internal set; }

    internal ItemCounters Counters { get; } = new();

    public long ItemCount => Counters.ItemCount;
    public long IndexSizeBytes => Counters.SizeBytes;

    /// <summary>Whether the index holds <paramref name="attribute"/> besides its keys and the table's keys.</summary>
    public bool Projects(string attribute)
    {
        if (ProjectionType == "ALL") return true;
        if (NonKeyAttributes is null) return false;
        foreach (var name in NonKeyAttributes) if (name == attribute) return true;
        return false;
    }
}

/// <summary>
/// A table's metadata. Mutated only on the store's single writer thread (copy-on-write for collections), and read
/// from any thread: scalar fields are read racily, which is fine for a description a moment old.
/// </summary>
public sealed class TableDefinition
{
    public required long InternalId { get; init; }
    public required string Name { get; init; }
    public required string TableId { get; init; }
    public required string Arn { get; init; }
    public required DateTimeOffset CreationDateTime { get; init; }
    public required KeyAttribute Hash { get; init; }
    public KeyAttribute? Range { get; init; }

    /// <summary>The AttributeDefinitions as given (name, type), in request order.</summary>
    public required IReadOnlyList<KeyAttribute> AttributeDefinitions { get; set; }

    /// <summary>Secondary indexes, replaced as a whole (copy-on-write) when UpdateTable adds or deletes one.</summary>
    public IReadOnlyList<SecondaryIndexDefinition> Indexes { get; set; } = [];

    public SecondaryIndexDefinition? FindIndex(string indexName)
    {
        foreach (var index in Indexes) if (index.IndexName == indexName) return index;
        return null;
    }

    public string BillingMode { get; set; } = "PROVISIONED";
    public long ReadCapacityUnits { get; set; }
    public long WriteCapacityUnits { get; set; }
    public DateTimeOffset? LastIncreaseDateTime { get; set; }
    public DateTimeOffset? LastDecreaseDateTime { get; set; }
    public DateTimeOffset? LastUpdateToPayPerRequestDateTime { get; set; }
    public int NumberOfDecreasesToday { get; set; }
    public bool DeletionProtectionEnabled { get; set; }

    /// <summary>
    /// OnDemandThroughput's ceilings as CreateTable or UpdateTable set them (null: none; both null: no
    /// OnDemandThroughput is described). Kept and described only: nothing is throttled here.
    /// </summary>
    public long? MaxReadRequestUnits { get; set; }
    public long? MaxWriteRequestUnits { get; set; }

    /// <summary>
    /// The table's WarmThroughput: what it was created with (12,000/4,000 on demand, the capacity when provisioned,
    /// or a higher value given), raised by UpdateTable's WarmThroughput, by a capacity increase and by a switch to on
    /// demand, and never lowered, as AWS reports it. Described only.
    /// </summary>
    public long WarmReadUnitsPerSecond { get; set; }
    public long WarmWriteUnitsPerSecond { get; set; }

    /// <summary>
    /// STANDARD or STANDARD_INFREQUENT_ACCESS as CreateTable or UpdateTable set it; null when never given, and then
    /// DescribeTable has no TableClassSummary. Kept and described only: storage is the same for both.
    /// </summary>
    public string? TableClass { get; set; }

    /// <summary>When UpdateTable last changed <see cref="TableClass"/> (TableClassSummary.LastUpdateDateTime).</summary>
    public DateTimeOffset? TableClassUpdateDateTime { get; set; }

    /// <summary>
    /// The KMS key the table is encrypted with (SSEDescription.KMSMasterKeyArn), resolved to a key ARN when CreateTable
    /// or UpdateTable set it, as AWS resolves an alias once at write time; null for the AWS owned key, which DynamoDB
    /// describes with no SSEDescription. Kept and described only: nothing is encrypted with it.
    /// </summary>
    public string? KMSMasterKeyArn { get; set; }

    /// <summary>Tags, replaced as a whole on change so readers never see a dictionary being mutated.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>
    /// Point-in-time recovery as UpdateContinuousBackups set it: recorded and described only (this store keeps no
    /// restorable history, and RestoreTableToPointInTime is not an operation here).
    /// </summary>
    public bool PointInTimeRecoveryEnabled { get; set; }

    /// <summary>When PITR was last enabled (the EarliestRestorableDateTime DescribeContinuousBackups reports).</summary>
    public DateTimeOffset? PointInTimeRecoveryEnabledDateTime { get; set; }

    /// <summary>RecoveryPeriodInDays (1-35, DynamoDB's default 35) while PITR is enabled.</summary>
    public int RecoveryPeriodInDays { get; set; } = 35;

    public string? TimeToLiveAttribute { get; set; }
    public bool TimeToLiveEnabled { get; set; }

    internal ItemCounters Counters { get; } = new();

    public long ItemCount => Counters.ItemCount;
    public long TableSizeBytes => Counters.SizeBytes;

    /// <summary>
    /// The table's enabled stream, or null. The write path checks only this field: a table without a stream pays
    /// nothing more per write.
    /// </summary>
    public StreamDefinition? Stream { get; internal set; }

    /// <summary>The table's most recent stream, enabled or not (DescribeTable's LatestStreamArn and LatestStreamLabel).</summary>
    public StreamDefinition? LatestStream { get; internal set; }

    /// <summary>Set by DeleteTable on the writer thread, so a write queued before the delete finds the table gone.</summary>
    public bool IsDeleted { get; internal set; }
}
