using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>Function tags (CreateFunction's Tags, TagResource, UntagResource, ListTags, GetFunction) through the AWS CLI.</summary>
public sealed class FunctionTagsTests
{
    [Fact]
    public async Task The_AWS_CLI_tags_untags_and_lists_a_function_without_restarting_it()
    {
        await using LambdaServer server = await LambdaServer.StartAsync();
        string work = Directory.CreateTempSubdirectory("handshake-tags-").FullName;
        try
        {
            string zip = Path.Combine(work, "function.zip");
            await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
            Dictionary<string, string> environment = Repository.AwsEnvironment(server.Endpoint);
            string endpoint = server.Endpoint.ToString();
            Task<(int ExitCode, string Stdout, string Stderr)> Cli(params string[] args) => AwsCli.RunAsync(["lambda", .. args, "--endpoint-url", endpoint], environment);
            string arn = "arn:aws:lambda:us-east-1:000000000000:function:tagged";

            var created = await Cli("create-function", "--function-name", "tagged", "--runtime", "provided.al2023", "--role", "arn:aws:iam::000000000000:role/lambda",
                "--handler", "function.handler", "--zip-file", "fileb://" + zip, "--tags", "team=seed,stage=dev",
                "--environment", $"Variables={{HANDSHAKE_TEST_MARKER={server.Test.Marker}}}");
            Assert.True(created.ExitCode == 0, created.Stderr);
            var first = await Cli("invoke", "--function-name", "tagged", "--payload", """{"pid":true}""", Path.Combine(work, "first.json"));
            Assert.True(first.ExitCode == 0, first.Stderr);

            var listed = await Cli("list-tags", "--resource", arn);
            Assert.True(listed.ExitCode == 0, listed.Stderr);
            JsonElement tags = JsonDocument.Parse(listed.Stdout).RootElement.GetProperty("Tags");
            Assert.Equal("seed", tags.GetProperty("team").GetString());
            Assert.Equal("dev", tags.GetProperty("stage").GetString());

            Assert.Equal(0, (await Cli("tag-resource", "--resource", arn, "--tags", "stage=prod,owner=ops")).ExitCode);
            Assert.Equal(0, (await Cli("untag-resource", "--resource", arn, "--tag-keys", "team", "absent")).ExitCode);
            tags = JsonDocument.Parse((await Cli("get-function", "--function-name", "tagged")).Stdout).RootElement.GetProperty("Tags");
            Assert.Equal(["owner", "stage"], tags.EnumerateObject().Select(t => t.Name).Order());
            Assert.Equal("prod", tags.GetProperty("stage").GetString());

            // Tagging is not a configuration change: the same environment (the same process) answers.
            var second = await Cli("invoke", "--function-name", "tagged", "--payload", """{"pid":true}""", Path.Combine(work, "second.json"));
            Assert.True(second.ExitCode == 0, second.Stderr);
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(work, "first.json")), await File.ReadAllTextAsync(Path.Combine(work, "second.json")));

            var unknown = await Cli("list-tags", "--resource", "arn:aws:lambda:us-east-1:000000000000:function:nobody");
            Assert.Contains("(ResourceNotFoundException) when calling the ListTags operation: Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody", unknown.Stderr);
            var tooMany = await Cli("tag-resource", "--resource", arn, "--tags", string.Join(",", Enumerable.Range(0, 49).Select(i => $"k{i}=v")));
            Assert.Contains("(InvalidParameterValueException) when calling the TagResource operation: Number of tags exceeds resource tag limit.", tooMany.Stderr);
            Assert.Equal(2, JsonDocument.Parse((await Cli("list-tags", "--resource", arn)).Stdout).RootElement.GetProperty("Tags").EnumerateObject().Count());
            var reserved = await Cli("tag-resource", "--resource", arn, "--tags", "aws:owner=me");
            Assert.Contains("(InvalidParameterValueException)", reserved.Stderr);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
