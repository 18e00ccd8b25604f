using System.Text.Json;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// The JSON type of a request member in Lambda's API model (string, integer, boolean, list, map, structure), so that a
/// control-plane body is checked against its operation's input as it is read (<see cref="JsonResponse.ReadAsync"/>).
/// Lambda deserializes the body into its model before it validates anything, so a member of the wrong JSON type is
/// 400 InvalidRequestContentException "Could not parse request body into json: ..." whether or not the operation uses
/// the member. Before this, only the integer members the host read were checked: <c>"Publish": "yes"</c>,
/// <c>"Tags": [1]</c> or <c>"Environment": []</c> were silently ignored, and a request AWS refuses passed here.
/// </summary>
/// <remarks>
/// JSON null is an absent member, as Lambda reads it. Members the model does not have are ignored (the host's
/// behaviour before this, and what lets an older host take a newer SDK's request). The types are strict: a number
/// sent as a string is refused, as the host refused it before for integers. The message after Lambda's prefix is the
/// host's: no wrong-typed control-plane answer of Lambda's was found in public material (README, known limits).
/// </remarks>
internal sealed class RequestShape
{
    public static readonly RequestShape String = new(Kind.String);

    /// <summary>A blob member (Code.ZipFile): base64 text in the JSON protocol.</summary>
    public static readonly RequestShape Blob = String;

    public static readonly RequestShape Integer = new(Kind.Integer);
    public static readonly RequestShape Double = new(Kind.Double);
    public static readonly RequestShape Boolean = new(Kind.Boolean);

    /// <summary>A timestamp member: the SDKs send epoch seconds (a number); an ISO 8601 string is taken too.</summary>
    public static readonly RequestShape Timestamp = new(Kind.Timestamp);

    public static readonly RequestShape StringList = List(String);
    public static readonly RequestShape StringMap = Map(String);

    private readonly Kind _kind;
    private readonly RequestShape? _member;
    private readonly Dictionary<string, RequestShape>? _members;

    private RequestShape(Kind kind, RequestShape? member = null, Dictionary<string, RequestShape>? members = null)
    {
        _kind = kind;
        _member = member;
        _members = members;
    }

    private enum Kind
    {
        String,
        Integer,
        Double,
        Boolean,
        Timestamp,
        List,
        Map,
        Structure,
    }

    public static RequestShape List(RequestShape member) => new(Kind.List, member);

    /// <summary>A map with string keys (JSON's own) and values of <paramref name="value"/>'s type.</summary>
    public static RequestShape Map(RequestShape value) => new(Kind.Map, value);

    public static RequestShape Structure(params (string Name, RequestShape Shape)[] members) =>
        new(Kind.Structure, members: members.ToDictionary(static m => m.Name, static m => m.Shape, StringComparer.Ordinal));

    /// <summary>Checks a request body (the operation's input structure), or a member of one at <paramref name="path"/>.</summary>
    /// <exception cref="LambdaException">InvalidRequestContentException naming the first member of the wrong JSON type.</exception>
    public void Check(JsonElement value, string path = "")
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        bool fits = _kind switch
        {
            Kind.String => value.ValueKind == JsonValueKind.String,
            Kind.Integer or Kind.Double => value.ValueKind == JsonValueKind.Number,
            Kind.Boolean => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
            Kind.Timestamp => value.ValueKind is JsonValueKind.Number or JsonValueKind.String,
            Kind.List => value.ValueKind == JsonValueKind.Array,
            _ => value.ValueKind == JsonValueKind.Object,
        };
        if (!fits)
        {
            throw new LambdaException(400, "InvalidRequestContentException",
                $"Could not parse request body into json: {path} must be {Expected()}, not {Actual(value.ValueKind)}.");
        }

        switch (_kind)
        {
            case Kind.List:
                int index = 0;
                foreach (JsonElement item in value.EnumerateArray())
                {
                    _member!.Check(item, $"{path}[{index++}]");
                }

                break;
            case Kind.Map:
                foreach (JsonProperty entry in value.EnumerateObject())
                {
                    _member!.Check(entry.Value, $"{path}.{entry.Name}");
                }

                break;
            case Kind.Structure:
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    if (_members!.TryGetValue(property.Name, out RequestShape? shape))
                    {
                        shape.Check(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}");
                    }
                }

                break;
        }
    }

    private string Expected() => _kind switch
    {
        Kind.String => "a string",
        Kind.Integer => "an integer",
        Kind.Double => "a number",
        Kind.Boolean => "a boolean",
        Kind.Timestamp => "a timestamp",
        Kind.List => "a list",
        _ => "an object",
    };

    private static string Actual(JsonValueKind kind) => kind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "a JSON array",
        JsonValueKind.Object => "a JSON object",
        _ => "a JSON " + kind.ToString().ToLowerInvariant(),
    };
}
