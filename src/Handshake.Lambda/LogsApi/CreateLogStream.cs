using System.Text.Json;

namespace Handshake.Lambda.LogsApi;

/// <summary>
/// CreateLogStream: an empty stream in an existing group (<c>{}</c> answered), described at once by DescribeLogStreams
/// with its creation time and no event, ready for PutLogEvents. Kept in lambda.db before it is answered
/// (<see cref="CreatedLogStreams"/>), so it survives a restart, empty or not. ResourceNotFoundException for a group that
/// does not exist, ResourceAlreadyExistsException for a stream that does: created here, or known by its events (a
/// function environment's stream, also once they have expired or the cap has pushed them out).
/// </summary>
internal static class CreateLogStream
{
    public static Task ExecuteAsync(FunctionHost host, LogsRequest request, Utf8JsonWriter writer, CancellationToken cancellationToken)
    {
        (string? group, string? stream) = LogGroups.ReadNames(request);
        if (stream is { Length: > 512 } && group is { Length: >= 1 and <= 512 })
        {
            // CloudWatch answers an over-long name at create in its own words, as CreateLogGroup does (a LocalStack
            // snapshot recorded against AWS, for a group; the same text for a stream is inferred: it names both).
            throw LogsException.InvalidParameter("Invalid LogGroup or LogStream, both must have length less than or equal to 512.");
        }

        request.ThrowIfInvalid();
        if (LogGroups.Find(host, group!) is not { } found)
        {
            throw LogsException.LogGroupNotFound();
        }

        if (!host.CreatedLogStreams.TryAdd(group!, stream!, host.Options.Clock.GetUtcNow(), () => found.HasStream(stream!)))
        {
            throw LogsException.LogStreamAlreadyExists();
        }

        writer.WriteStartObject();
        writer.WriteEndObject();
        return Task.CompletedTask;
    }
}
