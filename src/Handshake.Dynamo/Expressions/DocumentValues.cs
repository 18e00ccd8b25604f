using Handshake.Dynamo.Model;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// Value operations an update needs: a deep copy (maps and lists are mutable containers, and an update must never
/// change the item it read), and set union and difference for ADD and DELETE.
/// </summary>
internal static class DocumentValues
{
    public static AttributeValue DeepCopy(AttributeValue value)
    {
        switch (value.Type)
        {
            case AttributeType.M:
            {
                var map = new Dictionary<string, AttributeValue>(value.M.Count, StringComparer.Ordinal);
                foreach (var (name, member) in value.M) map[name] = DeepCopy(member);
                return AttributeValue.FromMap(map);
            }
            case AttributeType.L:
            {
                var list = new List<AttributeValue>(value.L.Count);
                foreach (var element in value.L) list.Add(DeepCopy(element));
                return AttributeValue.FromList(list);
            }
            case AttributeType.SS: return AttributeValue.FromStringSet([.. value.SS]);
            case AttributeType.NS: return AttributeValue.FromNumberSet([.. value.NS]);
            case AttributeType.BS: return AttributeValue.FromBinarySet([.. value.BS]);
            default: return value;
        }
    }

    /// <summary>The members of <paramref name="set"/> plus those of <paramref name="added"/> not already in it.</summary>
    public static AttributeValue SetUnion(AttributeValue set, AttributeValue added)
    {
        switch (set.Type)
        {
            case AttributeType.SS:
            {
                var result = new List<string>(set.SS);
                var seen = new HashSet<string>(set.SS, StringComparer.Ordinal);
                foreach (var s in added.SS) if (seen.Add(s)) result.Add(s);
                return AttributeValue.FromStringSet(result);
            }
            case AttributeType.NS:
            {
                var result = new List<DynamoNumber>(set.NS);
                var seen = new HashSet<DynamoNumber>(set.NS);
                foreach (var n in added.NS) if (seen.Add(n)) result.Add(n);
                return AttributeValue.FromNumberSet(result);
            }
            case AttributeType.BS:
            {
                var result = new List<byte[]>(set.BS);
                foreach (var b in added.BS) if (!AttributeValue.ContainsBinary(result, b)) result.Add(b);
                return AttributeValue.FromBinarySet(result);
            }
            default: throw Protocol.DynamoException.Validation(UpdateExpression.IncorrectType);
        }
    }

    /// <summary>The members of <paramref name="set"/> not in <paramref name="removed"/>; null when none remain.</summary>
    public static AttributeValue? SetDifference(AttributeValue set, AttributeValue removed)
    {
        switch (set.Type)
        {
            case AttributeType.SS:
            {
                var drop = new HashSet<string>(removed.SS, StringComparer.Ordinal);
                var result = set.SS.FindAll(s => !drop.Contains(s));
                return result.Count == 0 ? null : AttributeValue.FromStringSet(result);
            }
            case AttributeType.NS:
            {
                var drop = new HashSet<DynamoNumber>(removed.NS);
                var result = set.NS.FindAll(n => !drop.Contains(n));
                return result.Count == 0 ? null : AttributeValue.FromNumberSet(result);
            }
            case AttributeType.BS:
            {
                var result = set.BS.FindAll(b => !AttributeValue.ContainsBinary(removed.BS, b));
                return result.Count == 0 ? null : AttributeValue.FromBinarySet(result);
            }
            default: throw Protocol.DynamoException.Validation(UpdateExpression.IncorrectType);
        }
    }
}
