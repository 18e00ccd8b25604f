using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// Lambda's FunctionUrlConfig shape, and the members the URL operations share, validated as Lambda does (the model's
/// constraints in AWS's "1 validation error detected" wording; the qualifier checks and their two patterns as
/// LocalStack's parity tests record AWS's answers).
/// </summary>
internal static class FunctionUrlConfigJson
{
    /// <summary>The model's FunctionUrlQualifier pattern: an alias name, so neither $LATEST nor a version number.</summary>
    private const string QualifierPattern = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)";

    /// <summary>
    /// The function name and the qualifier (from ?Qualifier= or the ARN) a URL operation names: null for the
    /// unqualified function, otherwise an alias name.
    /// </summary>
    /// <exception cref="LambdaException">ValidationException for $LATEST, a version number or a malformed alias name.</exception>
    public static string Resolve(FunctionHost host, HttpContext context, string nameOrArn, out string? qualifier)
    {
        qualifier = context.Request.Query["Qualifier"].ToString() is { Length: > 0 } q ? q : null;
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        if (qualifier is null)
        {
            return name;
        }

        if (qualifier.Length > 0 && qualifier.All(char.IsAsciiDigit))
        {
            // A version: the model's pattern allows no digits-only name either, but Lambda answers it with its own pattern.
            throw LambdaException.Validation($"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (^\\$LATEST$)|((?!^[0-9]+$)([a-zA-Z0-9-_]+))");
        }

        if (qualifier.Length > 128 || !qualifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw LambdaException.Validation(qualifier.Length > 128
                ? $"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: Member must have length less than or equal to 128"
                : $"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: {QualifierPattern}");
        }

        return name;
    }

    /// <exception cref="LambdaException">ValidationException: the model's enum [NONE, AWS_IAM]; null when <paramref name="required"/>.</exception>
    public static string? AuthType(JsonElement body, bool required)
    {
        string? value = Member(body, "AuthType");
        if (value is null)
        {
            return required ? throw LambdaException.Validation("1 validation error detected: Value null at 'authType' failed to satisfy constraint: Member must not be null") : null;
        }

        return value is FunctionUrlConfig.AuthNone or FunctionUrlConfig.AuthIam
            ? value
            : throw LambdaException.Validation($"1 validation error detected: Value '{value}' at 'authType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, AWS_IAM]");
    }

    /// <summary>InvokeMode, or null when absent.</summary>
    /// <exception cref="LambdaException">ValidationException: the model's enum [BUFFERED, RESPONSE_STREAM].</exception>
    public static string? InvokeMode(JsonElement body)
    {
        string? value = Member(body, "InvokeMode");
        return value is null or FunctionUrlConfig.Buffered or FunctionUrlConfig.ResponseStream
            ? value
            : throw LambdaException.Validation($"1 validation error detected: Value '{value}' at 'invokeMode' failed to satisfy constraint: Member must satisfy enum value set: [BUFFERED, RESPONSE_STREAM]");
    }

    /// <summary>The Cors member, or null when absent.</summary>
    /// <exception cref="LambdaException">ValidationException for a MaxAge outside 0..86400 or a list outside the model's constraints (<see cref="CheckList"/>).</exception>
    public static FunctionUrlCors? Cors(JsonElement body)
    {
        if (!body.TryGetProperty("Cors", out JsonElement cors) || cors.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        int? maxAge = JsonResponse.Int(cors, "MaxAge", int.MinValue, int.MaxValue);
        if (maxAge is < 0 or > 86400)
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{maxAge}' at 'cors.maxAge' failed to satisfy constraint: Member must have value {(maxAge < 0 ? "greater than or equal to 0" : "less than or equal to 86400")}");
        }

        // The Cors type's constraints (API reference, "Cors"): headers up to 1024 characters, methods up to 6, origins
        // 1 to 253; at most 100 entries (6 methods); every entry matching .* (no line terminator).
        return new FunctionUrlCors
        {
            AllowCredentials = cors.TryGetProperty("AllowCredentials", out JsonElement credentials) && credentials.ValueKind is JsonValueKind.True or JsonValueKind.False ? credentials.GetBoolean() : null,
            AllowHeaders = CheckList(Strings(cors, "AllowHeaders"), "allowHeaders", 100, 0, 1024),
            AllowMethods = CheckList(Strings(cors, "AllowMethods"), "allowMethods", 6, 0, 6),
            AllowOrigins = CheckList(Strings(cors, "AllowOrigins"), "allowOrigins", 100, 1, 253),
            ExposeHeaders = CheckList(Strings(cors, "ExposeHeaders"), "exposeHeaders", 100, 0, 1024),
            MaxAge = maxAge,
        };
    }

    /// <summary>
    /// A Cors list checked against the model, in Lambda's wording: the list's size, then its members' constraints,
    /// all listed as Lambda lists them for a member that fails any.
    /// </summary>
    /// <exception cref="LambdaException">ValidationException naming <c>cors.{member}</c>.</exception>
    private static IReadOnlyList<string>? CheckList(IReadOnlyList<string>? values, string member, int maxItems, int minLength, int maxLength)
    {
        if (values is null)
        {
            return null;
        }

        string prefix = $"1 validation error detected: Value '[{string.Join(", ", values)}]' at 'cors.{member}' failed to satisfy constraint: Member must ";
        if (values.Count > maxItems)
        {
            throw LambdaException.Validation(prefix + $"have length less than or equal to {maxItems}");
        }

        foreach (string value in values)
        {
            if (value.Length > maxLength || value.Length < minLength || !MatchesDotStar(value))
            {
                string length = minLength > 0
                    ? $"Member must have length less than or equal to {maxLength}, Member must have length greater than or equal to {minLength}"
                    : $"Member must have length less than or equal to {maxLength}";
                throw LambdaException.Validation(prefix + $"satisfy constraint: [{length}, Member must satisfy regular expression pattern: .*]");
            }
        }

        return values;
    }

    /// <summary>The model's pattern <c>.*</c> as Java reads it: any characters but its line terminators.</summary>
    private static bool MatchesDotStar(string value) => value.AsSpan().IndexOfAny("\n\r\u0085\u2028\u2029") < 0;

    /// <summary>
    /// The URL the host serves a config at: AWS's <c>https://{url-id}.lambda-url.{region}.on.aws/</c> becomes
    /// <c>http://{url-id}.lambda-url.{region}.localhost:{port}/</c>, on the scheme and port the caller reached the
    /// endpoint with (*.localhost resolves to the loopback address in curl and browsers).
    /// </summary>
    public static string Url(FunctionHost host, HttpRequest request, FunctionUrlConfig config)
    {
        int port = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return $"{request.Scheme}://{config.UrlId}.lambda-url.{host.Options.Region}.localhost:{port}/";
    }

    /// <param name="lastModified">False for CreateFunctionUrlConfig's answer, which has no LastModifiedTime.</param>
    public static void Write(Utf8JsonWriter writer, FunctionHost host, HttpRequest request, FunctionUrlConfig config, bool lastModified = true)
    {
        writer.WriteStartObject();
        writer.WriteString("FunctionUrl", Url(host, request, config));
        writer.WriteString("FunctionArn", host.Arn(config.FunctionName) + (config.Qualifier is null ? "" : ":" + config.Qualifier));
        writer.WriteString("AuthType", config.AuthType);
        if (config.Cors is { } cors)
        {
            WriteCors(writer, cors);
        }

        writer.WriteString("CreationTime", Time(config.CreationTime));
        if (lastModified)
        {
            writer.WriteString("LastModifiedTime", Time(config.LastModifiedTime));
        }

        writer.WriteString("InvokeMode", config.InvokeMode);
        writer.WriteEndObject();
    }

    /// <summary>The Cors member, as the API answers it (and as the saved URL config keeps it).</summary>
    public static void WriteCors(Utf8JsonWriter writer, FunctionUrlCors cors)
    {
        writer.WriteStartObject("Cors");
        if (cors.AllowCredentials is { } credentials)
        {
            writer.WriteBoolean("AllowCredentials", credentials);
        }

        WriteStrings(writer, "AllowHeaders", cors.AllowHeaders);
        WriteStrings(writer, "AllowMethods", cors.AllowMethods);
        WriteStrings(writer, "AllowOrigins", cors.AllowOrigins);
        WriteStrings(writer, "ExposeHeaders", cors.ExposeHeaders);
        if (cors.MaxAge is { } maxAge)
        {
            writer.WriteNumber("MaxAge", maxAge);
        }

        writer.WriteEndObject();
    }

    /// <summary>ISO-8601 with microseconds and Z, as Lambda writes the URL times (unlike a function's LastModified).</summary>
    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            return;
        }

        writer.WriteStartArray(name);
        foreach (string value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static IReadOnlyList<string>? Strings(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement array) && array.ValueKind == JsonValueKind.Array
            ? [.. array.EnumerateArray().Where(static v => v.ValueKind == JsonValueKind.String).Select(static v => v.GetString()!)]
            : null;

    private static string? Member(JsonElement body, string name) => JsonResponse.String(body, name);
}
