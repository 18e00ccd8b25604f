using System.Text.Json;
using System.Text.RegularExpressions;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// CreateLogGroup: a group with no events (<c>{}</c> answered), until a function logs into it when it is
/// <c>/aws/lambda/NAME</c>; Terraform's <c>aws_cloudwatch_log_group</c> declares a function's group this way, to set
/// its retention and tags before the first invocation. ResourceAlreadyExistsException for a group that exists, made
/// here or by its function's logging.
/// </summary>
internal static partial class CreateLogGroup
{
    /// <summary>The log group classes CloudWatch has; the class is kept and described, and changes nothing here.</summary>
    public static readonly string[] LogGroupClasses = ["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"];

    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.String("logGroupName");
        string? kmsKeyId = request.Length("kmsKeyId", request.String("kmsKeyId"), 0, 256);
        Dictionary<string, string>? tags = request.Map("tags");
        string? logGroupClass = request.String("logGroupClass");
        request.Required("logGroupName", name);
        ValidateName(request, name);
        LogGroupTags.Validate(request, "tags", tags);
        if (logGroupClass is not null && !LogGroupClasses.Contains(logGroupClass, StringComparer.Ordinal))
        {
            request.Violation("logGroupClass", logGroupClass, $"Member must satisfy enum value set: [{string.Join(", ", LogGroupClasses)}]");
        }

        request.ThrowIfInvalid();
        if (name!.Length > 512)
        {
            // CloudWatch's own text for an over-long name at create (a LocalStack snapshot recorded against AWS), not the validator's.
            throw LogsException.InvalidParameter("Invalid LogGroup or LogStream, both must have length less than or equal to 512.");
        }

        host.LogGroupSettings.Update(name, current =>
            current is not null || LogGroups.Find(host, name) is not null
                ? throw LogsException.LogGroupAlreadyExists()
                : new LogGroupSetting(name, host.Options.Clock.GetUtcNow(), RetentionInDays: null, kmsKeyId, logGroupClass ?? "STANDARD",
                    tags ?? new Dictionary<string, string>()));
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }

    /// <summary>The model's pattern for a log group name (its length is checked apart, with CloudWatch's own message).</summary>
    public static void ValidateName(LogsRequest request, string? name)
    {
        if (name is not null && (name.Length == 0 || !GroupNamePattern().IsMatch(name)))
        {
            request.Violation("logGroupName", name, name.Length == 0
                ? "Member must have length greater than or equal to 1"
                : @"Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+");
        }
    }

    [GeneratedRegex(@"^[\.\-_/#A-Za-z0-9]+$")]
    private static partial Regex GroupNamePattern();
}
