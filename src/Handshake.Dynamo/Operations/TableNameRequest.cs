using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>The request shape of operations whose only member is TableName (DescribeTable, DeleteTable, ...).</summary>
internal static class TableNameRequest
{
    public static string Parse(ReadOnlySpan<byte> body)
    {
        var reader = JsonRequest.Begin(body);
        string? tableName = null;
        while (JsonRequest.NextMember(ref reader))
        {
            if (reader.ValueTextEquals("TableName"u8)) { if (JsonRequest.ValueOf(ref reader)) tableName = JsonRequest.ReadString(ref reader); }
            else JsonRequest.SkipValue(ref reader);
        }
        var errors = new ValidationErrors();
        errors.TableNameOrArn(tableName);
        errors.ThrowIfAny();
        return tableName!;
    }
}
