using System.Net;
using System.Text;
using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Control-plane bodies checked against Lambda's model as they are read: a member of the wrong JSON type, in any
/// operation, is 400 InvalidRequestContentException before anything is looked up or changed (raw HTTP: the SDKs never
/// send one); what the SDKs can send wrongly (an empty Handler, a role name for Role) is the model's ValidationException
/// (the AWS CLI); and what boto3 sends for every member the operations take is still accepted.
/// </summary>
public sealed class RequestShapeTests
{
    private const string Role = "arn:aws:iam::000000000000:role/lambda";
    private const string Prefix = "Could not parse request body into json: ";

    private static StringContent Raw(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<(HttpStatusCode Status, string Type, string Message)> Error(HttpResponseMessage response)
    {
        string type = response.Headers.TryGetValues("x-amzn-ErrorType", out IEnumerable<string>? values) ? values.Single() : "";
        string text = await response.Content.ReadAsStringAsync();
        JsonElement body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement;
        return (response.StatusCode, type, body.ValueKind == JsonValueKind.Object && body.TryGetProperty("message", out JsonElement m) ? m.GetString()! : text);
    }

    /// <summary>A CreateFunction body that is valid but for <paramref name="member"/> (JSON text, appended last).</summary>
    private static string Create(string member) =>
        $$"""{"FunctionName":"other","Runtime":"provided.al2023","Role":"{{Role}}","Handler":"h","Code":{"ZipFile":"{{Convert.ToBase64String(FunctionZip.BashRuntime())}}"},{{member}}}""";

    [Fact]
    public async Task A_member_of_the_wrong_JSON_type_is_InvalidRequestContentException_in_every_operation_that_takes_a_body()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("typed");
        using HttpClient http = server.Client();
        HttpResponseMessage aliased = await http.PostAsync("/2015-03-31/functions/typed/aliases", Raw("""{"Name":"live","FunctionVersion":"$LATEST"}"""));
        Assert.Equal(HttpStatusCode.Created, aliased.StatusCode);
        string before = await http.GetStringAsync("/2015-03-31/functions/typed");
        string aliasBefore = await http.GetStringAsync("/2015-03-31/functions/typed/aliases/live");
        string tagsPath = "/2017-03-31/tags/" + Uri.EscapeDataString(JsonDocument.Parse(before).RootElement.GetProperty("Configuration").GetProperty("FunctionArn").GetString()!);

        // Each was ignored (Publish, Tags, Environment, the members the host does not implement), taken as its raw
        // text (a number as an environment variable or a tag value), or answered with another error; Lambda refuses
        // them all when it deserializes the body, whether or not it would use the member.
        (HttpMethod Method, string Path, string Body, string Message)[] requests =
        [
            (HttpMethod.Post, "/2015-03-31/functions", Create("\"Publish\":\"yes\""), "Publish must be a boolean, not a JSON string."),
            (HttpMethod.Post, "/2015-03-31/functions", Create("\"Tags\":[1]"), "Tags must be an object, not a JSON array."),
            (HttpMethod.Post, "/2015-03-31/functions", Create("\"Environment\":[]"), "Environment must be an object, not a JSON array."),
            (HttpMethod.Post, "/2015-03-31/functions", Create("""
                "Environment":{"Variables":{"PORT":8080}}
                """), "Environment.Variables.PORT must be a string, not a JSON number."),
            (HttpMethod.Post, "/2015-03-31/functions", Create("\"Layers\":[\"arn:aws:lambda:us-east-1:000000000000:layer:l:1\",2]"), "Layers[1] must be a string, not a JSON number."),
            (HttpMethod.Post, "/2015-03-31/functions", Create("\"VpcConfig\":\"vpc-1\""), "VpcConfig must be an object, not a JSON string."),
            (HttpMethod.Post, "/2015-03-31/functions", """{"FunctionName":"other","Runtime":"provided.al2023","Role":"r","Code":{"ZipFile":true}}""", "Code.ZipFile must be a string, not a boolean."),
            (HttpMethod.Post, "/2015-03-31/functions", """{"FunctionName":7,"Runtime":"provided.al2023","Code":{}}""", "FunctionName must be a string, not a JSON number."),
            (HttpMethod.Put, "/2015-03-31/functions/typed/configuration", """{"Handler":["index.handler"]}""", "Handler must be a string, not a JSON array."),
            (HttpMethod.Put, "/2015-03-31/functions/typed/configuration", """{"EphemeralStorage":1024}""", "EphemeralStorage must be an object, not a JSON number."),
            (HttpMethod.Put, "/2015-03-31/functions/typed/configuration", """{"TracingConfig":{"Mode":false}}""", "TracingConfig.Mode must be a string, not a boolean."),
            (HttpMethod.Put, "/2015-03-31/functions/typed/configuration", """{"Role":null,"RevisionId":{"id":"x"}}""", "RevisionId must be a string, not a JSON object."),
            // Read before the function is looked up, as Lambda deserializes the body first: 400, not 404.
            (HttpMethod.Put, "/2015-03-31/functions/missing/configuration", """{"Timeout":"3"}""", "Timeout must be an integer, not a JSON string."),
            (HttpMethod.Put, "/2015-03-31/functions/typed/code", """{"ZipFile":"","Publish":"true"}""", "Publish must be a boolean, not a JSON string."),
            (HttpMethod.Put, "/2015-03-31/functions/typed/code", """{"ZipFile":"","DryRun":1}""", "DryRun must be a boolean, not a JSON number."),
            (HttpMethod.Put, "/2015-03-31/functions/typed/code", """{"ZipFile":"","Architectures":"arm64"}""", "Architectures must be a list, not a JSON string."),
            (HttpMethod.Post, "/2015-03-31/functions/typed/versions", """{"Description":{}}""", "Description must be a string, not a JSON object."),
            (HttpMethod.Post, "/2015-03-31/functions/typed/aliases", """{"Name":"w","FunctionVersion":"1","RoutingConfig":{"AdditionalVersionWeights":{"1":"0.5"}}}""",
                "RoutingConfig.AdditionalVersionWeights.1 must be a number, not a JSON string."),
            (HttpMethod.Put, "/2015-03-31/functions/typed/aliases/live", """{"FunctionVersion":1}""", "FunctionVersion must be a string, not a JSON number."),
            (HttpMethod.Put, "/2017-10-31/functions/typed/concurrency", """{"ReservedConcurrentExecutions":"5"}""", "ReservedConcurrentExecutions must be an integer, not a JSON string."),
            (HttpMethod.Post, tagsPath, """{"Tags":{"team":["a"]}}""", "Tags.team must be a string, not a JSON array."),
            (HttpMethod.Put, "/2019-09-25/functions/typed/event-invoke-config", """{"DestinationConfig":{"OnFailure":"arn:aws:lambda:us-east-1:000000000000:function:typed"}}""",
                "DestinationConfig.OnFailure must be an object, not a JSON string."),
            (HttpMethod.Post, "/2019-09-25/functions/typed/event-invoke-config", """{"MaximumRetryAttempts":true}""", "MaximumRetryAttempts must be an integer, not a boolean."),
            (HttpMethod.Post, "/2021-10-31/functions/typed/url", """{"AuthType":"NONE","Cors":{"AllowOrigins":"*"}}""", "Cors.AllowOrigins must be a list, not a JSON string."),
            (HttpMethod.Put, "/2021-10-31/functions/typed/url", """{"Cors":{"AllowCredentials":"true"}}""", "Cors.AllowCredentials must be a boolean, not a JSON string."),
            (HttpMethod.Post, "/2015-03-31/functions/typed/policy", """{"StatementId":"s","Action":"lambda:InvokeFunction","Principal":["s3.amazonaws.com"]}""",
                "Principal must be a string, not a JSON array."),
            (HttpMethod.Post, "/2015-03-31/event-source-mappings/", """{"FunctionName":"typed","EventSourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1","StartingPosition":"LATEST","Enabled":"false"}""",
                "Enabled must be a boolean, not a JSON string."),
            // A filter's pattern written as an object instead of a string: the usual mistake, refused for its type.
            (HttpMethod.Post, "/2015-03-31/event-source-mappings/", """{"FunctionName":"typed","EventSourceArn":"arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/1","StartingPosition":"LATEST","FilterCriteria":{"Filters":[{"Pattern":{"eventName":["INSERT"]}}]}}""",
                "FilterCriteria.Filters[0].Pattern must be a string, not a JSON object."),
            (HttpMethod.Put, "/2015-03-31/event-source-mappings/" + Guid.NewGuid(), """{"BatchSize":"10"}""", "BatchSize must be an integer, not a JSON string."),
        ];
        foreach ((HttpMethod method, string path, string body, string message) in requests)
        {
            using HttpRequestMessage request = new(method, path) { Content = Raw(body) };
            Assert.Equal((HttpStatusCode.BadRequest, "InvalidRequestContentException", Prefix + message), await Error(await http.SendAsync(request)));
        }

        // Nothing was made or changed.
        Assert.Equal(before, await http.GetStringAsync("/2015-03-31/functions/typed"));
        Assert.Equal(aliasBefore, await http.GetStringAsync("/2015-03-31/functions/typed/aliases/live"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/other")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/typed/aliases/w")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2021-10-31/functions/typed/url")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2019-09-25/functions/typed/event-invoke-config")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/typed/policy")).StatusCode);
        Assert.Equal("{}", JsonDocument.Parse(await http.GetStringAsync(tagsPath)).RootElement.GetProperty("Tags").GetRawText());
        Assert.Equal(1, JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/typed/versions")).RootElement.GetProperty("Versions").GetArrayLength());
        Assert.Equal(0, JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/event-source-mappings/")).RootElement.GetProperty("EventSourceMappings").GetArrayLength());
    }

    [Fact]
    public async Task JSON_null_is_an_absent_member_and_members_outside_the_model_are_ignored()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        using HttpClient http = server.Client();

        HttpResponseMessage created = await http.PostAsync("/2015-03-31/functions",
            Raw(Create("\"Publish\":null,\"Tags\":null,\"Environment\":{\"Variables\":null},\"VpcConfig\":null,\"SomethingNew\":[1,{\"x\":true}]")));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        JsonElement configuration = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("$LATEST", configuration.GetProperty("Version").GetString());

        // A null tag value or environment variable is dropped, not kept as the text "null".
        HttpResponseMessage withNulls = await http.PostAsync("/2015-03-31/functions", Raw(Create("\"Tags\":{\"kept\":\"1\",\"dropped\":null},\"Environment\":{\"Variables\":{\"KEPT\":\"1\",\"DROPPED\":null}}").Replace("\"other\"", "\"nulls\"")));
        Assert.Equal(HttpStatusCode.Created, withNulls.StatusCode);
        JsonElement variables = JsonDocument.Parse(await withNulls.Content.ReadAsStringAsync()).RootElement.GetProperty("Environment").GetProperty("Variables");
        Assert.Equal(["KEPT"], variables.EnumerateObject().Select(static v => v.Name));
        JsonElement tags = JsonDocument.Parse(await http.GetStringAsync("/2015-03-31/functions/nulls")).RootElement.GetProperty("Tags");
        Assert.Equal(["kept"], tags.EnumerateObject().Select(static t => t.Name));
    }

    [Fact]
    public async Task The_AWS_CLI_gets_the_models_ValidationException_for_an_empty_Handler_and_a_role_name_instead_of_its_ARN()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        server.Test.AddBash("handled");
        string work = Directory.CreateTempSubdirectory("handshake-shape-").FullName;
        try
        {
            string zip = Path.Combine(work, "function.zip");
            await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
            Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
            string[] endpoint = ["--endpoint-url", server.Endpoint.ToString()];
            string before = await server.Client().GetStringAsync("/2015-03-31/functions/handled/configuration");

            // Both were accepted: an empty Handler (the pattern [^\s]+ needs one character, though the model's minimum
            // length is 0, so botocore sends it) and a role's name (the model's pattern wants its ARN).
            var emptyHandler = await AwsCli.RunAsync(["lambda", "update-function-configuration", .. endpoint, "--function-name", "handled", "--handler", ""], environment);
            Assert.NotEqual(0, emptyHandler.ExitCode);
            Assert.Contains("An error occurred (ValidationException) when calling the UpdateFunctionConfiguration operation: 1 validation error detected: Value '' at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern: [^\\s]+",
                emptyHandler.Stderr);

            var roleName = await AwsCli.RunAsync(["lambda", "create-function", .. endpoint, "--function-name", "named", "--runtime", "provided.al2023",
                "--role", "lambda-role", "--handler", "function.handler", "--zip-file", "fileb://" + zip], environment);
            Assert.NotEqual(0, roleName.ExitCode);
            Assert.Contains("An error occurred (ValidationException) when calling the CreateFunction operation: 1 validation error detected: Value 'lambda-role' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+",
                roleName.Stderr);

            Assert.Equal(before, await server.Client().GetStringAsync("/2015-03-31/functions/handled/configuration"));
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client().GetAsync("/2015-03-31/functions/named")).StatusCode);

            // A role ARN with a path is the pattern's too.
            var pathRole = await AwsCli.RunAsync(["lambda", "update-function-configuration", .. endpoint, "--function-name", "handled",
                "--role", "arn:aws:iam::123456789012:role/service-role/my-role"], environment);
            Assert.True(pathRole.ExitCode == 0, pathRole.Stderr);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Boto3s_requests_with_every_member_the_host_takes_are_accepted()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        string work = Directory.CreateTempSubdirectory("handshake-boto3-").FullName;
        try
        {
            string zip = Path.Combine(work, "function.zip");
            await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
            var run = await Repository.RunAsync("python3", [Repository.Path("tests", "clients", "lambda_members_boto3.py"), server.Endpoint.ToString(), zip, server.Test.Marker],
                Repository.AwsEnvironment(server.Endpoint));
            Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
            JsonElement o = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]).RootElement;

            // Every call succeeded (an error is {"error": ...}): a member typed wrongly in the host's shapes would be 400.
            foreach (JsonProperty call in o.EnumerateObject())
            {
                Assert.False(call.Value.ValueKind == JsonValueKind.Object && call.Value.TryGetProperty("error", out _), $"{call.Name}: {call.Value}");
            }

            Assert.Equal("1", o.GetProperty("created").GetProperty("Version").GetString());
            Assert.Equal("8080", o.GetProperty("created").GetProperty("Environment").GetProperty("Variables").GetProperty("PORT").GetString());
            Assert.Equal("index.handler", o.GetProperty("configured").GetProperty("Handler").GetString());
            Assert.Equal(1024, o.GetProperty("configured").GetProperty("EphemeralStorage").GetProperty("Size").GetInt32());
            Assert.Equal("2", o.GetProperty("coded").GetProperty("Version").GetString());
            Assert.Equal(0.25, o.GetProperty("alias").GetProperty("RoutingConfig").GetProperty("AdditionalVersionWeights").GetProperty("2").GetDouble());
            Assert.Equal(1, o.GetProperty("eventInvokeConfig").GetProperty("MaximumRetryAttempts").GetInt32());
            Assert.Equal(600, o.GetProperty("url").GetProperty("Cors").GetProperty("MaxAge").GetInt32());
            Assert.Equal(3, o.GetProperty("concurrency").GetProperty("ReservedConcurrentExecutions").GetInt32());
            Assert.Equal("platform", o.GetProperty("tags").GetProperty("team").GetString());
            Assert.Empty(o.GetProperty("modelViolations").EnumerateArray()); // every answer as botocore's Lambda model has it
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
