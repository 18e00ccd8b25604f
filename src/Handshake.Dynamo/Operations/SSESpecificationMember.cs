using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The SSESpecification member of CreateTable and UpdateTable: Enabled, SSEType and KMSMasterKeyId. The store keeps
/// no encryption settings (a table describes no SSEDescription), but a specification AWS would refuse is refused here
/// too, with AWS's texts (captured from AWS by the ack-api-quirks project, DDB-TABLE-442; which one AWS gives first
/// when several apply is inferred).
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
}
