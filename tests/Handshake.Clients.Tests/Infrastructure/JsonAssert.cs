using System.Text.Json;
using System.Text.Json.Nodes;

namespace Handshake.Clients.Tests.Infrastructure;

/// <summary>Assertions on the JSON the oracles observed, with the actual JSON in every failure message.</summary>
public static class JsonAssert
{
    /// <summary>Structural equality: property order does not matter, array order does.</summary>
    public static void Equal(string expectedJson, JsonElement actual)
    {
        using var expected = JsonDocument.Parse(expectedJson);
        if (!JsonElement.DeepEquals(expected.RootElement, actual))
        {
            Assert.Fail($"expected {expected.RootElement}\nactual   {actual}");
        }
    }

    /// <summary>The element at a dotted path of property names; fails if any step is missing.</summary>
    public static JsonElement At(JsonElement element, string path)
    {
        var current = element;
        foreach (var step in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step, out current))
            {
                Assert.Fail($"no {path} in {element}");
            }
        }

        return current;
    }

    public static void Absent(JsonElement element, string property)
    {
        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null)
        {
            Assert.Fail($"{property} should be absent in {element}");
        }
    }

    public static string Text(JsonElement element, string path) =>
        At(element, path).GetString() ?? throw new InvalidOperationException($"{path} is null");

    public static double Number(JsonElement element, string path) => At(element, path).GetDouble();

    /// <summary>The property names of an object, sorted: for projections and items whose attribute order is free.</summary>
    public static string[] Names(JsonElement element)
    {
        var names = new List<string>();
        foreach (var property in element.EnumerateObject())
        {
            names.Add(property.Name);
        }

        names.Sort(StringComparer.Ordinal);
        return [.. names];
    }

    /// <summary>The members of a JSON array of strings, sorted: sets have no order on the wire.</summary>
    public static string[] SortedStrings(JsonElement array)
    {
        var values = new List<string>();
        foreach (var item in array.EnumerateArray())
        {
            values.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
        }

        values.Sort(StringComparer.Ordinal);
        return [.. values];
    }

    /// <summary>A copy with the arrays at the given dotted paths sorted by their members' JSON: for sets and tag lists.</summary>
    public static JsonElement SortArrays(JsonElement element, params string[] paths)
    {
        var root = JsonNode.Parse(element.GetRawText())!;
        foreach (var path in paths)
        {
            var node = root;
            foreach (var step in path.Split('.'))
            {
                node = node?[step];
            }

            if (node is not JsonArray array)
            {
                Assert.Fail($"no array at {path} in {element}");
                return element;
            }

            var members = new List<string>();
            foreach (var member in array)
            {
                members.Add(member?.ToJsonString() ?? "null");
            }

            members.Sort(StringComparer.Ordinal);
            array.Clear();
            foreach (var member in members)
            {
                array.Add(JsonNode.Parse(member));
            }
        }

        using var document = JsonDocument.Parse(root.ToJsonString());
        return document.RootElement.Clone();
    }

    /// <summary>
    /// A copy in which every capacity object's ReadCapacityUnits/WriteCapacityUnits (which DynamoDB may send beside
    /// CapacityUnits) are checked to equal its CapacityUnits and then removed, so expectations can name CapacityUnits only.
    /// </summary>
    public static JsonElement FoldUnitBreakdown(JsonElement element)
    {
        var root = JsonNode.Parse(element.GetRawText())!;
        Fold(root);
        using var document = JsonDocument.Parse(root.ToJsonString());
        return document.RootElement.Clone();
    }

    private static void Fold(JsonNode? node)
    {
        if (node is JsonArray array)
        {
            foreach (var member in array)
            {
                Fold(member);
            }
        }
        else if (node is JsonObject obj)
        {
            if (obj["CapacityUnits"] is { } total)
            {
                foreach (var name in new[] { "ReadCapacityUnits", "WriteCapacityUnits" })
                {
                    if (obj[name] is { } part)
                    {
                        Assert.Equal(total.GetValue<double>(), part.GetValue<double>());
                        obj.Remove(name);
                    }
                }
            }

            foreach (var (_, child) in obj.ToList())
            {
                Fold(child);
            }
        }
    }
}
