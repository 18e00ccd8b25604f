using System.Diagnostics;
using System.Text.Json;
using Handshake.Lambda.Logs;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The log groups' write side of the CloudWatch Logs API on `handshake up` (CreateLogGroup, DeleteLogGroup,
/// PutRetentionPolicy, DeleteRetentionPolicy, the tag operations), with the official clients as oracles: boto3
/// (tests/clients/logs_groups_boto3.py, its answers audited against botocore's model) and the AWS CLI v1; Terraform's
/// aws provider managing an <c>aws_cloudwatch_log_group</c> from create to destroy is part of the end-to-end
/// TerraformTests (tests/Handshake.EndToEnd.Tests), which declares the group of the function it deploys. Groups made this way, and
/// their settings, survive a restart of `up` on its data directory (they are kept in DATA/lambda/lambda.db).
/// </summary>
public sealed class CloudWatchLogGroupTests
{
    private const string Arn = "arn:aws:logs:us-east-1:000000000000:log-group:";

    [Fact]
    public async Task Boto3_creates_describes_retains_tags_and_deletes_log_groups_as_CloudWatch_does()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);
        JsonElement o = await up.RunBoto3Async("logs_groups_boto3.py", "bash", "zeta");

        // CreateLogGroup: {} answered; the group is listed with what it was given, and has no stream or event.
        Assert.Equal("{}", Compact(o.GetProperty("create")));
        JsonElement created = o.GetProperty("createdGroup");
        Assert.Equal("/app/created", created.GetProperty("logGroupName").GetString());
        Assert.Equal(Arn + "/app/created:*", created.GetProperty("arn").GetString());
        Assert.Equal(Arn + "/app/created", created.GetProperty("logGroupArn").GetString());
        Assert.Equal("arn:aws:kms:us-east-1:000000000000:key/k1", created.GetProperty("kmsKeyId").GetString());
        Assert.Equal("INFREQUENT_ACCESS", created.GetProperty("logGroupClass").GetString());
        Assert.Equal(0, created.GetProperty("storedBytes").GetInt64());
        Assert.Equal(0, created.GetProperty("metricFilterCount").GetInt32());
        Assert.True(created.GetProperty("creationTime").GetInt64() > 0);
        Assert.False(created.TryGetProperty("retentionInDays", out _)); // never expire: no member, as CloudWatch answers
        Assert.Empty(o.GetProperty("createdStreams").EnumerateArray());
        Assert.Empty(o.GetProperty("createdEvents").EnumerateArray());
        Assert.Equal(["/app/created"], o.GetProperty("createdByPrefix").EnumerateArray().Select(e => e.GetString()));
        AssertError(o, "createDuplicate", "ResourceAlreadyExistsException", "The specified log group already exists");
        AssertError(o, "createBadName", "InvalidParameterException",
            @"1 validation error detected: Value '/app/bad name' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\.\-_/#A-Za-z0-9]+");
        AssertError(o, "createLongName", "InvalidParameterException", "Invalid LogGroup or LogStream, both must have length less than or equal to 512.");
        AssertError(o, "createBadClass", "InvalidParameterException",
            "1 validation error detected: Value 'COLD' at 'logGroupClass' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]");

        // Retention: kept and described; a number of days CloudWatch does not allow is refused; deleted, it is gone.
        Assert.Equal("{}", Compact(o.GetProperty("putRetention")));
        Assert.Equal(14, o.GetProperty("retentionAfterPut").GetInt32());
        AssertError(o, "putRetentionBad", "InvalidParameterException",
            "1 validation error detected: Value '10' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: " +
            "[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]");
        AssertError(o, "putRetentionMissing", "ResourceNotFoundException", "The specified log group does not exist.");
        Assert.Equal("{}", Compact(o.GetProperty("deleteRetention")));
        Assert.False(o.GetProperty("retentionAfterDelete").GetBoolean());
        AssertError(o, "deleteRetentionMissing", "ResourceNotFoundException", "The specified log group does not exist.");

        // The KMS key id, associated and disassociated.
        Assert.Equal("{}", Compact(o.GetProperty("associateKmsKey")));
        Assert.Equal("arn:aws:kms:us-east-1:000000000000:key/k2", o.GetProperty("kmsAfterAssociate").GetString());
        Assert.Equal("{}", Compact(o.GetProperty("disassociateKmsKey")));
        Assert.False(o.GetProperty("kmsAfterDisassociate").GetBoolean());
        AssertError(o, "associateKmsKeyMissing", "ResourceNotFoundException", "The specified log group does not exist.");

        // Tags by ARN (with or without DescribeLogGroups' ":*") and by name, one set of tags.
        Assert.Equal("""{"stage":"one","team":"a"}""", Compact(o.GetProperty("tagsAtCreate")));
        Assert.Equal("{}", Compact(o.GetProperty("tagResource")));
        Assert.Equal("{}", Compact(o.GetProperty("untagResource")));
        Assert.Equal("""{"owner":"me","team":"b"}""", Compact(o.GetProperty("tagsByArn")));
        Assert.Equal("""{"owner":"me","team":"b"}""", Compact(o.GetProperty("tagsByStarArn")));
        Assert.Equal("""{"old":"api","team":"b"}""", Compact(o.GetProperty("tagsLogGroup")));
        foreach (string missing in (string[])["tagsMissing", "tagMissing", "tagsLogGroupMissing", "tagsOtherRegion"])
        {
            AssertError(o, missing, "ResourceNotFoundException", "The specified log group does not exist.");
        }

        // A function's group that exists because it logged takes a retention and tags, and cannot be created again.
        AssertError(o, "functionCreate", "ResourceAlreadyExistsException", "The specified log group already exists");
        JsonElement function = o.GetProperty("functionGroup");
        Assert.Equal(7, function.GetProperty("retentionInDays").GetInt32());
        Assert.Equal("STANDARD", function.GetProperty("logGroupClass").GetString());
        Assert.True(function.GetProperty("storedBytes>0").GetBoolean());
        Assert.Equal("""{"fn":"yes"}""", Compact(o.GetProperty("functionTags")));
        Assert.Equal(1, o.GetProperty("functionStarts").GetInt32());

        // DeleteLogGroup takes its events, retention and tags; the function's next invocation makes it again, bare.
        Assert.Equal("{}", Compact(o.GetProperty("functionDelete")));
        Assert.False(o.GetProperty("functionListedAfterDelete").GetBoolean());
        AssertError(o, "functionEventsAfterDelete", "ResourceNotFoundException", "The specified log group does not exist.");
        AssertError(o, "functionStreamsAfterDelete", "ResourceNotFoundException", "The specified log group does not exist.");
        AssertError(o, "functionDeleteAgain", "ResourceNotFoundException", "The specified log group does not exist.");
        Assert.Equal(1, o.GetProperty("functionStartsAgain").GetInt32()); // only the new invocation's lines
        Assert.False(o.GetProperty("functionGroupAgain").GetBoolean());
        Assert.Equal("{}", Compact(o.GetProperty("functionTagsAgain")));

        // A function's group created before it logs: its lines go there, and the group keeps its creation time and retention.
        JsonElement other = o.GetProperty("otherAfterInvoke");
        Assert.Equal(o.GetProperty("otherCreationTime").GetInt64(), other.GetProperty("creationTime").GetInt64());
        Assert.Equal(3653, other.GetProperty("retentionInDays").GetInt32());
        Assert.Equal(1, o.GetProperty("otherStarts").GetInt32());

        Assert.Equal("{}", Compact(o.GetProperty("deleteCreated")));
        Assert.False(o.GetProperty("createdListedAfterDelete").GetBoolean());
        AssertError(o, "deleteCreatedAgain", "ResourceNotFoundException", "The specified log group does not exist.");
        AssertError(o, "tagsAfterDelete", "ResourceNotFoundException", "The specified log group does not exist.");
    }

    [Fact]
    public async Task The_AWS_CLI_manages_a_log_group_and_prints_CloudWatchs_errors()
    {
        await using UpProcess up = await UpProcess.StartAsync(["--in-memory"]);

        Assert.Equal("", await up.AwsLogsAsync("create-log-group", "--log-group-name", "/aws/lambda/bash", "--tags", "team=a"));
        Assert.Equal("", await up.AwsLogsAsync("put-retention-policy", "--log-group-name", "/aws/lambda/bash", "--retention-in-days", "30"));
        JsonElement group = Assert.Single(JsonDocument.Parse(await up.AwsLogsAsync("describe-log-groups", "--log-group-name-prefix", "/aws/lambda/"))
            .RootElement.GetProperty("logGroups").EnumerateArray());
        Assert.Equal(30, group.GetProperty("retentionInDays").GetInt32());
        Assert.Equal("""{"team":"a"}""", Compact(JsonDocument.Parse(await up.AwsLogsAsync("list-tags-log-group", "--log-group-name", "/aws/lambda/bash"))
            .RootElement.GetProperty("tags")));
        Assert.Equal("", await up.AwsLogsAsync("tag-resource", "--resource-arn", Arn + "/aws/lambda/bash", "--tags", "env=dev"));
        Assert.Equal("", await up.AwsLogsAsync("untag-resource", "--resource-arn", Arn + "/aws/lambda/bash", "--tag-keys", "team"));
        Assert.Equal("""{"env":"dev"}""", Compact(JsonDocument.Parse(await up.AwsLogsAsync("list-tags-for-resource", "--resource-arn", Arn + "/aws/lambda/bash"))
            .RootElement.GetProperty("tags")));

        Assert.Equal("An error occurred (ResourceAlreadyExistsException) when calling the CreateLogGroup operation: The specified log group already exists",
            await up.AwsLogsFailsAsync("create-log-group", "--log-group-name", "/aws/lambda/bash"));
        Assert.StartsWith("An error occurred (InvalidParameterException) when calling the PutRetentionPolicy operation: 1 validation error detected: " +
            "Value '0' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5,",
            await up.AwsLogsFailsAsync("put-retention-policy", "--log-group-name", "/aws/lambda/bash", "--retention-in-days", "0"));

        // The function logs into the created group; deleting the group takes those events.
        var invoked = await AwsCli.RunAsync(["lambda", "invoke", "--endpoint-url", up.Endpoint, "--function-name", "bash", "--payload", "{}",
            Path.Combine(up.Directory, "out.json")], Repository.AwsEnvironment(new Uri(up.Endpoint)));
        Assert.True(invoked.ExitCode == 0, invoked.Stderr);
        Assert.Contains("REPORT RequestId: ", await up.AwsLogsAsync("filter-log-events", "--log-group-name", "/aws/lambda/bash", "--filter-pattern", "REPORT"));
        Assert.Equal("", await up.AwsLogsAsync("delete-log-group", "--log-group-name", "/aws/lambda/bash"));
        Assert.Equal("An error occurred (ResourceNotFoundException) when calling the DeleteLogGroup operation: The specified log group does not exist.",
            await up.AwsLogsFailsAsync("delete-log-group", "--log-group-name", "/aws/lambda/bash"));
        Assert.Equal("An error occurred (ResourceNotFoundException) when calling the FilterLogEvents operation: The specified log group does not exist.",
            await up.AwsLogsFailsAsync("filter-log-events", "--log-group-name", "/aws/lambda/bash"));
        Assert.Empty(JsonDocument.Parse(await up.AwsLogsAsync("describe-log-groups")).RootElement.GetProperty("logGroups").EnumerateArray());
    }

    [Fact]
    public async Task Created_groups_retention_tags_and_deletions_survive_a_restart_of_up()
    {
        string? project = null;
        try
        {
            long createdAt;
            // Environments stop after a second idle: zeta's is gone before its group is deleted, so no line of its
            // shutdown (bash's "Terminated" at SIGTERM) makes the group again before the restart.
            await using (UpProcess up = await UpProcess.StartAsync(["--environment-idle-timeout", "1s"]))
            {

                async Task Invoke(string function)
                {
                    var run = await Repository.RunAsync(UpProcess.Executable, ["invoke", function, "--payload", "{}", "--endpoint", up.Endpoint]);
                    Assert.True(run.ExitCode == 0, run.Stderr);
                }

                // A created group with settings; a function's logged group given a retention and tags; a function's
                // logged group deleted (its events must not come back from logs.db).
                // (Runs of commands one after another in one CLI process: AwsLogsCli.BatchAsync.)
                await AwsLogsCli.BatchAsync(up.Endpoint,
                    ["create-log-group", "--log-group-name", "/app/kept", "--tags", "team=a", "--log-group-class", "INFREQUENT_ACCESS"],
                    ["put-retention-policy", "--log-group-name", "/app/kept", "--retention-in-days", "545"]);
                await Invoke("bash");
                await AwsLogsCli.BatchAsync(up.Endpoint,
                    ["put-retention-policy", "--log-group-name", "/aws/lambda/bash", "--retention-in-days", "1"],
                    ["tag-resource", "--resource-arn", Arn + "/aws/lambda/bash", "--tags", "fn=bash"]);
                await Invoke("zeta");
                await Task.Delay(TimeSpan.FromSeconds(3));
                string[] deleted = await AwsLogsCli.BatchAsync(up.Endpoint, ["delete-log-group", "--log-group-name", "/aws/lambda/zeta"], ["describe-log-groups"]);
                createdAt = Group(Groups(deleted[1]), "/app/kept").GetProperty("creationTime").GetInt64();
                project = await up.StopAsync();
            }

            await using (UpProcess up = await UpProcess.StartAsync([], project))
            {
                project = null; // this UpProcess deletes the directory
                // The reads one after another in one CLI process (AwsLogsCli.RunBatchAsync).
                var read = await AwsLogsCli.RunBatchAsync(up.Endpoint,
                    ["describe-log-groups"],
                    ["list-tags-log-group", "--log-group-name", "/app/kept"],
                    ["list-tags-for-resource", "--resource-arn", Arn + "/aws/lambda/bash"],
                    ["filter-log-events", "--log-group-name", "/aws/lambda/zeta"]);
                Assert.True(read[0].ExitCode == 0, read[0].Stderr);
                JsonElement[] groups = Groups(read[0].Stdout);
                Assert.Equal(["/app/kept", "/aws/lambda/bash"], groups.Select(g => g.GetProperty("logGroupName").GetString()));
                JsonElement kept = Group(groups, "/app/kept");
                Assert.Equal(createdAt, kept.GetProperty("creationTime").GetInt64());
                Assert.Equal(545, kept.GetProperty("retentionInDays").GetInt32());
                Assert.Equal("INFREQUENT_ACCESS", kept.GetProperty("logGroupClass").GetString());
                Assert.Equal(1, Group(groups, "/aws/lambda/bash").GetProperty("retentionInDays").GetInt32());
                var tags = read[1];
                Assert.True(tags.ExitCode == 0, tags.Stderr);
                Assert.Equal("""{"team":"a"}""", Compact(JsonDocument.Parse(tags.Stdout).RootElement.GetProperty("tags")));
                tags = read[2];
                Assert.True(tags.ExitCode == 0, tags.Stderr);
                Assert.Equal("""{"fn":"bash"}""", Compact(JsonDocument.Parse(tags.Stdout).RootElement.GetProperty("tags")));
                var zeta = read[3];
                Assert.Contains("ResourceNotFoundException", zeta.Stderr);
            }
        }
        finally
        {
            if (project is not null)
            {
                Directory.Delete(project, recursive: true);
            }
        }
    }

    [Fact]
    public async Task DeleteLogGroup_clears_a_functions_log_in_memory_and_in_logs_db_and_numbering_goes_on()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-cwgroups-db-").FullName;
        try
        {
            DateTimeOffset start = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
            FunctionLogStore store = FunctionLogStore.Open(directory, 100, NullLogger.Instance);
            FunctionLog log = store.For("fn");
            for (int i = 0; i < 3; i++)
            {
                log.Append(start.AddSeconds(i), "s1", "before " + i);
            }

            log.Clear();
            Assert.Empty(log.Snapshot().Events);
            Assert.Null(log.FirstTimestamp); // the group no longer exists, until the next line
            log.Append(start.AddSeconds(10), "s2", "after 0");
            log.Append(start.AddSeconds(11), "s2", "after 1");
            store.For("gone").Append(start, "s3", "only");
            store.For("gone").Clear();
            await store.StopAsync(TimeSpan.FromSeconds(10));

            // The file: the events after the deletion only, and the group's row made again by the first of them.
            Assert.Equal([3L, 4L], Query<long>(directory, "SELECT sequence FROM log_events WHERE function = 'fn' ORDER BY sequence;"));
            Assert.Equal([start.AddSeconds(10).UtcTicks], Query<long>(directory, "SELECT creation_time FROM log_groups WHERE function = 'fn';"));
            Assert.Empty(Query<long>(directory, "SELECT sequence FROM log_events WHERE function = 'gone';"));
            Assert.Empty(Query<string>(directory, "SELECT function FROM log_groups WHERE function = 'gone';"));

            // Read back: the new group as it was, numbering going on; the deleted one is not there.
            FunctionLogStore again = FunctionLogStore.Open(directory, 100, NullLogger.Instance);
            Assert.True(again.TryGet("fn", out FunctionLog restored));
            Assert.Equal(["after 0", "after 1"], restored.Snapshot().Events.Select(e => e.Message));
            Assert.Equal(5, restored.NextSequence);
            Assert.Equal(start.AddSeconds(10), restored.FirstTimestamp);
            Assert.False(again.TryGet("gone", out _));
            await again.StopAsync(TimeSpan.FromSeconds(10));

            // An event numbered below a deletion that reaches the writer after it (the log hands events over outside
            // its lock) is not written: it belonged to the deleted group.
            using (LogDatabase database = new(directory))
            {
                database.Write([new LogWriter.Change("late", null, DeleteBefore: 2), new LogWriter.Change("late", new LogEvent(1, start, "s", "stale")),
                    new LogWriter.Change("late", new LogEvent(2, start, "s", "fresh"))], 100);
            }

            Assert.Equal(["fresh"], Query<string>(directory, "SELECT message FROM log_events WHERE function = 'late';"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The groups of a DescribeLogGroups answer.</summary>
    private static JsonElement[] Groups(string answer) =>
        [.. JsonDocument.Parse(answer).RootElement.GetProperty("logGroups").EnumerateArray().Select(g => g.Clone())];

    private static List<T> Query<T>(string directory, string sql) => SqliteColumn.Read<T>(Path.Combine(directory, LogDatabase.FileName), sql);

    /// <summary>An answer's JSON as one line, however the client printed it (the CLI indents, Python spaces its separators).</summary>
    private static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    private static JsonElement Group(JsonElement[] groups, string name) => Assert.Single(groups, g => g.GetProperty("logGroupName").GetString() == name);

    private static void AssertError(JsonElement observations, string name, string code, string message)
    {
        JsonElement error = observations.GetProperty(name).GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
        Assert.Equal(400, error.GetProperty("status").GetInt32());
    }
}
