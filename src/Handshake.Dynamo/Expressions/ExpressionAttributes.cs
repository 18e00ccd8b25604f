using Handshake.Dynamo.Model;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Expressions;

/// <summary>
/// ExpressionAttributeNames and ExpressionAttributeValues of one request, with use tracking: after every expression
/// of the request is parsed, AWS rejects placeholders that were supplied but never used.
/// </summary>
internal sealed class ExpressionAttributes(Dictionary<string, string>? names, Dictionary<string, AttributeValue>? values)
{
    private HashSet<string>? _usedNames;
    private HashSet<string>? _usedValues;

    public string ResolveName(string placeholder, string expressionName)
    {
        if (names is null || !names.TryGetValue(placeholder, out var name))
            throw DynamoException.Validation("Invalid " + expressionName + ": An expression attribute name used in the document path is not defined; attribute name: " + placeholder);
        (_usedNames ??= new HashSet<string>(StringComparer.Ordinal)).Add(placeholder);
        return name;
    }

    public AttributeValue ResolveValue(string placeholder, string expressionName)
    {
        if (values is null || !values.TryGetValue(placeholder, out var value))
            throw DynamoException.Validation("Invalid " + expressionName + ": An expression attribute value used in expression is not defined; attribute value: " + placeholder);
        (_usedValues ??= new HashSet<string>(StringComparer.Ordinal)).Add(placeholder);
        return value;
    }

    /// <summary>Resolves a name placeholder, recording AWS's error (and returning the placeholder) when undefined.</summary>
    public string ResolveName(string placeholder, ExpressionErrors errors)
    {
        if (names is null || !names.TryGetValue(placeholder, out var name))
        {
            errors.Add(ExpressionErrors.Undefined, "An expression attribute name used in the document path is not defined; attribute name: " + placeholder);
            return placeholder;
        }
        (_usedNames ??= new HashSet<string>(StringComparer.Ordinal)).Add(placeholder);
        return name;
    }

    /// <summary>Resolves a value placeholder, recording AWS's error (and returning NULL) when undefined.</summary>
    public AttributeValue ResolveValue(string placeholder, ExpressionErrors errors)
    {
        if (values is null || !values.TryGetValue(placeholder, out var value))
        {
            errors.Add(ExpressionErrors.Undefined, "An expression attribute value used in expression is not defined; attribute value: " + placeholder);
            return AttributeValue.Null;
        }
        (_usedValues ??= new HashSet<string>(StringComparer.Ordinal)).Add(placeholder);
        return value;
    }

    /// <summary>Raises AWS's "unused" errors once all of a request's expressions are parsed.</summary>
    public void ThrowIfUnused()
    {
        if (names is not null)
        {
            var unused = new List<string>();
            foreach (var key in names.Keys) if (_usedNames is null || !_usedNames.Contains(key)) unused.Add(key);
            if (unused.Count > 0)
                throw DynamoException.Validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + string.Join(", ", unused) + "}");
        }
        if (values is not null)
        {
            var unused = new List<string>();
            foreach (var key in values.Keys) if (_usedValues is null || !_usedValues.Contains(key)) unused.Add(key);
            if (unused.Count > 0)
                throw DynamoException.Validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + string.Join(", ", unused) + "}");
        }
    }
}
