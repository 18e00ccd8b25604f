using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

internal enum UpdateActionKind : byte
{
    Set, Remove, Add, Delete,
}

/// <summary>One action of an update: SET path = value, REMOVE path, ADD path :v or DELETE path :v.</summary>
internal sealed class UpdateAction(UpdateActionKind kind, AttributePath path, UpdateValue? value)
{
    public UpdateActionKind Kind { get; } = kind;
    public AttributePath Path { get; } = path;
    public UpdateValue? Value { get; } = value;
}

/// <summary>
/// A parsed UpdateExpression (or translated AttributeUpdates). Applying it follows DynamoDB: every SET value is
/// computed from the item as it was before the update, then the actions change a copy of the item; REMOVEs of list
/// elements run last, highest index first, so indexes always refer to the original list.
/// </summary>
internal sealed class UpdateExpression(List<UpdateAction> actions, string typeMismatch = UpdateExpression.IncorrectType)
{
    /// <summary>Legacy AttributeUpdates report a type mismatch in their own words.</summary>
    public const string LegacyTypeMismatch = "Type mismatch for attribute to update";

    public const string InvalidPath = "The document path provided in the update expression is invalid for update";
    public const string IncorrectType = "An operand in the update expression has an incorrect data type";

    public List<UpdateAction> Actions { get; } = actions;

    /// <summary>The updated item, built from <paramref name="old"/> (which is left untouched).</summary>
    public Dictionary<string, AttributeValue> Apply(Dictionary<string, AttributeValue> old) => Apply(old, null);

    /// <summary>
    /// The updated item; <paramref name="landed"/>, when given (one slot per action), receives where each action's
    /// path is in the new item: a SET past the end of a list lands on the index it was appended at, and list
    /// elements after a removed one move down. UPDATED_NEW reads the new values there.
    /// </summary>
    public Dictionary<string, AttributeValue> Apply(Dictionary<string, AttributeValue> old, AttributePath?[]? landed)
    {
        var values = new AttributeValue?[Actions.Count];
        for (int i = 0; i < Actions.Count; i++)
            if (Actions[i].Kind == UpdateActionKind.Set) values[i] = Actions[i].Value!.Evaluate(old);

        var item = new Dictionary<string, AttributeValue>(old.Count + Actions.Count, StringComparer.Ordinal);
        foreach (var (name, value) in old) item[name] = DocumentValues.DeepCopy(value);
        List<UpdateAction>? removes = null;
        // SETs that append to a list (an index past its end) append in index order, whatever the expression order.
        var order = new int[Actions.Count];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) =>
        {
            int byIndex = (Actions[a].Kind == UpdateActionKind.Set ? LastIndex(Actions[a]) : -1)
                .CompareTo(Actions[b].Kind == UpdateActionKind.Set ? LastIndex(Actions[b]) : -1);
            return byIndex != 0 ? byIndex : a.CompareTo(b);
        });
        foreach (int i in order)
        {
            var action = Actions[i];
            switch (action.Kind)
            {
                case UpdateActionKind.Set:
                    int appendedAt = Set(item, action.Path, values[i]!);
                    if (landed is not null) landed[i] = appendedAt < 0 ? action.Path : action.Path.WithLastIndex(appendedAt);
                    break;
                case UpdateActionKind.Add: Add(item, action.Path, ((LiteralValue)action.Value!).Value); break;
                case UpdateActionKind.Delete: Delete(item, action.Path, ((LiteralValue)action.Value!).Value); break;
                default: (removes ??= []).Add(action); break;
            }
        }
        if (removes is not null)
        {
            // Highest list index first, so removing one element does not shift the next one to remove.
            removes.Sort(static (a, b) => LastIndex(b).CompareTo(LastIndex(a)));
            foreach (var remove in removes)
                if (Remove(item, remove.Path) && landed is not null && remove.Path.Elements[^1].IsIndex) ShiftAfterRemove(landed, remove.Path);
        }
        if (landed is not null)
            for (int i = 0; i < Actions.Count; i++)
                if (Actions[i].Kind is UpdateActionKind.Add or UpdateActionKind.Delete) landed[i] ??= Actions[i].Path;
        return item;
    }

    // A removed list element moves every later element of that list down by one, including where other actions landed.
    private void ShiftAfterRemove(AttributePath?[] landed, AttributePath removed)
    {
        int depth = removed.Elements.Count - 1;
        for (int i = 0; i < landed.Length; i++)
        {
            var path = landed[i] ?? (Actions[i].Kind is UpdateActionKind.Add or UpdateActionKind.Delete ? Actions[i].Path : null);
            if (path is null || path.Elements.Count <= depth || !path.Elements[depth].IsIndex || path.Elements[depth].Index <= removed.Elements[depth].Index) continue;
            bool sameList = true;
            for (int k = 0; k < depth && sameList; k++) sameList = path.Elements[k] == removed.Elements[k];
            if (sameList) landed[i] = path.WithIndexAt(depth, path.Elements[depth].Index - 1);
        }
    }

    private static int LastIndex(UpdateAction action)
    {
        var last = action.Path.Elements[^1];
        return last.IsIndex ? last.Index : -1;
    }

    // The container that holds the path's last step, or null when a step is missing or of the wrong type.
    private static AttributeValue? Parent(Dictionary<string, AttributeValue> item, AttributePath path, out bool isItem)
    {
        isItem = path.Elements.Count == 1;
        if (isItem) return null;
        var current = item.GetValueOrDefault(path.TopLevelName);
        for (int i = 1; i < path.Elements.Count - 1 && current is not null; i++)
        {
            var step = path.Elements[i];
            if (step.IsIndex) current = current.Type == AttributeType.L && step.Index < current.L.Count ? current.L[step.Index] : null;
            else current = current.Type == AttributeType.M ? current.M.GetValueOrDefault(step.Name!) : null;
        }
        var last = path.Elements[^1];
        if (current is null || (last.IsIndex ? current.Type != AttributeType.L : current.Type != AttributeType.M))
            throw DynamoException.Validation(InvalidPath);
        return current;
    }

    private static AttributeValue? Get(Dictionary<string, AttributeValue> item, AttributePath path)
    {
        var parent = Parent(item, path, out bool isItem);
        var last = path.Elements[^1];
        if (isItem) return item.GetValueOrDefault(last.Name!);
        if (last.IsIndex) return last.Index < parent!.L.Count ? parent.L[last.Index] : null;
        return parent!.M.GetValueOrDefault(last.Name!);
    }

    // Returns the index a SET past the end of a list appended at, or -1.
    private static int Set(Dictionary<string, AttributeValue> item, AttributePath path, AttributeValue value)
    {
        var parent = Parent(item, path, out bool isItem);
        var last = path.Elements[^1];
        if (isItem) item[last.Name!] = value;
        else if (!last.IsIndex) parent!.M[last.Name!] = value;
        else if (last.Index < parent!.L.Count) parent.L[last.Index] = value;
        else
        {
            parent.L.Add(value); // past the end appends, as DynamoDB does
            return parent.L.Count - 1;
        }
        return -1;
    }

    // Returns whether something was removed.
    private static bool Remove(Dictionary<string, AttributeValue> item, AttributePath path)
    {
        var parent = Parent(item, path, out bool isItem);
        var last = path.Elements[^1];
        if (isItem) return item.Remove(last.Name!);
        if (!last.IsIndex) return parent!.M.Remove(last.Name!);
        if (last.Index >= parent!.L.Count) return false;
        parent.L.RemoveAt(last.Index);
        return true;
    }

    private void Add(Dictionary<string, AttributeValue> item, AttributePath path, AttributeValue operand)
    {
        var existing = Get(item, path);
        if (existing is null)
        {
            Set(item, path, DocumentValues.DeepCopy(operand));
            return;
        }
        if (existing.Type != operand.Type) throw DynamoException.Validation(typeMismatch);
        Set(item, path, existing.Type == AttributeType.N
            ? AttributeValue.FromNumber(existing.N.Add(operand.N))
            : DocumentValues.SetUnion(existing, operand));
    }

    private void Delete(Dictionary<string, AttributeValue> item, AttributePath path, AttributeValue operand)
    {
        var existing = Get(item, path);
        if (existing is null) return;
        if (existing.Type != operand.Type) throw DynamoException.Validation(typeMismatch);
        var remaining = DocumentValues.SetDifference(existing, operand);
        if (remaining is null) Remove(item, path);
        else Set(item, path, remaining);
    }
}

/// <summary>The right-hand side of a SET action, computed against the item before the update.</summary>
internal abstract class UpdateValue
{
    public const string MissingAttribute = "The provided expression refers to an attribute that does not exist in the item";

    public abstract AttributeValue Evaluate(Dictionary<string, AttributeValue> item);
}

internal sealed class LiteralValue(AttributeValue value) : UpdateValue
{
    public AttributeValue Value { get; } = value;
    public override AttributeValue Evaluate(Dictionary<string, AttributeValue> item) => Value;
}

internal sealed class PathValue(AttributePath path) : UpdateValue
{
    public AttributePath Path { get; } = path;
    public override AttributeValue Evaluate(Dictionary<string, AttributeValue> item) =>
        Path.Resolve(item) ?? throw DynamoException.Validation(MissingAttribute);
}

internal sealed class IfNotExistsValue(AttributePath path, UpdateValue fallback) : UpdateValue
{
    public AttributePath Path { get; } = path;
    public UpdateValue Fallback { get; } = fallback;
    public override AttributeValue Evaluate(Dictionary<string, AttributeValue> item) => Path.Resolve(item) ?? Fallback.Evaluate(item);
}

internal sealed class ListAppendValue(UpdateValue first, UpdateValue second, string typeMismatch = UpdateExpression.IncorrectType) : UpdateValue
{
    public UpdateValue First { get; } = first;
    public UpdateValue Second { get; } = second;

    public override AttributeValue Evaluate(Dictionary<string, AttributeValue> item)
    {
        var a = First.Evaluate(item);
        var b = Second.Evaluate(item);
        if (a.Type != AttributeType.L || b.Type != AttributeType.L) throw DynamoException.Validation(typeMismatch);
        var list = new List<AttributeValue>(a.L.Count + b.L.Count);
        list.AddRange(a.L);
        list.AddRange(b.L);
        return AttributeValue.FromList(list);
    }
}

internal sealed class ArithmeticValue(bool plus, UpdateValue left, UpdateValue right) : UpdateValue
{
    public bool Plus { get; } = plus;
    public UpdateValue Left { get; } = left;
    public UpdateValue Right { get; } = right;

    public override AttributeValue Evaluate(Dictionary<string, AttributeValue> item)
    {
        var a = Left.Evaluate(item);
        var b = Right.Evaluate(item);
        if (a.Type != AttributeType.N || b.Type != AttributeType.N) throw DynamoException.Validation(UpdateExpression.IncorrectType);
        return AttributeValue.FromNumber(Plus ? a.N.Add(b.N) : a.N.Subtract(b.N));
    }
}
