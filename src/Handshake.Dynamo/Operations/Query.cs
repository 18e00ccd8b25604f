using Handshake.Dynamo.Expressions;
using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;
using Handshake.Dynamo.Storage;

namespace Handshake.Dynamo.Operations;

/// <summary>
/// Query: one partition of the table (or of an index), optionally narrowed by a sort-key condition, read as an
/// index seek over the order-preserving key encoding, forward or backward, one page at a time.
/// </summary>
internal static class Query
{
    public static Task ExecuteAsync(DynamoStore store, ReadOnlyMemory<byte> body, ResponseBuffer response)
    {
        var request = ReadRequest.ParseValidated(body.Span, isScan: false);
        var legacy = request.Legacy;
        LegacyMembers.ThrowIfMixed(
            [(request.ProjectionExpression, "ProjectionExpression"), (request.FilterExpression, "FilterExpression"), (request.KeyConditionExpression, "KeyConditionExpression")],
            [(legacy.AttributesToGet, "AttributesToGet"), (legacy.QueryFilter, "QueryFilter"), (legacy.ConditionalOperator, "ConditionalOperator"),
             (request.KeyConditionExpression is null ? null : legacy.KeyConditions, "KeyConditions")]);
        var legacyFilter = LegacyConditions.FromFilter(legacy.QueryFilter, legacy.ConditionalOperator);
        request.ThrowIfStartKeyInvalid();
        if (legacy.KeyConditions is null && request.KeyConditionExpression is null)
            throw DynamoException.Validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
        request.CheckValuesHaveAnExpression("FilterExpression and KeyConditionExpression", request.FilterExpression is not null || request.KeyConditionExpression is not null);
        var attributes = request.Expressions.Prepare(
            request.ProjectionExpression is not null || request.FilterExpression is not null || request.KeyConditionExpression is not null,
            "FilterExpression and KeyConditionExpression", bareValueErrors: true);
        var keyNode = request.KeyConditionExpression is null ? null : ExpressionParser.ParseCondition(request.KeyConditionExpression, attributes, "KeyConditionExpression");
        var (filter, projection) = request.FilterAndProjection(attributes, legacyFilter);
        var keyCondition = keyNode is not null ? KeyCondition.FromExpression(keyNode) : KeyCondition.FromLegacy(legacy.KeyConditions!);

        var table = store.GetTable(request.TableName!);
        var space = KeySpaces.Resolve(table, request, projection);
        keyCondition.Bind(space.Hash, space.Range);
        if (filter is not null)
        {
            var heads = new HashSet<string>(StringComparer.Ordinal);
            ConditionPaths.CollectTopLevelNames(filter, heads);
            foreach (var key in new[] { space.Hash, space.Range })
                if (key is not null && heads.Contains(key.Name))
                    throw DynamoException.Validation((request.FilterExpression is null ? "QueryFilter" : "Filter Expression")
                        + " can only contain non-primary key attributes: Primary key attribute: " + key.Name);
        }

        byte[] hash = ReadPage.Encode(keyCondition.Hash.Values[0]);
        KeySpaceRow? start = null;
        if (request.ExclusiveStartKey is not null)
        {
            var position = ReadPage.StartPosition(space, request.ExclusiveStartKey);
            if (!position.Hash.AsSpan().SequenceEqual(hash))
                throw DynamoException.Validation("The provided starting key is outside query boundaries based on provided conditions");
            if (space.Range is not null && !keyCondition.RangeMatches(request.ExclusiveStartKey[space.Range.Name]))
                throw DynamoException.Validation("The provided starting key does not match the range key predicate");
            start = position;
        }
        var bounds = Bounds(keyCondition.Range);
        ReadPage.For(request, filter, projection)
            .Respond(store, response, space, connection => space.Read(connection, hash, bounds, start, request.ScanIndexForward));
        return Task.CompletedTask;
    }

    /// <summary>The sort-key condition as encoded seek bounds.</summary>
    internal static RangeBounds Bounds(KeyConditionPart? range)
    {
        if (range is null) return default;
        var first = ReadPage.Encode(range.Values[0]);
        return range.Operator switch
        {
            "EQ" => new RangeBounds(first, true, first, true),
            "LT" => new RangeBounds(null, false, first, false),
            "LE" => new RangeBounds(null, false, first, true),
            "GT" => new RangeBounds(first, false, null, false),
            "GE" => new RangeBounds(first, true, null, false),
            "BETWEEN" => new RangeBounds(first, true, ReadPage.Encode(range.Values[1]), true),
            _ => new RangeBounds(first, true, PrefixSuccessor(first), false),
        };
    }

    // The smallest byte string above every string starting with the prefix; null when there is none (all 0xFF).
    private static byte[]? PrefixSuccessor(byte[] prefix)
    {
        for (int i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] == 0xFF) continue;
            var successor = prefix[..(i + 1)];
            successor[i]++;
            return successor;
        }
        return null;
    }
}
