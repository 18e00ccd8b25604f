using System.Net;
using System.Text.Json;
using Handshake.Lambda.Persistence;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Event invocations and event source mapping changes that cannot be saved to lambda.db (a full disk, a stopping
/// host) are answered with Lambda's ServiceException, with a body, as the functions' own changes are, and are not
/// made; the AWS CLI is the judge of the answer.
/// </summary>
public sealed class EventStateWriteFailureTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("handshake-event-write-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task An_Event_invocation_or_a_mapping_change_that_cannot_be_saved_is_answered_ServiceException_and_not_made()
    {
        await using StreamServer server = await StreamServer.StartAsync(_data);
        string ordersArn = await server.CreateTableAsync("orders");
        string auditArn = await server.CreateTableAsync("audit");
        server.AddRecorder("recorder");
        server.Host.ResumeSavedWork();
        string uuid = (await CliAsync(server, "create-event-source-mapping", "--function-name", "recorder", "--event-source-arn", ordersArn,
            "--starting-position", "LATEST", "--batch-size", "2")).GetProperty("UUID").GetString()!;
        StateFileFaults.RefuseWrites(Path.Combine(_data, "lambda", LambdaStateDatabase.FileName));

        string answer = Path.Combine(_data, "answer.json");
        var invoked = await RunAsync(server, "invoke", "--function-name", "recorder", "--invocation-type", "Event", "--payload", """{"n": 1}""", answer);
        Assert.Contains("An error occurred (ServiceException) when calling the Invoke operation", invoked.Stderr);
        Assert.Contains("could not be saved", invoked.Stderr);
        Assert.Equal((0, 0), (server.Host.PendingEventInvocations, server.Host.SavedEventInvocations));

        var created = await RunAsync(server, "create-event-source-mapping", "--function-name", "recorder", "--event-source-arn", auditArn, "--starting-position", "LATEST");
        Assert.Contains("(ServiceException) when calling the CreateEventSourceMapping operation", created.Stderr);
        var updated = await RunAsync(server, "update-event-source-mapping", "--uuid", uuid, "--batch-size", "5");
        Assert.Contains("(ServiceException) when calling the UpdateEventSourceMapping operation", updated.Stderr);
        var deleted = await RunAsync(server, "delete-event-source-mapping", "--uuid", uuid);
        Assert.Contains("(ServiceException) when calling the DeleteEventSourceMapping operation", deleted.Stderr);

        // None of them made: the one mapping, as it was.
        JsonElement listed = (await CliAsync(server, "list-event-source-mappings")).GetProperty("EventSourceMappings");
        JsonElement only = Assert.Single(listed.EnumerateArray());
        Assert.Equal((uuid, 2, "Enabled"), (only.GetProperty("UUID").GetString(), only.GetProperty("BatchSize").GetInt32(), only.GetProperty("State").GetString()));
        Assert.Empty(server.Events("recorder"));
    }

    [Fact]
    public async Task An_Event_invocation_that_reaches_a_stopping_host_is_answered_ServiceException_with_a_body()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("echo");
        // As `up` stops: the function host (and its state database) first, while the listener still takes requests.
        await server.Test.Host.DisposeAsync();

        using HttpClient http = server.Client();
        using HttpRequestMessage request = new(HttpMethod.Post, "/2015-03-31/functions/echo/invocations") { Content = new StringContent("{}") };
        request.Headers.Add("X-Amz-Invocation-Type", "Event");
        using HttpResponseMessage response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ServiceException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Matches("^[0-9a-f-]{36}$", response.Headers.GetValues("x-amzn-RequestId").Single());
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Service", body.RootElement.GetProperty("Type").GetString());
        Assert.Contains("stopping", body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The AWS CLI, one attempt per command (AWS_MAX_ATTEMPTS=1): a ServiceException (500) is otherwise sent four more
    /// times, with sleeps of up to 1, 2, 4 and 8 seconds between them (about 8 s a command), each refused the same way.
    /// </summary>
    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(StreamServer server, string operation, params string[] arguments) =>
        AwsCli.RunAsync(["lambda", operation, "--endpoint-url", server.Endpoint.ToString(), .. arguments],
            new(Repository.AwsEnvironment(server.Endpoint)) { ["AWS_MAX_ATTEMPTS"] = "1" });

    private static async Task<JsonElement> CliAsync(StreamServer server, string operation, params string[] arguments)
    {
        var run = await RunAsync(server, operation, arguments);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return JsonDocument.Parse(run.Stdout).RootElement.Clone();
    }
}
