using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The table-level OnDemandThroughput member of CreateTable and UpdateTable: MaxReadRequestUnits and
/// MaxWriteRequestUnits, ceilings an on-demand table keeps and describes (nothing is throttled here). AWS's rules,
/// captured from AWS by the ack-api-quirks project (DDB-TABLE-038, -039, -051, -059, -178, -442, -443) and by
/// dynoxide (#159/#161, eu-west-2): ceilings are refused on a table that is or becomes PROVISIONED, naming the first
/// member present (read first) and the check comes before the range check; a member below 1 is out of range, except
/// that UpdateTable takes -1 to remove a ceiling; UpdateTable merges member by member; a switch to PROVISIONED drops
/// them; an empty {} counts as absent.
/// </summary>
internal sealed class OnDemandThroughputMember
{
    private const string Invalid = "One or more parameter values were invalid: ";

    /// <summary>DescribeLimits' TableMaxReadCapacityUnits and TableMaxWriteCapacityUnits: AWS's default per-table quota.</summary>
    public const long TableMaximum = 40000;

    public long? MaxRead { get; private set; }
    public long? MaxWrite { get; private set; }

    public bool IsEmpty => MaxRead is null && MaxWrite is null;

    public static OnDemandThroughputMember Read(ref Utf8JsonReader reader)
    {
        var (read, write) = JsonRequest.ReadLongPair(ref reader, "MaxReadRequestUnits"u8, "MaxWriteRequestUnits"u8);
        return new OnDemandThroughputMember { MaxRead = read, MaxWrite = write };
    }

    /// <summary>
    /// CreateTable's checks. Its PROVISIONED text differs from UpdateTable's: no "the", and a full stop (both captured).
    /// </summary>
    public void CheckForCreateTable(bool payPerRequest, string region)
    {
        if (!payPerRequest)
            throw DynamoException.Validation(Invalid + FirstMember() + " for OnDemandThroughput cannot be specified when table BillingMode is PROVISIONED.");
        // -1 is out of range here (captured): only UpdateTable reads it as "remove the ceiling".
        CheckRange(v => v < 1);
        CheckTableMaximum(region);
    }

    /// <summary>UpdateTable's checks; <paramref name="provisioned"/> is the billing mode the table will have.</summary>
    /// <param name="subject">"table", or <see cref="ForIndex"/> for a GSI's Update action (AWS's index form of the
    /// range and quota texts, catalogued by ack-api-quirks DDB-TABLE-442/443; the PROVISIONED text is the table's for
    /// an index too, inferred).</param>
    public void CheckForUpdateTable(bool provisioned, string region, string subject = "table")
    {
        if (provisioned) throw RefusedWhenProvisioned();
        CheckRange(v => v == 0 || v < -1, subject);
        CheckTableMaximum(region, subject);
    }

    /// <summary>
    /// The checks for a GSI's ceilings given when the index is created, in CreateTable's GlobalSecondaryIndexes or an
    /// UpdateTable Create action; <paramref name="provisioned"/> is the billing mode the table will have. The texts are
    /// the ones an index's Update action gets (AWS's for a new index are not known: inferred), and the range is
    /// CreateTable's: a new index has no ceiling for -1 to remove.
    /// </summary>
    public void CheckForNewIndex(bool provisioned, string region, string indexName)
    {
        if (provisioned) throw RefusedWhenProvisioned();
        CheckRange(v => v < 1, ForIndex(indexName));
        CheckTableMaximum(region, ForIndex(indexName));
    }

    /// <summary>How AWS's OnDemandThroughput texts name an index: "index : &lt;name&gt;" (DDB-TABLE-442/443).</summary>
    public static string ForIndex(string indexName) => "index : " + indexName;

    // UpdateTable's text, with "the" and without a full stop (captured); an index's too (inferred).
    private DynamoException RefusedWhenProvisioned() =>
        DynamoException.Validation(Invalid + FirstMember() + " for OnDemandThroughput cannot be specified when the table BillingMode is PROVISIONED");

    /// <summary>The ceilings after this update: a given member replaces the current one, -1 removes it.</summary>
    public (long? Read, long? Write) Merge(long? read, long? write) =>
        (MaxRead switch { null => read, -1 => null, var v => v }, MaxWrite switch { null => write, -1 => null, var v => v });

    private string FirstMember() => MaxRead is not null ? "MaxReadRequestUnits" : "MaxWriteRequestUnits";

    private void CheckRange(Func<long, bool> outside, string subject = "table")
    {
        if (MaxRead is { } read && outside(read))
            throw DynamoException.Validation(Invalid + "Requested MaxReadRequestUnits for OnDemandThroughput for " + subject + " is outside of valid range");
        if (MaxWrite is { } write && outside(write))
            throw DynamoException.Validation(Invalid + "Requested MaxWriteRequestUnits for OnDemandThroughput for " + subject + " is outside of valid range");
    }

    // A ceiling above the account's per-table quota (40,000, what DescribeLimits reports) is AWS's LimitExceededException
    // (read text captured, DDB-TABLE-171/443, on UpdateTable; the write text and CreateTable's use of it are inferred).
    private void CheckTableMaximum(string region, string subject = "table")
    {
        if (MaxRead > TableMaximum)
            throw new DynamoException(DynamoErrorCode.LimitExceededException,
                "Subscriber limit exceeded: Requested MaxReadRequestUnits for OnDemandThroughput for " + subject + " exceeds TableMaxReadCapacityUnits of the account in region " + region);
        if (MaxWrite > TableMaximum)
            throw new DynamoException(DynamoErrorCode.LimitExceededException,
                "Subscriber limit exceeded: Requested MaxWriteRequestUnits for OnDemandThroughput for " + subject + " exceeds TableMaxWriteCapacityUnits of the account in region " + region);
    }
}
