using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Operations;

/// <summary>Resolves the ResourceArn of the tagging operations to a table of this store.</summary>
internal static class ResourceArns
{
    public static TableDefinition Resolve(DynamoStore store, string arn)
    {
        // arn:aws:dynamodb:<region>:<account>:table/<name>
        var parts = arn.Split(':', 6);
        if (parts.Length != 6 || parts[0] != "arn" || parts[2] != "dynamodb" || !parts[5].StartsWith("table/", StringComparison.Ordinal))
            throw DynamoException.Validation("Invalid TableArn: Invalid ResourceArn provided as input " + arn);
        var name = parts[5]["table/".Length..];
        if (parts[3] != store.Options.Region || parts[4] != store.Options.AccountId || !store.Catalog.TryGet(name, out var table))
            throw DynamoException.ResourceNotFound("Requested resource not found: ResourceArn: " + arn + " not found");
        return table;
    }
}
