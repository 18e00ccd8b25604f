using Amazon.DynamoDBv2.Model;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// A ProjectionExpression and what it returns: top-level attributes as they are; a map member <c>m.x</c> as a map
/// holding only that member; a list element <c>lst[1]</c> as a list holding only that element; nothing for what the
/// item lacks.
/// </summary>
internal sealed record ModelProjection(string Text, string[] Paths)
{
    private static readonly string[] Choices = ["pk", "sk", "a", "cnt", "tags", "g1h", "m.x", "lst[1]"];

    public static ModelProjection Generate(StoreModelGenerator g, ExpressionParts parts)
    {
        string[] paths = Choices.OrderBy(_ => g.Random.Next()).Take(g.Random.Next(1, 4)).ToArray();
        return new(string.Join(", ", paths.Select(path => path switch
        {
            "m.x" => $"{parts.Name("m")}.{parts.Name("x")}",
            "lst[1]" => $"{parts.Name("lst")}[1]",
            _ => parts.Name(path),
        })), paths);
    }

    public Dictionary<string, AttributeValue> Apply(Dictionary<string, AttributeValue> item)
    {
        Dictionary<string, AttributeValue> projected = [];
        foreach (string path in Paths)
        {
            switch (path)
            {
                case "m.x":
                    if (item.GetValueOrDefault("m")?.M?.GetValueOrDefault("x") is { } x)
                    {
                        projected["m"] = new AttributeValue { M = new() { ["x"] = x } };
                    }

                    break;
                case "lst[1]":
                    if (item.GetValueOrDefault("lst")?.L is { Count: > 1 } list)
                    {
                        projected["lst"] = new AttributeValue { L = [list[1]] };
                    }

                    break;
                default:
                    if (item.TryGetValue(path, out AttributeValue? value))
                    {
                        projected[path] = value;
                    }

                    break;
            }
        }

        return projected;
    }
}
