using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>Resolves the ResourceArn of the tagging operations to a table of this store.</summary>
internal static class ResourceArns
{
    private const string Invalid = "One or more parameter values were invalid: ";

    /// <summary>
    /// <c>arn:aws:dynamodb:&lt;region&gt;:&lt;account&gt;:table/&lt;name&gt;</c>. The refusals are AWS's, captured by the
    /// ack-api-quirks project (DDB-TABLE-442): an ARN not starting <c>arn:</c>, another service's or a backup's ARN, an
    /// index's ARN (which DescribeTable lists but the tag operations refuse), and another region's.
    /// </summary>
    public static TableDefinition Resolve(DynamoStore store, string arn)
    {
        if (!arn.StartsWith("arn:", StringComparison.Ordinal)) throw DynamoException.Validation(Invalid + "ARNs must start with 'arn:': " + arn);
        var parts = arn.Split(':', 6);
        if (parts.Length != 6) throw DynamoException.Validation("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
        if (parts[2] != "dynamodb") throw DynamoException.Validation(Invalid + "Provided Arn is not a DynamoDB resource arn: " + arn);
        if (!parts[5].StartsWith("table/", StringComparison.Ordinal))
            throw DynamoException.Validation("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
        var name = parts[5]["table/".Length..];
        if (name.Contains("/backup/", StringComparison.Ordinal))
            throw DynamoException.Validation(Invalid + "Provided Arn is not a DynamoDB resource arn: " + arn);
        if (name.Contains("/index/", StringComparison.Ordinal))
            throw DynamoException.Validation(Invalid + "Invalid resource arn provided, only table or stream is accepted. Provided resource arn: " + arn);
        if (parts[3] != store.Options.Region) throw DynamoException.Validation("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
        if (parts[4] != store.Options.AccountId || !store.Catalog.TryGet(name, out var table))
            throw DynamoException.ResourceNotFound("Requested resource not found: ResourceArn: " + arn + " not found");
        return table;
    }
}
