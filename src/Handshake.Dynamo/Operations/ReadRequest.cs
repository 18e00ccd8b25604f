using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// The request members Query and Scan share (and the few each adds), read in one forward pass, with the member
/// constraints AWS checks first and the Select / projection rules both operations apply.
/// </summary>
internal sealed class ReadRequest
{
    public string? TableName, IndexName, Select, ReturnConsumedCapacity;
    public string? ProjectionExpression, FilterExpression, KeyConditionExpression;
    public long? Limit, Segment, TotalSegments;
    public bool ConsistentRead;
    public bool ScanIndexForward = true;
    public Dictionary<string, AttributeValue>? ExclusiveStartKey;
    public string? ValueError, StartKeyError;
    public readonly ExpressionMembers Expressions = new();
    public readonly LegacyMembers Legacy = new();

    public static ReadRequest Parse(ReadOnlySpan<byte> body)
    {
        var r = new ReadRequest();
        var reader = JsonRequest.Begin(body);
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) r.TableName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("IndexName"u8)) { if (JsonRequest.ValueOf(ref reader)) r.IndexName = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Select"u8)) { if (JsonRequest.ValueOf(ref reader)) r.Select = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("Limit"u8)) { if (JsonRequest.ValueOf(ref reader)) r.Limit = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
            else if (reader.ValueTextEquals("Segment"u8)) { if (JsonRequest.ValueOf(ref reader)) r.Segment = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
            else if (reader.ValueTextEquals("TotalSegments"u8)) { if (JsonRequest.ValueOf(ref reader)) r.TotalSegments = JsonRequest.ReadLong(ref reader, JsonShape.Integer); }
            else if (reader.ValueTextEquals("ConsistentRead"u8)) { if (JsonRequest.ValueOf(ref reader)) r.ConsistentRead = JsonRequest.ReadBoolean(ref reader); }
            else if (reader.ValueTextEquals("ScanIndexForward"u8)) { if (JsonRequest.ValueOf(ref reader)) r.ScanIndexForward = JsonRequest.ReadBoolean(ref reader); }
            else if (reader.ValueTextEquals("ExclusiveStartKey"u8)) { if (JsonRequest.ValueOf(ref reader)) r.ExclusiveStartKey = AttributeValueJson.ReadMap(ref reader, ref r.StartKeyError); }
            else if (reader.ValueTextEquals("ProjectionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) r.ProjectionExpression = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("FilterExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) r.FilterExpression = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("KeyConditionExpression"u8)) { if (JsonRequest.ValueOf(ref reader)) r.KeyConditionExpression = JsonRequest.ReadString(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeNames"u8)) { if (JsonRequest.ValueOf(ref reader)) r.Expressions.ReadNames(ref reader); }
            else if (reader.ValueTextEquals("ExpressionAttributeValues"u8)) { if (JsonRequest.ValueOf(ref reader)) r.Expressions.ReadValues(ref reader); }
            else if (reader.ValueTextEquals("ReturnConsumedCapacity"u8)) { if (JsonRequest.ValueOf(ref reader)) r.ReturnConsumedCapacity = JsonRequest.ReadString(ref reader); }
            else if (!r.Legacy.TryRead(ref reader, ref r.ValueError)) JsonRequest.SkipValue(ref reader);
        }
        return r;
    }

    /// <summary>A Query or Scan request with its member constraints checked, then its attribute values.</summary>
    public static ReadRequest ParseValidated(ReadOnlySpan<byte> body, bool isScan)
    {
        var request = Parse(body);
        request.ValidateMembers(isScan);
        if (request.ValueError is not null) throw DynamoException.Validation(request.ValueError);
        return request;
    }

    /// <summary>
    /// The filter (the FilterExpression, else the legacy one) and the projection, parsed in that order after any key
    /// condition, then AWS's check that every ExpressionAttributeNames/Values entry was used.
    /// </summary>
    public (ConditionNode? Filter, List<AttributePath>? Projection) FilterAndProjection(ExpressionAttributes attributes, ConditionNode? legacyFilter)
    {
        var filter = FilterExpression is null ? legacyFilter : ExpressionParser.ParseCondition(FilterExpression, attributes, "FilterExpression");
        var projection = Projection(attributes);
        attributes.ThrowIfUnused();
        return (filter, projection);
    }

    /// <summary>Member constraints, in one "N validation errors detected" message as AWS sends them.</summary>
    public void ValidateMembers(bool isScan)
    {
        var errors = new ValidationErrors();
        errors.TableNameOrArn(TableName);
        if (IndexName is not null) errors.TableName(IndexName, "indexName");
        if (Limit is < 1) errors.Add(Limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "limit", "Member must have value greater than or equal to 1");
        errors.Enum(Select, "select", "SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES",
            "SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES");
        ConsumedCapacity.Validate(ReturnConsumedCapacity, errors);
        if (isScan)
        {
            if (Segment is < 0) errors.Add(Segment.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "segment", "Member must have value greater than or equal to 0");
            if (Segment is > 999999) errors.Add(Segment.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "segment", "Member must have value less than or equal to 999999");
            if (TotalSegments is < 1) errors.Add(TotalSegments.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "totalSegments", "Member must have value greater than or equal to 1");
            if (TotalSegments is > 1000000) errors.Add(TotalSegments.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), "totalSegments", "Member must have value less than or equal to 1000000");
        }
        Legacy.ValidateMembers(errors);
        errors.ThrowIfAny();
    }

    /// <summary>ExpressionAttributeValues need an expression that can use values (projections cannot).</summary>
    public void CheckValuesHaveAnExpression(string valueExpressions, bool anyValueExpression)
    {
        if (Expressions.Values is not null && !anyValueExpression)
            throw DynamoException.Validation("ExpressionAttributeValues can only be specified when using expressions: " + valueExpressions
                + (valueExpressions.Contains(" and ", StringComparison.Ordinal) ? " are null" : " is null"));
    }

    /// <summary>The projection (ProjectionExpression or AttributesToGet) after AWS's Select rules; null for whole items.</summary>
    public List<AttributePath>? Projection(ExpressionAttributes attributes)
    {
        var paths = GetItem.ProjectionPaths(ProjectionExpression, Legacy.AttributesToGet, attributes);
        string given = ProjectionExpression is not null ? "ProjectionExpression" : "AttributesToGet";
        if (paths is not null && Select is not null && Select != "SPECIFIC_ATTRIBUTES")
            throw DynamoException.Validation("Cannot specify the " + given + " when choosing to get " + (Select == "COUNT" ? "only the Count" : Select));
        if (paths is null && Select == "SPECIFIC_ATTRIBUTES")
            throw DynamoException.Validation("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
        if (Select == "ALL_PROJECTED_ATTRIBUTES" && IndexName is null)
            throw DynamoException.Validation("ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName");
        return paths;
    }

    public void ThrowIfStartKeyInvalid()
    {
        if (StartKeyError is not null) throw DynamoException.Validation("The provided starting key is invalid: " + StartKeyError);
    }
}
