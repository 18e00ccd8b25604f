using System.Text.Json;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Every Lambda operation the host serves, through boto3, with every answer checked against botocore's model of the
/// Lambda API (tests/clients/model_audit.py: no member the model lacks, no wrong JSON type, no value outside an enum,
/// error codes the model names for the operation).
/// </summary>
public sealed class ModelAuditTests
{
    [Fact]
    public async Task Every_Lambda_answer_through_boto3_matches_botocores_model()
    {
        await using StreamServer server = await StreamServer.StartAsync();
        string work = Directory.CreateTempSubdirectory("handshake-audit-").FullName;
        try
        {
            string zip = Path.Combine(work, "function.zip");
            await File.WriteAllBytesAsync(zip, FunctionZip.BashRuntime());
            var run = await Repository.RunAsync("python3",
                [Repository.Path("tests", "clients", "lambda_model_audit_boto3.py"), server.Endpoint.ToString(), zip, server.Test.Marker],
                Repository.AwsEnvironment(server.Endpoint));
            Assert.True(run.ExitCode == 0, run.Stderr + run.Stdout);
            JsonElement o = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]).RootElement;

            Assert.Empty(o.GetProperty("failed").EnumerateObject().Select(p => $"{p.Name}: {p.Value}"));
            Assert.Empty(o.GetProperty("violations").EnumerateArray().Select(v => v.GetString()));
            Assert.True(o.GetProperty("responses").GetInt32() >= 75, o.ToString()); // every call was answered and audited
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
