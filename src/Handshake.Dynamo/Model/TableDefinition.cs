namespace Handshake.Dynamo.Model;

/// <summary>A key attribute of a table or index: its name and scalar type (S, N or B).</summary>
public sealed record KeyAttribute(string Name, AttributeType Type);

/// <summary>A secondary index as declared at creation; described back to clients. Maintenance comes with issue 5.</summary>
public sealed record SecondaryIndexDefinition(
    string IndexName,
    bool IsGlobal,
    KeyAttribute Hash,
    KeyAttribute? Range,
    string ProjectionType,
    IReadOnlyList<string>? NonKeyAttributes,
    long ReadCapacityUnits,
    long WriteCapacityUnits);

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
    public required IReadOnlyList<KeyAttribute> AttributeDefinitions { get; init; }

    public IReadOnlyList<SecondaryIndexDefinition> Indexes { get; init; } = [];

    public string BillingMode { get; set; } = "PROVISIONED";
    public long ReadCapacityUnits { get; set; }
    public long WriteCapacityUnits { get; set; }
    public DateTimeOffset? LastIncreaseDateTime { get; set; }
    public DateTimeOffset? LastDecreaseDateTime { get; set; }
    public DateTimeOffset? LastUpdateToPayPerRequestDateTime { get; set; }
    public int NumberOfDecreasesToday { get; set; }
    public bool DeletionProtectionEnabled { get; set; }

    /// <summary>Tags, replaced as a whole on change so readers never see a dictionary being mutated.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string? TimeToLiveAttribute { get; set; }
    public bool TimeToLiveEnabled { get; set; }

    private long _itemCount;
    private long _sizeBytes;

    public long ItemCount => Volatile.Read(ref _itemCount);
    public long TableSizeBytes => Volatile.Read(ref _sizeBytes);

    internal void SetCounters(long itemCount, long sizeBytes)
    {
        Volatile.Write(ref _itemCount, itemCount);
        Volatile.Write(ref _sizeBytes, sizeBytes);
    }

    internal void AddCounters(long itemDelta, long sizeDelta)
    {
        Interlocked.Add(ref _itemCount, itemDelta);
        Interlocked.Add(ref _sizeBytes, sizeDelta);
    }

    /// <summary>Set by DeleteTable on the writer thread, so a write queued before the delete finds the table gone.</summary>
    public bool IsDeleted { get; internal set; }
}
