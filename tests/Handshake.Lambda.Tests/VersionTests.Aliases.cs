using System.Net;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>Aliases (routing, paging, errors), the delete rules, shared reserved concurrency, and hot-reload versions.</summary>
public sealed partial class VersionTests
{
    private static async Task<HttpClient> TwoVersionsAsync(LambdaServer server, string name)
    {
        HttpClient http = server.Client();
        await Body(await http.PostAsync("/2015-03-31/functions", Json(Create(name, "one"))), HttpStatusCode.Created);
        await PublishAsync(http, name, "1");
        await Body(await http.PutAsync($"/2015-03-31/functions/{name}/configuration", Json(new { Description = "changed" })), HttpStatusCode.OK);
        await PublishAsync(http, name, "2");
        return http;
    }

    [Fact]
    public async Task Aliases_are_created_read_updated_listed_and_deleted_with_Lambdas_shapes_and_errors()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = await TwoVersionsAsync(server, "al");

        JsonElement live = await Body(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "live", FunctionVersion = "1", Description = "prod" })), HttpStatusCode.Created);
        Assert.Equal(Arn + "al:live", live.GetProperty("AliasArn").GetString());
        Assert.Equal(("live", "1", "prod"), (live.GetProperty("Name").GetString(), live.GetProperty("FunctionVersion").GetString(), live.GetProperty("Description").GetString()));
        Assert.False(live.TryGetProperty("RoutingConfig", out _));
        string revision = live.GetProperty("RevisionId").GetString()!;
        Assert.Equal(revision, (await Body(await http.GetAsync("/2015-03-31/functions/al/aliases/live"), HttpStatusCode.OK)).GetProperty("RevisionId").GetString());

        Assert.Equal((HttpStatusCode.Conflict, "ResourceConflictException", "Alias already exists: " + Arn + "al:live"),
            await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "live", FunctionVersion = "2" }))));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "al:7"),
            await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "next", FunctionVersion = "7" }))));
        foreach (string bad in new[] { "123", "bad!name" })
        {
            Assert.Equal((HttpStatusCode.BadRequest, "ValidationException",
                $"1 validation error detected: Value '{bad}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)"),
                await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = bad, FunctionVersion = "1" }))));
        }

        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException",
            "1 validation error detected: Value 'one' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)"),
            await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "next", FunctionVersion = "one" }))));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Alias not found: " + Arn + "al:nope"), await Error(await http.GetAsync("/2015-03-31/functions/al/aliases/nope")));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Alias not found: " + Arn + "al:nope"),
            await Error(await http.PutAsync("/2015-03-31/functions/al/aliases/nope", Json(new { FunctionVersion = "2" }))));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "missing"),
            await Error(await http.GetAsync("/2015-03-31/functions/missing/aliases/live")));

        // Routing configuration errors.
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException", "Number of items in AdditionalVersionWeights cannot be greater than 1"),
            await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "w", FunctionVersion = "1", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["2"] = 0.1, ["3"] = 0.1 } } }))));
        Assert.Equal((HttpStatusCode.BadRequest, "ValidationException",
            "1 validation error detected: Value '{2=1.5}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0, Member must not be null]"),
            await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "w", FunctionVersion = "1", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["2"] = 1.5 } } }))));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException", "Invalid function version 1. Function version 1 is already included in routing configuration."),
            await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "w", FunctionVersion = "1", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["1"] = 0.5 } } }))));
        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException", "$LATEST is not supported for an alias pointing to more than 1 version"),
            await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "w", FunctionVersion = "$LATEST", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["1"] = 0.5 } } }))));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "al:5"),
            await Error(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "w", FunctionVersion = "1", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["5"] = 0.5 } } }))));

        // UpdateAlias: RevisionId precondition, then traffic moves to the new version.
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/al:live/invocations"));
        Assert.Equal((HttpStatusCode.PreconditionFailed, "PreconditionFailedException",
            "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"),
            await Error(await http.PutAsync("/2015-03-31/functions/al/aliases/live", Json(new { FunctionVersion = "2", RevisionId = "stale" }))));
        JsonElement moved = await Body(await http.PutAsync("/2015-03-31/functions/al/aliases/live", Json(new { FunctionVersion = "2", RevisionId = revision })), HttpStatusCode.OK);
        Assert.Equal(("2", "prod"), (moved.GetProperty("FunctionVersion").GetString(), moved.GetProperty("Description").GetString()));
        Assert.NotEqual(revision, moved.GetProperty("RevisionId").GetString());
        Assert.Equal("2", await ExecutedVersionAsync(http, "/2015-03-31/functions/al:live/invocations"));
        JsonElement aliasConfiguration = await Body(await http.GetAsync("/2015-03-31/functions/al/configuration?Qualifier=live"), HttpStatusCode.OK);
        Assert.Equal(("2", Arn + "al:live"), (aliasConfiguration.GetProperty("Version").GetString(), aliasConfiguration.GetProperty("FunctionArn").GetString()));

        // ListAliases: by name, paged by MaxItems and Marker, filtered by FunctionVersion.
        await Body(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "beta", FunctionVersion = "1" })), HttpStatusCode.Created);
        await Body(await http.PostAsync("/2015-03-31/functions/al/aliases", Json(new { Name = "dev", FunctionVersion = "$LATEST" })), HttpStatusCode.Created);
        JsonElement first = await Body(await http.GetAsync("/2015-03-31/functions/al/aliases?MaxItems=2"), HttpStatusCode.OK);
        Assert.Equal(["beta", "dev"], first.GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("Name").GetString()));
        string marker = first.GetProperty("NextMarker").GetString()!;
        JsonElement second = await Body(await http.GetAsync($"/2015-03-31/functions/al/aliases?MaxItems=2&Marker={Uri.EscapeDataString(marker)}"), HttpStatusCode.OK);
        Assert.Equal(["live"], second.GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("Name").GetString()));
        Assert.False(second.TryGetProperty("NextMarker", out _));
        JsonElement filtered = await Body(await http.GetAsync("/2015-03-31/functions/al/aliases?FunctionVersion=1"), HttpStatusCode.OK);
        Assert.Equal(["beta"], filtered.GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("Name").GetString()));
        Assert.Equal("$LATEST", await ExecutedVersionAsync(http, "/2015-03-31/functions/al:dev/invocations"));

        using (HttpResponseMessage deleted = await http.DeleteAsync("/2015-03-31/functions/al/aliases/beta"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await Error(await http.GetAsync("/2015-03-31/functions/al/aliases/beta"))).Status);
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Alias not found: " + Arn + "al:beta"), await Error(await http.DeleteAsync("/2015-03-31/functions/al/aliases/beta")));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "al:beta"),
            await Error(await http.PostAsync("/2015-03-31/functions/al:beta/invocations", new StringContent("{}"))));
    }

    [Fact]
    public async Task A_weighted_alias_splits_invocations_by_its_weight_and_an_update_moves_them()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = await TwoVersionsAsync(server, "canary");
        JsonElement alias = await Body(await http.PostAsync("/2015-03-31/functions/canary/aliases", Json(new
        {
            Name = "live",
            FunctionVersion = "1",
            RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["2"] = 0.25 } },
        })), HttpStatusCode.Created);
        Assert.Equal(0.25, alias.GetProperty("RoutingConfig").GetProperty("AdditionalVersionWeights").GetProperty("2").GetDouble());

        Dictionary<string, int> counts = new() { ["1"] = 0, ["2"] = 0 };
        for (int i = 0; i < 40; i++)
        {
            counts[await ExecutedVersionAsync(http, "/2015-03-31/functions/canary/invocations?Qualifier=live")]++;
        }

        // Counter-based: exactly a quarter of any 40 consecutive invocations (README: Versions and aliases).
        Assert.Equal((30, 10), (counts["1"], counts["2"]));

        // Version 2 for everything: the routing goes, the primary moves.
        JsonElement moved = await Body(await http.PutAsync("/2015-03-31/functions/canary/aliases/live", Json(new { FunctionVersion = "2", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double>() } })), HttpStatusCode.OK);
        Assert.False(moved.TryGetProperty("RoutingConfig", out _));
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal("2", await ExecutedVersionAsync(http, "/2015-03-31/functions/canary:live/invocations"));
        }

        // Lambda's ListAliases filter also finds an alias that routes to the version.
        await Body(await http.PutAsync("/2015-03-31/functions/canary/aliases/live", Json(new { FunctionVersion = "1", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["2"] = 0.5 } } })), HttpStatusCode.OK);
        counts = new() { ["1"] = 0, ["2"] = 0 };
        for (int i = 0; i < 10; i++)
        {
            counts[await ExecutedVersionAsync(http, "/2015-03-31/functions/canary:live/invocations")]++;
        }

        Assert.Equal((5, 5), (counts["1"], counts["2"]));
    }

    [Fact]
    public async Task DeleteFunction_with_a_qualifier_deletes_one_version_but_not_LATEST_nor_one_an_alias_points_to()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = await TwoVersionsAsync(server, "del");
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/del:1/invocations"));
        await Body(await http.PostAsync("/2015-03-31/functions/del/aliases", Json(new { Name = "live", FunctionVersion = "1" })), HttpStatusCode.Created);
        await Body(await http.PostAsync("/2015-03-31/functions/del/aliases", Json(new { Name = "canary", FunctionVersion = "2", RoutingConfig = new { AdditionalVersionWeights = new Dictionary<string, double> { ["1"] = 0.1 } } })), HttpStatusCode.Created);

        Assert.Equal((HttpStatusCode.BadRequest, "InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function."),
            await Error(await http.DeleteAsync("/2015-03-31/functions/del?Qualifier=%24LATEST")));
        Assert.Equal((HttpStatusCode.Conflict, "ResourceConflictException", "Unable to delete version because the following aliases reference it: [canary, live]"),
            await Error(await http.DeleteAsync("/2015-03-31/functions/del?Qualifier=1")));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "del:9"),
            await Error(await http.DeleteAsync("/2015-03-31/functions/del?Qualifier=9")));

        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2015-03-31/functions/del/aliases/live")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2015-03-31/functions/del/aliases/canary")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2015-03-31/functions/del?Qualifier=1")).StatusCode);
        // Its idle environment went with it; $LATEST and version 2 stay.
        Assert.Equal(0, server.Test.Host.EnvironmentCount("del"));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "del:1"),
            await Error(await http.PostAsync("/2015-03-31/functions/del:1/invocations", new StringContent("{}"))));
        JsonElement versions = await Body(await http.GetAsync("/2015-03-31/functions/del/versions"), HttpStatusCode.OK);
        Assert.Equal(["$LATEST", "2"], versions.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Version").GetString()));

        // Numbers are not reused; the name:qualifier form deletes too.
        await Body(await http.PutAsync("/2015-03-31/functions/del/configuration", Json(new { Description = "third" })), HttpStatusCode.OK);
        await PublishAsync(http, "del", "3");
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2015-03-31/functions/del:2")).StatusCode);
        Assert.Equal("$LATEST", await ExecutedVersionAsync(http, "/2015-03-31/functions/del/invocations"));

        // Deleting the function deletes its versions and aliases.
        await Body(await http.PostAsync("/2015-03-31/functions/del/aliases", Json(new { Name = "live", FunctionVersion = "3" })), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2015-03-31/functions/del")).StatusCode);
        await Body(await http.PostAsync("/2015-03-31/functions", Json(Create("del", "again"))), HttpStatusCode.Created);
        JsonElement fresh = await Body(await http.GetAsync("/2015-03-31/functions/del/versions"), HttpStatusCode.OK);
        Assert.Single(fresh.GetProperty("Versions").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/del/aliases/live")).StatusCode);
        await PublishAsync(http, "del", "1");
    }

    [Fact]
    public async Task A_version_environment_that_died_while_idle_gives_its_slot_back()
    {
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { MaxQueuedInvocationsPerFunction = 0 });
        using HttpClient http = await TwoVersionsAsync(server, "dies");
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync("/2017-10-31/functions/dies/concurrency", Json(new { ReservedConcurrentExecutions = 1 }))).StatusCode);
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/dies:1/invocations"));
        Environments.ExecutionEnvironment idle = Assert.Single(server.Test.Host.Environments("dies"));
        using (System.Diagnostics.Process process = System.Diagnostics.Process.GetProcessById(idle.ProcessId!.Value))
        {
            process.Kill(entireProcessTree: true);
        }

        await WaitForAsync(() => idle.IsDead);

        // The dead environment leaves the pool with its slot: the function's one slot is free for a new environment.
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/dies:1/invocations"));
        Assert.Equal("$LATEST", await ExecutedVersionAsync(http, "/2015-03-31/functions/dies/invocations"));
        Assert.Equal(1, server.Test.Host.EnvironmentCount("dies"));
    }

    [Fact]
    public async Task A_version_number_with_leading_zeros_is_no_version()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = await TwoVersionsAsync(server, "zeros");
        await Body(await http.PostAsync("/2015-03-31/functions/zeros/aliases", Json(new { Name = "live", FunctionVersion = "1" })), HttpStatusCode.Created);

        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "zeros:01"),
            await Error(await http.PostAsync("/2015-03-31/functions/zeros:01/invocations", new StringContent("{}"))));
        Assert.Equal((HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: " + Arn + "zeros:01"),
            await Error(await http.DeleteAsync("/2015-03-31/functions/zeros?Qualifier=01")));
        Assert.Equal("1", await ExecutedVersionAsync(http, "/2015-03-31/functions/zeros:live/invocations"));
    }

    [Fact]
    public async Task A_page_after_a_deleted_marker_goes_on_after_it()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = await TwoVersionsAsync(server, "pages");
        await PublishAsync(http, "pages", "2"); // nothing changed: version 2 again
        await Body(await http.PutAsync("/2015-03-31/functions/pages/configuration", Json(new { Description = "third" })), HttpStatusCode.OK);
        await PublishAsync(http, "pages", "3");
        foreach (string alias in new[] { "a", "b", "c" })
        {
            await Body(await http.PostAsync("/2015-03-31/functions/pages/aliases", Json(new { Name = alias, FunctionVersion = "3" })), HttpStatusCode.Created);
        }

        JsonElement first = await Body(await http.GetAsync("/2015-03-31/functions/pages/versions?MaxItems=2"), HttpStatusCode.OK);
        Assert.Equal(["$LATEST", "1"], first.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Version").GetString()));
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2015-03-31/functions/pages?Qualifier=1")).StatusCode);
        JsonElement second = await Body(await http.GetAsync($"/2015-03-31/functions/pages/versions?MaxItems=2&Marker={first.GetProperty("NextMarker").GetString()}"), HttpStatusCode.OK);
        Assert.Equal(["2", "3"], second.GetProperty("Versions").EnumerateArray().Select(v => v.GetProperty("Version").GetString()));

        JsonElement aliases = await Body(await http.GetAsync("/2015-03-31/functions/pages/aliases?MaxItems=1"), HttpStatusCode.OK);
        Assert.Equal("a", Assert.Single(aliases.GetProperty("Aliases").EnumerateArray()).GetProperty("Name").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync("/2015-03-31/functions/pages/aliases/a")).StatusCode);
        JsonElement rest = await Body(await http.GetAsync($"/2015-03-31/functions/pages/aliases?Marker={aliases.GetProperty("NextMarker").GetString()}"), HttpStatusCode.OK);
        Assert.Equal(["b", "c"], rest.GetProperty("Aliases").EnumerateArray().Select(a => a.GetProperty("Name").GetString()));
    }

    [Fact]
    public async Task Versions_share_the_functions_reserved_concurrency()
    {
        // No queue: beyond the reservation an invocation is throttled at once, as on Lambda.
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { MaxQueuedInvocationsPerFunction = 0 });
        using HttpClient http = await TwoVersionsAsync(server, "shared");
        Assert.Equal(HttpStatusCode.OK, (await http.PutAsync("/2017-10-31/functions/shared/concurrency", Json(new { ReservedConcurrentExecutions = 1 }))).StatusCode);
        string hold = Path.Combine(Path.GetTempPath(), $"handshake-hold-{Guid.NewGuid():N}");
        try
        {
            // Version 1 holds the function's only slot: $LATEST and version 2 are throttled.
            Task<HttpResponseMessage> busy = http.PostAsync("/2015-03-31/functions/shared:1/invocations", Json(new { hold }));
            await WaitForAsync(() => server.Test.Host.EnvironmentCount("shared") == 1);
            foreach (string path in new[] { "/2015-03-31/functions/shared/invocations", "/2015-03-31/functions/shared:2/invocations" })
            {
                using HttpResponseMessage throttled = await http.PostAsync(path, new StringContent("{}"));
                Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
                Assert.Equal("TooManyRequestsException", throttled.Headers.GetValues("x-amzn-ErrorType").Single());
                Assert.Contains("\"Reason\":\"ReservedFunctionConcurrentInvocationLimitExceeded\"", await throttled.Content.ReadAsStringAsync());
            }

            await File.WriteAllTextAsync(hold, "");
            using (HttpResponseMessage done = await busy.WaitAsync(TestHost.Wait))
            {
                Assert.Equal("1", done.Headers.GetValues("X-Amz-Executed-Version").Single());
            }

            // The idle environment of version 1 gives its slot to version 2, then to $LATEST: never two at once.
            Assert.Equal("2", await ExecutedVersionAsync(http, "/2015-03-31/functions/shared:2/invocations"));
            Assert.Equal("$LATEST", await ExecutedVersionAsync(http, "/2015-03-31/functions/shared/invocations"));
            Assert.Equal(1, server.Test.Host.PeakEnvironmentCount("shared"));
        }
        finally
        {
            File.Delete(hold);
        }
    }

    [Fact]
    public async Task A_hot_reload_directory_is_shared_by_its_versions_while_their_configuration_is_snapshotted()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();
        string directory = Directory.CreateTempSubdirectory("handshake-hot-").FullName;
        try
        {
            File.Copy(Path.Combine(TestHost.FunctionDirectory("bash-runtime"), "bootstrap"), Path.Combine(directory, "bootstrap"));
            await Body(await http.PostAsync("/2015-03-31/functions", Json(new
            {
                FunctionName = "hot",
                Runtime = "provided.al2023",
                Role = "arn:aws:iam::000000000000:role/lambda",
                Handler = "function.handler",
                Code = new { S3Bucket = "hot-reload", S3Key = directory },
                Environment = new { Variables = new Dictionary<string, string> { ["FOO"] = "one" } },
            })), HttpStatusCode.Created);
            // As LocalStack: a hot-reloaded package's CodeSha256 is not checked (the directory may change at any time).
            await PublishAsync(http, "hot", "1", new { CodeSha256 = "not-the-hash" });
            await Body(await http.PutAsync("/2015-03-31/functions/hot/configuration", Json(new { Environment = new { Variables = new Dictionary<string, string> { ["FOO"] = "two" } } })), HttpStatusCode.OK);
            await File.WriteAllTextAsync(Path.Combine(directory, "added-later.txt"), "new code");

            (string executed, JsonElement env) = await InvokeEnvironmentAsync(http, "/2015-03-31/functions/hot:1/invocations");
            Assert.Equal(("1", "one", "1"), (executed, env.GetProperty("FOO").GetString(), env.GetProperty("AWS_LAMBDA_FUNCTION_VERSION").GetString()));
            Assert.Equal(directory, env.GetProperty("LAMBDA_TASK_ROOT").GetString());
            (executed, env) = await InvokeEnvironmentAsync(http, "/2015-03-31/functions/hot/invocations");
            Assert.Equal(("$LATEST", "two"), (executed, env.GetProperty("FOO").GetString()));
            Assert.Equal(directory, env.GetProperty("LAMBDA_TASK_ROOT").GetString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using CancellationTokenSource timeout = new(TestHost.Wait);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
