using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// AssociateKmsKey: the group's KMS key id, kept and described (<c>kmsKeyId</c>); nothing is encrypted. Terraform's
/// aws provider calls it when an <c>aws_cloudwatch_log_group</c>'s <c>kms_key_id</c> changes. A query-results
/// <c>resourceIdentifier</c> is not served (there are no Insights queries here).
/// </summary>
internal static class AssociateKmsKey
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.Length("logGroupName", request.String("logGroupName"), 1, 512);
        string? kmsKeyId = request.Length("kmsKeyId", request.String("kmsKeyId"), 0, 256);
        request.Required("kmsKeyId", kmsKeyId);
        request.ThrowIfInvalid();
        string group = name ?? throw LogsException.InvalidParameter("Either LogGroup name or resource identifier must be specified.");
        LogGroups.Change(host, group, current => current with { KmsKeyId = kmsKeyId });
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
