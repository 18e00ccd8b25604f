using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// PUT /2015-03-31/functions/{name}/code: new environments run the new code; running ones finish first. DryRun
/// validates the package and answers the configuration unchanged; RevisionId, when given, must be the current one.
/// Publish=true publishes a version of the new code and answers its configuration.
/// </summary>
internal static class UpdateFunctionCode
{
    /// <summary>
    /// The body's members and their JSON types: Lambda's UpdateFunctionCodeRequest (the code's members at the top level,
    /// not under Code).
    /// </summary>
    internal static readonly RequestShape Input = RequestShape.Structure(
        ("ZipFile", RequestShape.Blob), ("S3Bucket", RequestShape.String), ("S3Key", RequestShape.String),
        ("S3ObjectVersion", RequestShape.String), ("ImageUri", RequestShape.String), ("Publish", RequestShape.Boolean),
        ("DryRun", RequestShape.Boolean), ("RevisionId", RequestShape.String), ("Architectures", RequestShape.StringList),
        ("SourceKMSKeyArn", RequestShape.String), ("PublishTo", RequestShape.String));

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(UpdateFunctionCode), Input).ConfigureAwait(false);
        FunctionDefinition current = LambdaHttpEndpoint.Find(host, name, null);
        JsonElement body = document.RootElement;
        FunctionFields.CheckRevisionId(body, current);
        // Checked before the code, as the model's constraints are; a dry run checks it too.
        _ = FunctionFields.Architecture(body, current.Architecture);
        if (body.TryGetProperty("DryRun", out JsonElement dryRun) && dryRun.ValueKind == JsonValueKind.True)
        {
            FunctionFields.CheckCode(body);
            await JsonResponse.WriteAsync(context, 200, writer => FunctionConfigurationJson.Write(writer, host, current)).ConfigureAwait(false);
            return;
        }

        (string directory, string sha, long size) = FunctionFields.InstallCode(host, current.Name, body);
        // Publish=true: a version of the new code, published in the same write as the code (a 500 leaves neither), from
        // the $LATEST this update made: an update that came between gets the caller 412, not a version of code it did not send.
        FunctionDefinition updated = host.UpdateFunction(current.Name, f =>
        {
            // Again under the pool's control-plane lock: of two updates carrying the same RevisionId, only the first succeeds.
            FunctionFields.CheckRevisionId(body, f);
            return f with
            {
                CodeDirectory = directory,
                CodeSha256 = sha,
                CodeSize = size,
                Architecture = FunctionFields.Architecture(body, f.Architecture),
                LastModified = host.Options.Clock.GetUtcNow(),
                RevisionId = Guid.NewGuid().ToString(),
            };
        }, FunctionFields.Publish(body));
        await JsonResponse.WriteAsync(context, 200, writer => FunctionConfigurationJson.Write(writer, host, updated, updated.IsPublished ? updated.Version : null)).ConfigureAwait(false);
    }
}
