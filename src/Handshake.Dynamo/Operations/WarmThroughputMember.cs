using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The table-level WarmThroughput member of CreateTable and UpdateTable: ReadUnitsPerSecond and WriteUnitsPerSecond,
/// kept and described (nothing is throttled here). AWS's rules, captured from AWS by the ack-api-quirks project
/// (DDB-TABLE-039, -059, -061, -442): at CreateTable an
/// on-demand table's value may not be below the initial 12,000 reads / 4,000 writes, nor a provisioned table's below
/// its capacity; UpdateTable may raise it (member by member) and never lower it; a member left out keeps its value.
/// </summary>
internal sealed class WarmThroughputMember
{
    private const string Invalid = "One or more parameter values were invalid: ";

    /// <summary>The warm throughput every on-demand table starts with (AWS's "initial throughput for OnDemand").</summary>
    public const long OnDemandRead = 12000, OnDemandWrite = 4000;

    public long? ReadUnits { get; private set; }
    public long? WriteUnits { get; private set; }

    public bool IsEmpty => ReadUnits is null && WriteUnits is null;

    public static WarmThroughputMember Read(ref Utf8JsonReader reader)
    {
        var (read, write) = JsonRequest.ReadLongPair(ref reader, "ReadUnitsPerSecond"u8, "WriteUnitsPerSecond"u8);
        return new WarmThroughputMember { ReadUnits = read, WriteUnits = write };
    }

    /// <summary>
    /// CreateTable's checks against the table's starting throughput, which a member left out takes. Read texts
    /// captured (0/0, 1/1 and -1/-1 on demand; 5/5 under 10/10 provisioned); the write texts follow their pattern
    /// (inferred). A GSI given WarmThroughput when it is created (CreateTable's GlobalSecondaryIndexes, an UpdateTable
    /// Create action) is checked the same way against its own start, the on-demand baseline or its capacity.
    /// </summary>
    /// <param name="subject">"table", or <see cref="ForIndex"/> for a new GSI (the on-demand text's index form is
    /// catalogued by ack-api-quirks DDB-TABLE-442; the provisioned one's is inferred from it).</param>
    public (long Read, long Write) ResolveForCreateTable(bool payPerRequest, long capacityRead, long capacityWrite, string region, string subject = "table")
    {
        string requested = " for WarmThroughput for " + subject + " is lower than ";
        if (payPerRequest)
        {
            const string See = "initial throughput for OnDemand. See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html#on-demand-capacity-mode-initial";
            if (ReadUnits < OnDemandRead) throw DynamoException.Validation(Invalid + "Requested ReadUnitsPerSecond" + requested + See);
            if (WriteUnits < OnDemandWrite) throw DynamoException.Validation(Invalid + "Requested WriteUnitsPerSecond" + requested + See);
        }
        else
        {
            if (ReadUnits < capacityRead) throw DynamoException.Validation(Invalid + "Requested ReadUnitsPerSecond" + requested + "ReadCapacityUnits of ProvisionedThroughput");
            if (WriteUnits < capacityWrite) throw DynamoException.Validation(Invalid + "Requested WriteUnitsPerSecond" + requested + "WriteCapacityUnits of ProvisionedThroughput");
        }
        CheckTableMaximum(region, subject);
        return (ReadUnits ?? (payPerRequest ? OnDemandRead : capacityRead), WriteUnits ?? (payPerRequest ? OnDemandWrite : capacityWrite));
    }

    /// <summary>How AWS's WarmThroughput texts name an index: "index &lt;name&gt;", no colon (DDB-TABLE-443/456).</summary>
    public static string ForIndex(string indexName) => "index " + indexName;

    /// <summary>
    /// UpdateTable's checks against the table's current warm throughput (read text captured by ack-api-quirks; a
    /// public live measurement, us-east-1 2026-08-13, saw the same text naming WriteUnitsPerSecond for a lower write
    /// value); restating the current value is accepted.
    /// </summary>
    /// <param name="subject">"table", or <see cref="ForIndex"/> for a GSI's Update action (the index forms of the
    /// decrease and quota texts are captured, ack-api-quirks DDB-TABLE-456/443).</param>
    public (long Read, long Write) ResolveForUpdateTable(long currentRead, long currentWrite, string region, string subject = "table")
    {
        string lower = " for WarmThroughput for " + subject + " is lower than current WarmThroughput, decreasing WarmThroughput is not supported";
        if (ReadUnits < currentRead) throw DynamoException.Validation(Invalid + "Requested ReadUnitsPerSecond" + lower);
        if (WriteUnits < currentWrite) throw DynamoException.Validation(Invalid + "Requested WriteUnitsPerSecond" + lower);
        CheckTableMaximum(region, subject);
        return (ReadUnits ?? currentRead, WriteUnits ?? currentWrite);
    }

    // AWS refuses an index's warm throughput above the per-table quota with LimitExceededException (captured for an
    // index, DDB-TABLE-171/443); the table's own text is that one's pattern with "for table" (inferred).
    private void CheckTableMaximum(string region, string subject = "table")
    {
        if (ReadUnits > OnDemandThroughputMember.TableMaximum)
            throw new DynamoException(DynamoErrorCode.LimitExceededException,
                "Subscriber limit exceeded: Requested ReadUnitsPerSecond for WarmThroughput for " + subject + " exceeds TableMaxReadCapacityUnits of the account in region " + region);
        if (WriteUnits > OnDemandThroughputMember.TableMaximum)
            throw new DynamoException(DynamoErrorCode.LimitExceededException,
                "Subscriber limit exceeded: Requested WriteUnitsPerSecond for WarmThroughput for " + subject + " exceeds TableMaxWriteCapacityUnits of the account in region " + region);
    }
}
