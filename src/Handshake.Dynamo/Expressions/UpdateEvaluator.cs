using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// Applies UpdateExpression actions to an item the caller owns (freshly parsed, so it may be changed in place).
/// As in DynamoDB, every operand is evaluated against the item as it was before the update, then the actions are
/// applied; list elements are removed from the highest index down so indexes keep their original meaning.
/// </summary>
internal static class UpdateEvaluator
{
    private const string InvalidPath = "The document path provided in the update expression is invalid for update";

    public static void Apply(Dictionary<string, AttributeValue> item, List<UpdateAction> actions)
    {
        // Evaluate first: a SET that reads an attribute another action changes sees the old value.
        var values = new AttributeValue?[actions.Count];
        for (int i = 0; i < actions.Count; i++) values[i] = actions[i].Value?.Evaluate(item);

        for (int i = 0; i < actions.Count; i++)
        {
            var action = actions[i];
            switch (action.Kind)
            {
                case UpdateActionKind.Set:
                    Set(item, action.Path, values[i]!);
                    break;
                case UpdateActionKind.Add:
                {
                    var current = action.Path.Resolve(item);
                    Set(item, action.Path, current is null ? values[i]! : Add(current, values[i]!));
                    break;
                }
                case UpdateActionKind.Delete:
                {
                    var current = action.Path.Resolve(item);
                    if (current is null) break;
                    var remaining = Delete(current, values[i]!);
                    if (remaining is null) Remove(item, action.Path);
                    else Set(item, action.Path, remaining);
                    break;
                }
            }
        }

        var removals = new List<AttributePath>();
        foreach (var action in actions) if (action.Kind == UpdateActionKind.Remove) removals.Add(action.Path);
        removals.Sort(static (a, b) => LastIndex(b).CompareTo(LastIndex(a)));
        foreach (var path in removals) Remove(item, path);
    }

    private static int LastIndex(AttributePath path) => path.Elements[^1].IsIndex ? path.Elements[^1].Index : -1;

    private static void Set(Dictionary<string, AttributeValue> item, AttributePath path, AttributeValue value)
    {
        // Containers are changed in place by later actions, so a copied-in map or list must not alias another path.
        value = Copy(value);
        var elements = path.Elements;
        if (elements.Count == 1)
        {
            item[path.TopLevelName] = value;
            return;
        }
        var parent = ParentOf(item, path) ?? throw DynamoException.Validation(InvalidPath);
        var last = elements[^1];
        if (last.IsIndex)
        {
            if (parent.Type != AttributeType.L) throw DynamoException.Validation(InvalidPath);
            // Beyond the end appends, as DynamoDB does.
            if (last.Index >= parent.L.Count) parent.L.Add(value);
            else parent.L[last.Index] = value;
        }
        else
        {
            if (parent.Type != AttributeType.M) throw DynamoException.Validation(InvalidPath);
            parent.M[last.Name!] = value;
        }
    }

    private static void Remove(Dictionary<string, AttributeValue> item, AttributePath path)
    {
        if (path.Elements.Count == 1)
        {
            item.Remove(path.TopLevelName);
            return;
        }
        var parent = ParentOf(item, path);
        if (parent is null) return;
        var last = path.Elements[^1];
        if (last.IsIndex && parent.Type == AttributeType.L && last.Index < parent.L.Count) parent.L.RemoveAt(last.Index);
        else if (!last.IsIndex && parent.Type == AttributeType.M) parent.M.Remove(last.Name!);
    }

    private static AttributeValue Copy(AttributeValue value)
    {
        if (value.Type == AttributeType.M)
        {
            var map = new Dictionary<string, AttributeValue>(value.M.Count, StringComparer.Ordinal);
            foreach (var (name, member) in value.M) map[name] = Copy(member);
            return AttributeValue.FromMap(map);
        }
        if (value.Type == AttributeType.L)
        {
            var list = new List<AttributeValue>(value.L.Count);
            foreach (var element in value.L) list.Add(Copy(element));
            return AttributeValue.FromList(list);
        }
        return value;
    }

    private static AttributeValue? ParentOf(Dictionary<string, AttributeValue> item, AttributePath path) =>
        new AttributePath(path.Elements.GetRange(0, path.Elements.Count - 1)).Resolve(item);

    private static AttributeValue Add(AttributeValue current, AttributeValue operand)
    {
        if (current.Type != operand.Type) throw DynamoException.Validation(UpdateValue.WrongType);
        switch (current.Type)
        {
            case AttributeType.N: return AttributeValue.FromNumber(current.N.Add(operand.N));
            case AttributeType.SS:
            {
                var set = new List<string>(current.SS);
                foreach (var s in operand.SS) if (!set.Contains(s)) set.Add(s);
                return AttributeValue.FromStringSet(set);
            }
            case AttributeType.NS:
            {
                var set = new List<DynamoNumber>(current.NS);
                foreach (var n in operand.NS) if (!set.Contains(n)) set.Add(n);
                return AttributeValue.FromNumberSet(set);
            }
            case AttributeType.BS:
            {
                var set = new List<byte[]>(current.BS);
                foreach (var b in operand.BS) if (!AttributeValue.ContainsBinary(set, b)) set.Add(b);
                return AttributeValue.FromBinarySet(set);
            }
            default: throw DynamoException.Validation(UpdateValue.WrongType);
        }
    }

    /// <summary>The set minus the operand's members, or null when nothing is left (the attribute is removed).</summary>
    private static AttributeValue? Delete(AttributeValue current, AttributeValue operand)
    {
        if (current.Type != operand.Type) throw DynamoException.Validation(UpdateValue.WrongType);
        switch (current.Type)
        {
            case AttributeType.SS:
            {
                var set = current.SS.FindAll(s => !operand.SS.Contains(s));
                return set.Count == 0 ? null : AttributeValue.FromStringSet(set);
            }
            case AttributeType.NS:
            {
                var set = current.NS.FindAll(n => !operand.NS.Contains(n));
                return set.Count == 0 ? null : AttributeValue.FromNumberSet(set);
            }
            case AttributeType.BS:
            {
                var set = current.BS.FindAll(b => !AttributeValue.ContainsBinary(operand.BS, b));
                return set.Count == 0 ? null : AttributeValue.FromBinarySet(set);
            }
            default: throw DynamoException.Validation(UpdateValue.WrongType);
        }
    }
}
