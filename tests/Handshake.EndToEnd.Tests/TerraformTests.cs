using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Handshake.EndToEnd.Tests;

/// <summary>
/// Terraform with the AWS provider (5.100.0, the one this machine's image ships in /opt/tf-plugins: another real SDK,
/// the AWS SDK for Go v2, as oracle) against `handshake up`, as LocalStack users deploy: a DynamoDB table with a GSI,
/// TTL, a stream, point-in-time recovery and KMS encryption, an item in it, the function's CloudWatch log group with
/// its retention, tags and KMS key, a Lambda function from a zip with its alias, URL, permission, asynchronous settings, reserved concurrency, active tracing and JSON logging, an event source mapping on the table's stream with
/// filters and tags, and an invocation. Apply, then a plan that must find nothing to change (every attribute read back
/// as written), then an in-place change of each kind and the same empty plan, then destroy, leaving nothing.
/// </summary>
public sealed class TerraformTests : IDisposable
{
    /// <summary>A custom runtime that answers each event with the event itself.</summary>
    private const string EchoBootstrap = """
        #!/bin/bash
        set -uo pipefail
        API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
        EVENT=$(mktemp)
        trap 'rm -f "$EVENT"' EXIT
        while true; do
          ID=$(curl -sS -D - -o "$EVENT" "$API/invocation/next" | grep -Fi Lambda-Runtime-Aws-Request-Id | tr -d '[:space:]' | cut -d: -f2)
          [ -n "$ID" ] || exit 1
          curl -sS -o /dev/null -X POST "$API/invocation/$ID/response" --data-binary "@$EVENT"
        done

        """;

    private readonly string _directory = Directory.CreateTempSubdirectory("handshake-terraform-").FullName;

    [Fact]
    public async Task Terraform_applies_plans_no_changes_updates_and_destroys_a_table_and_a_function_with_its_mapping()
    {
        TerraformCli.AssertInstalled();
        using HandshakeProcess up = HandshakeProcess.Start(_directory, "up", "--port", "0", "--in-memory");
        string endpoint = ExecutableTests.ExportedValue(await up.ReadUntilAsync("Press Ctrl-C"), "AWS_ENDPOINT_URL");
        using HttpClient http = new() { BaseAddress = new Uri(endpoint), Timeout = HandshakeProcess.Timeout };
        string project = Path.Combine(_directory, "project");
        Directory.CreateDirectory(project);

        await WriteZipAsync(project, version: 1);
        await File.WriteAllTextAsync(Path.Combine(project, "main.tf"), Configuration(endpoint, memory: 256, batchSize: 10, stage: "one", retention: 14, logTags: """{ team = "a", owner = "x" }"""));
        await TerraformCli.InitAsync(project);
        await TerraformCli.RunAsync(project, "apply", "-auto-approve");
        await TerraformCli.AssertNoChangesAsync(project);

        // What Terraform made is there, as the other clients see it.
        JsonElement outputs = JsonDocument.Parse((await TerraformCli.RunAsync(project, "output", "-json")).Stdout).RootElement;
        Assert.Equal("""{"hello":"world"}""", outputs.GetProperty("invocation").GetProperty("value").GetString());
        string mappingArn = outputs.GetProperty("mapping_arn").GetProperty("value").GetString()!;
        Assert.Equal("one", (await GetJsonAsync(http, $"/2017-03-31/tags/{mappingArn}")).GetProperty("Tags").GetProperty("stage").GetString());
        JsonElement item = await DynamoAsync(http, "GetItem", """{"TableName":"records","Key":{"pk":{"S":"seed"},"sk":{"N":"1"}}}""");
        Assert.Equal("from terraform", item.GetProperty("Item").GetProperty("note").GetProperty("S").GetString());
        JsonElement configuration = await GetJsonAsync(http, "/2015-03-31/functions/put-record/configuration");
        Assert.Equal(256, configuration.GetProperty("MemorySize").GetInt32());
        Assert.Equal(3, (await GetJsonAsync(http, "/2019-09-30/functions/put-record/concurrency")).GetProperty("ReservedConcurrentExecutions").GetInt32());
        JsonElement group = await LogGroupAsync(http);
        Assert.Equal(14, group.GetProperty("retentionInDays").GetInt32());
        Assert.False(group.TryGetProperty("kmsKeyId", out _));
        Assert.Equal("""{"owner":"x","team":"a"}""", await LogGroupTagsAsync(http));
        // The group Terraform made before the function (depends_on) is the one the function logs into: its START, a
        // platform.start event under log_format JSON (system_log_level INFO writes it; WARN would not).
        JsonElement starts = await LogsAsync(http, "FilterLogEvents", """{"logGroupName":"/aws/lambda/put-record","filterPattern":"\"platform.start\""}""");
        Assert.NotEmpty(starts.GetProperty("events").EnumerateArray());

        // In place: the function's configuration and code, the mapping's batch size and tags.
        await WriteZipAsync(project, version: 2);
        await File.WriteAllTextAsync(Path.Combine(project, "main.tf"), Configuration(endpoint, memory: 512, batchSize: 20, stage: "two", retention: 30, logTags: """{ team = "b" }""", kmsKeyId: "arn:aws:kms:us-east-1:000000000000:key/k1"));
        await TerraformCli.RunAsync(project, "apply", "-auto-approve");
        await TerraformCli.AssertNoChangesAsync(project);
        configuration = await GetJsonAsync(http, "/2015-03-31/functions/put-record/configuration");
        Assert.Equal(512, configuration.GetProperty("MemorySize").GetInt32());
        Assert.Equal("2", configuration.GetProperty("Environment").GetProperty("Variables").GetProperty("CODE").GetString());
        Assert.Equal("two", (await GetJsonAsync(http, $"/2017-03-31/tags/{mappingArn}")).GetProperty("Tags").GetProperty("stage").GetString());
        string uuid = mappingArn[(mappingArn.LastIndexOf(':') + 1)..];
        Assert.Equal(20, (await GetJsonAsync(http, $"/2015-03-31/event-source-mappings/{uuid}")).GetProperty("BatchSize").GetInt32());
        // The log group in place: PutRetentionPolicy, TagResource and UntagResource, AssociateKmsKey.
        group = await LogGroupAsync(http);
        Assert.Equal(30, group.GetProperty("retentionInDays").GetInt32());
        Assert.Equal("arn:aws:kms:us-east-1:000000000000:key/k1", group.GetProperty("kmsKeyId").GetString());
        Assert.Equal("""{"team":"b"}""", await LogGroupTagsAsync(http));

        await TerraformCli.RunAsync(project, "destroy", "-auto-approve");
        Assert.Empty((await DynamoAsync(http, "ListTables", "{}")).GetProperty("TableNames").EnumerateArray());
        Assert.Empty((await GetJsonAsync(http, "/2015-03-31/functions/")).GetProperty("Functions").EnumerateArray());
        Assert.Empty((await GetJsonAsync(http, "/2015-03-31/event-source-mappings/")).GetProperty("EventSourceMappings").EnumerateArray());
        Assert.Empty((await LogsAsync(http, "DescribeLogGroups", "{}")).GetProperty("logGroups").EnumerateArray());
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A function's process may still hold a file for a moment; the temporary directory is left then.
        }
    }

    /// <summary>The configuration, with the values the second apply changes as parameters.</summary>
    private static string Configuration(string endpoint, int memory, int batchSize, string stage, int retention, string logTags, string? kmsKeyId = null) =>
        TerraformCli.Provider(endpoint, "dynamodb", "lambda", "logs") + $$"""
        resource "aws_dynamodb_table" "records" {
          name             = "records"
          billing_mode     = "PAY_PER_REQUEST"
          hash_key         = "pk"
          range_key        = "sk"
          stream_enabled   = true
          stream_view_type = "NEW_AND_OLD_IMAGES"
          attribute {
            name = "pk"
            type = "S"
          }
          attribute {
            name = "sk"
            type = "N"
          }
          attribute {
            name = "g"
            type = "S"
          }
          global_secondary_index {
            name            = "by-g"
            hash_key        = "g"
            projection_type = "ALL"
          }
          ttl {
            attribute_name = "expires"
            enabled        = true
          }
          point_in_time_recovery {
            enabled = true
          }
          server_side_encryption {
            enabled = true
          }
          tags = { team = "a" }
        }
        resource "aws_dynamodb_table_item" "seed" {
          table_name = aws_dynamodb_table.records.name
          hash_key   = aws_dynamodb_table.records.hash_key
          range_key  = aws_dynamodb_table.records.range_key
          item       = jsonencode({ pk = { S = "seed" }, sk = { N = "1" }, note = { S = "from terraform" } })
        }
        # The function's log group, declared before the function (depends_on) as Terraform users do, so that its
        # retention and tags are Terraform's: one the function had already logged into would exist, and need an import.
        resource "aws_cloudwatch_log_group" "fn" {
          name              = "/aws/lambda/put-record"
          retention_in_days = {{retention}}
          tags              = {{logTags}}
          {{(kmsKeyId is null ? "" : $"kms_key_id        = \"{kmsKeyId}\"")}}
        }
        resource "aws_lambda_function" "put" {
          depends_on                     = [aws_cloudwatch_log_group.fn]
          function_name                  = "put-record"
          role                           = "arn:aws:iam::000000000000:role/lambda"
          runtime                        = "provided.al2023"
          handler                        = "function.handler"
          filename                       = "function.zip"
          source_code_hash               = filebase64sha256("function.zip")
          timeout                        = 10
          memory_size                    = {{memory}}
          publish                        = true
          reserved_concurrent_executions = 3
          environment {
            variables = { TABLE = aws_dynamodb_table.records.name, CODE = "{{memory / 256}}" }
          }
          tracing_config {
            mode = "Active"
          }
          logging_config {
            # Both levels, as on AWS: JSON's levels default to INFO, and with publish = true the provider plans a new
            # version on every run for a level left out (terraform-provider-aws#42181).
            log_format            = "JSON"
            application_log_level = "INFO"
            system_log_level      = "INFO"
          }
          tags = { team = "a" }
        }
        resource "aws_lambda_alias" "live" {
          name             = "live"
          function_name    = aws_lambda_function.put.function_name
          function_version = aws_lambda_function.put.version
        }
        resource "aws_lambda_function_url" "put" {
          function_name      = aws_lambda_function.put.function_name
          authorization_type = "NONE"
        }
        resource "aws_lambda_permission" "s3" {
          statement_id  = "s3"
          action        = "lambda:InvokeFunction"
          function_name = aws_lambda_function.put.function_name
          principal     = "s3.amazonaws.com"
          source_arn    = "arn:aws:s3:::bucket"
        }
        resource "aws_lambda_function_event_invoke_config" "put" {
          function_name                = aws_lambda_function.put.function_name
          maximum_retry_attempts       = 1
          maximum_event_age_in_seconds = 120
        }
        resource "aws_lambda_event_source_mapping" "records" {
          event_source_arn  = aws_dynamodb_table.records.stream_arn
          function_name     = aws_lambda_function.put.arn
          starting_position = "LATEST"
          batch_size        = {{batchSize}}
          tags              = { stage = "{{stage}}" }
          filter_criteria {
            filter {
              pattern = jsonencode({ eventName = ["INSERT"] })
            }
          }
        }
        resource "aws_lambda_invocation" "hello" {
          function_name = aws_lambda_function.put.function_name
          input         = jsonencode({ hello = "world" })
        }
        output "invocation" {
          value = aws_lambda_invocation.hello.result
        }
        output "mapping_arn" {
          value = aws_lambda_event_source_mapping.records.arn
        }
        """;

    /// <summary>The echo runtime as function.zip, with a comment that makes each version's code (and hash) its own.</summary>
    private static async Task WriteZipAsync(string project, int version)
    {
        await using FileStream file = File.Create(Path.Combine(project, "function.zip"));
        await using ZipArchive zip = new(file, ZipArchiveMode.Create);
        ZipArchiveEntry bootstrap = zip.CreateEntry("bootstrap");
        bootstrap.ExternalAttributes = 0x81ED << 16; // -rwxr-xr-x, as `zip` records it: extraction restores it
        await using Stream entry = await bootstrap.OpenAsync();
        await entry.WriteAsync(Encoding.UTF8.GetBytes(EchoBootstrap.ReplaceLineEndings("\n") + $"# version {version}\n"));
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path)
    {
        using HttpResponseMessage response = await http.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>The function's log group as DescribeLogGroups answers it.</summary>
    private static async Task<JsonElement> LogGroupAsync(HttpClient http)
    {
        JsonElement groups = (await LogsAsync(http, "DescribeLogGroups", """{"logGroupNamePrefix":"/aws/lambda/put-record"}""")).GetProperty("logGroups");
        return Assert.Single(groups.EnumerateArray());
    }

    private static async Task<string> LogGroupTagsAsync(HttpClient http) => JsonSerializer.Serialize(
        (await LogsAsync(http, "ListTagsForResource", """{"resourceArn":"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/put-record"}""")).GetProperty("tags"));

    /// <summary>A CloudWatch Logs call (JSON 1.1), on the same endpoint.</summary>
    private static Task<JsonElement> LogsAsync(HttpClient http, string operation, string body) =>
        AwsJsonAsync(http, "application/x-amz-json-1.1", "Logs_20140328", "logs", operation, body);

    private static Task<JsonElement> DynamoAsync(HttpClient http, string operation, string body) =>
        AwsJsonAsync(http, "application/x-amz-json-1.0", "DynamoDB_20120810", "dynamodb", operation, body);

    /// <summary>One call of an AWS JSON protocol (target prefix, signing service), which must succeed.</summary>
    private static async Task<JsonElement> AwsJsonAsync(HttpClient http, string contentType, string targetPrefix, string service, string operation, string body)
    {
        using HttpRequestMessage request = new(HttpMethod.Post, "/") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Target", targetPrefix + "." + operation);
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=00");
        using HttpResponseMessage response = await http.SendAsync(request);
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{operation}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
