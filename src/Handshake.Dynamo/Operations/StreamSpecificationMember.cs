using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The StreamSpecification member of CreateTable and UpdateTable: StreamEnabled (required) and StreamViewType.
/// The messages for an inconsistent pair are AWS's, which call the view type "UpdateViewType".
/// </summary>
internal sealed class StreamSpecificationMember
{
    private const string Invalid = "One or more parameter values were invalid: ";

    public bool? StreamEnabled { get; private set; }
    public string? StreamViewType { get; private set; }

    public static StreamSpecificationMember Read(ref Utf8JsonReader reader)
    {
        JsonRequest.ExpectObject(ref reader, JsonShape.Structure);
        var member = new StreamSpecificationMember();
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("StreamEnabled"u8)) { if (JsonRequest.ValueOf(ref reader)) member.StreamEnabled = JsonRequest.ReadBoolean(ref reader); }
            else if (reader.ValueTextEquals("StreamViewType"u8)) { if (JsonRequest.ValueOf(ref reader)) member.StreamViewType = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        return member;
    }

    /// <summary>The member constraints, reported with the request's other validation errors.</summary>
    public void Validate(ValidationErrors errors)
    {
        errors.NotNull(StreamEnabled, "streamSpecification.streamEnabled");
        errors.Enum(StreamViewType, "streamSpecification.streamViewType", "NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY",
            "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY");
    }

    /// <summary>CreateTable's consistency check; returns the view type of the stream to create, or null for none.</summary>
    public string? ForCreateTable()
    {
        if (StreamEnabled == true && StreamViewType is null)
            throw DynamoException.Validation(Invalid + "Table is being created with a stream enabled, UpdateViewType is required");
        if (StreamEnabled == false && StreamViewType is not null)
            throw DynamoException.Validation(Invalid + "Table is being created with a stream disabled, UpdateViewType should not be specified");
        return StreamEnabled == true ? StreamViewType : null;
    }

    /// <summary>UpdateTable's consistency check, before the table's current stream is looked at.</summary>
    public void CheckForUpdateTable()
    {
        if (StreamEnabled == true && StreamViewType is null)
            throw DynamoException.Validation(Invalid + "If stream is being enabled then UpdateViewType is required");
        if (StreamEnabled == false && StreamViewType is not null)
            throw DynamoException.Validation(Invalid + "If stream is being disabled, then UpdateViewType must not be specified");
    }
}
