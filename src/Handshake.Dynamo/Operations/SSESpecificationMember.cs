using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The SSESpecification member of CreateTable and UpdateTable: Enabled, SSEType and KMSMasterKeyId. A specification
/// AWS would refuse is refused with AWS's texts (captured from AWS by the ack-api-quirks project, DDB-TABLE-442 and
/// -036; which one AWS gives first when several apply is inferred); an accepted one chooses the AWS owned key or a
/// KMS key, which the table keeps as a key ARN (<see cref="Model.TableDefinition.KMSMasterKeyArn"/>).
/// </summary>
internal sealed class SSESpecificationMember
{
    private const string Invalid = "One or more parameter values were invalid: ";

    public bool? Enabled { get; private set; }
    public string? SSEType { get; private set; }
    public string? KMSMasterKeyId { get; private set; }

    public static SSESpecificationMember Read(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        var member = new SSESpecificationMember();
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("Enabled"u8)) { if (JsonRequest.ValueOf(ref reader)) member.Enabled = JsonRequest.ReadBoolean(ref reader); }
            else if (reader.ValueTextEquals("SSEType"u8)) { if (JsonRequest.ValueOf(ref reader)) member.SSEType = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("KMSMasterKeyId"u8)) { if (JsonRequest.ValueOf(ref reader)) member.KMSMasterKeyId = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        return member;
    }

    /// <summary>The model's enum constraint on SSEType, reported with the request's other validation errors.</summary>
    public void Validate(ValidationErrors errors) =>
        errors.Enum(SSEType, "sSESpecification.sSEType", "AES256, KMS", "AES256", "KMS");

    /// <summary>The combinations AWS refuses once the members themselves are valid.</summary>
    public void Check()
    {
        if (Enabled == false && SSEType is not null) throw DynamoException.Validation(Invalid + "SSEType can not be specified if Enabled is false");
        if (Enabled == false && KMSMasterKeyId is not null) throw DynamoException.Validation(Invalid + "KMSMasterKeyId can not be specified if Enabled is false");
        if (KMSMasterKeyId is not null && SSEType != "KMS") throw DynamoException.Validation(Invalid + "SSEType KMS is required if KMSMasterKeyId is specified");
        if (SSEType == "AES256") throw DynamoException.Validation(Invalid + "SSEType AES256 is not supported");
    }

    /// <summary>
    /// Whether a checked specification asks for a KMS key rather than the AWS owned key. Without Enabled, SSEType KMS
    /// alone asks for one and <c>{}</c> does not (DDB-TABLE-044, at CreateTable; UpdateTable answers the same shapes
    /// alike, DDB-TABLE-141 and the catalogue's "SSESpecification {} / Enabled:false" no-op).
    /// </summary>
    public bool RequestsKmsKey => Enabled ?? SSEType == "KMS";

    /// <summary>
    /// The key ARN AWS would describe for this specification's key: the AWS managed key <c>alias/aws/dynamodb</c>
    /// when no key is given, a key ARN as given, a key id in the store's region and account. AWS resolves an alias
    /// through KMS, which the store does not have, so an alias (name or ARN) gets a key ARN derived from the alias:
    /// the same alias always gives the same key, and <c>alias/aws/dynamodb</c> gives the AWS managed key, as on AWS.
    /// </summary>
    public string ResolveKeyArn(string region, string accountId)
    {
        const string AliasPrefix = "alias/";
        string? id = KMSMasterKeyId;
        if (id is null) return AliasKeyArn(region, accountId, AwsManagedKeyAlias);
        if (id.StartsWith(AliasPrefix, StringComparison.Ordinal)) return AliasKeyArn(region, accountId, id);
        if (id.StartsWith("arn:", StringComparison.Ordinal))
        {
            // arn:<partition>:kms:<region>:<account>:alias/<name>: the alias in the ARN's own region and account.
            string[] parts = id.Split(':', 6);
            if (parts.Length == 6 && parts[2] == "kms" && parts[5].StartsWith(AliasPrefix, StringComparison.Ordinal))
                return AliasKeyArn(parts[3], parts[4], parts[5]);
            return id;
        }
        return $"arn:aws:kms:{region}:{accountId}:key/{id}";
    }

    /// <summary>The alias of the AWS managed key for DynamoDB, which AWS uses when SSE is enabled with no key given.</summary>
    private const string AwsManagedKeyAlias = "alias/aws/dynamodb";

    /// <summary>
    /// A stable key ARN for an alias in a region and account: its key id is a UUID made from the SHA-256 of the three
    /// (marked version 8, which RFC 9562 uses for a name-based UUID on SHA-256), so the AWS managed key has one ARN per
    /// region and account, as on AWS, and a restart or another store answers the same one.
    /// </summary>
    private static string AliasKeyArn(string region, string accountId, string alias)
    {
        Span<byte> hash = stackalloc byte[32];
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(region + "\n" + accountId + "\n" + alias), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var key = new Guid(hash[..16], bigEndian: true);
        return $"arn:aws:kms:{region}:{accountId}:key/{key:D}";
    }
}
