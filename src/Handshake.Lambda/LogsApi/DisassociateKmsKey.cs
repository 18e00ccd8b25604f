using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>DisassociateKmsKey: the group no longer has a KMS key id (none in DescribeLogGroups).</summary>
internal static class DisassociateKmsKey
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        string? name = request.Length("logGroupName", request.String("logGroupName"), 1, 512);
        request.ThrowIfInvalid();
        string group = name ?? throw LogsException.InvalidParameter("Either LogGroup name or resource identifier must be specified.");
        LogGroups.Change(host, group, current => current with { KmsKeyId = null });
        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
