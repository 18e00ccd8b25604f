using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// POST /2015-03-31/functions/{name}/policy?Qualifier=: adds a statement to the function's (or the qualifier's)
/// resource-based policy and answers 201 with the statement as a JSON string, in Lambda's shape (the principal as
/// Service, AWS account root or ARN; SourceArn, SourceAccount, PrincipalOrgID, FunctionUrlAuthType and
/// EventSourceToken as conditions).
/// </summary>
internal static partial class AddPermission
{
    /// <summary>The body's members and their JSON types: Lambda's AddPermissionRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(
        ("StatementId", RequestShape.String), ("Action", RequestShape.String), ("Principal", RequestShape.String),
        ("SourceArn", RequestShape.String), ("SourceAccount", RequestShape.String), ("EventSourceToken", RequestShape.String),
        ("RevisionId", RequestShape.String), ("PrincipalOrgID", RequestShape.String), ("FunctionUrlAuthType", RequestShape.String),
        ("InvokedViaFunctionUrl", RequestShape.Boolean));

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string nameOrArn, string? qualifier)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(AddPermission), Input).ConfigureAwait(false);
        JsonElement body = document.RootElement;
        string sid = Required(body, "StatementId", StatementIdPattern(), "([a-zA-Z0-9-_.]+)", 100);
        string action = Required(body, "Action", ActionPattern(), "(lambda:[*]|lambda:[a-zA-Z]+|[*])", int.MaxValue);
        string principal = Required(body, "Principal", PrincipalPattern(), "[^\\s]+", int.MaxValue);
        string? revisionId = JsonResponse.String(body, "RevisionId");
        string name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
        if (qualifier == FunctionDefinition.LatestVersion)
        {
            // The unqualified function's policy is $LATEST's; Lambda refuses to name it (LocalStack's AWS-validated answer).
            throw LambdaException.InvalidParameter("We currently do not support adding policies for $LATEST.");
        }

        JsonObject statement = new()
        {
            ["Sid"] = sid,
            ["Effect"] = "Allow",
            ["Principal"] = Principal(principal),
            ["Action"] = action,
            ["Resource"] = host.Arn(name) + (qualifier is null ? "" : ":" + qualifier),
        };
        if (Conditions(body) is { } conditions)
        {
            statement["Condition"] = conditions;
        }

        host.ChangePolicy(name, qualifier, policy =>
        {
            if (revisionId is not null && policy.Count > 0 && revisionId != policy.RevisionId)
            {
                throw LambdaException.PolicyPreconditionFailed();
            }

            if (policy.Contains(sid))
            {
                throw LambdaException.Conflict($"The statement id ({sid}) provided already exists. Please provide a new statement id, or remove the existing statement.");
            }

            policy.Add(statement);
        });

        string text = statement.ToJsonString();
        await JsonResponse.WriteAsync(context, 201, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("Statement", text);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>A service (<c>s3.amazonaws.com</c>), everyone (<c>*</c>), an account (its root) or an IAM ARN, as IAM writes them.</summary>
    private static JsonNode Principal(string principal)
    {
        if (principal == "*")
        {
            return "*";
        }

        if (principal.Length == 12 && principal.All(char.IsAsciiDigit))
        {
            return new JsonObject { ["AWS"] = $"arn:aws:iam::{principal}:root" };
        }

        return principal.StartsWith("arn:", StringComparison.Ordinal)
            ? new JsonObject { ["AWS"] = principal }
            : new JsonObject { ["Service"] = principal };
    }

    private static JsonObject? Conditions(JsonElement body)
    {
        JsonObject equals = [];
        foreach ((string member, string key) in (ReadOnlySpan<(string, string)>)[
            ("SourceAccount", "AWS:SourceAccount"), ("PrincipalOrgID", "aws:PrincipalOrgID"),
            ("FunctionUrlAuthType", "lambda:FunctionUrlAuthType"), ("EventSourceToken", "lambda:EventSourceToken")])
        {
            if (JsonResponse.String(body, member) is { } value)
            {
                equals[key] = value;
            }
        }

        JsonObject conditions = [];
        if (equals.Count > 0)
        {
            conditions["StringEquals"] = equals;
        }

        if (JsonResponse.String(body, "SourceArn") is { } sourceArn)
        {
            conditions["ArnLike"] = new JsonObject { ["AWS:SourceArn"] = sourceArn };
        }

        return conditions.Count > 0 ? conditions : null;
    }

    /// <exception cref="LambdaException">ValidationException: the model's required member and pattern, in AWS's request validation words.</exception>
    private static string Required(JsonElement body, string member, Regex pattern, string patternText, int maxLength)
    {
        string field = char.ToLowerInvariant(member[0]) + member[1..];
        string value = JsonResponse.String(body, member)
            ?? throw LambdaException.Validation($"1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null");
        if (value.Length > maxLength)
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must have length less than or equal to {maxLength}");
        }

        if (!pattern.IsMatch(value))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy regular expression pattern: {patternText}");
        }

        return value;
    }

    [GeneratedRegex(@"^([a-zA-Z0-9-_.]+)$")]
    private static partial Regex StatementIdPattern();

    [GeneratedRegex(@"^(lambda:[*]|lambda:[a-zA-Z]+|[*])$")]
    private static partial Regex ActionPattern();

    [GeneratedRegex(@"^[^\s]+$")]
    private static partial Regex PrincipalPattern();
}
