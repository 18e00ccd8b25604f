using System.Text.Json;
using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

/// <summary>
/// The store's answers against botocore's models, checked by tests/clients/model_audit.py (no member the model lacks,
/// no wrong JSON type or null, no value outside an enum or a length limit, one member in an AttributeValue, error codes
/// the model names for the operation); and the audit itself, which must catch each kind of wrong answer it claims to.
/// </summary>
public sealed class ModelAuditTests
{
    /// <summary>
    /// Every DynamoDB and DynamoDB Streams operation the store serves, through boto3
    /// (tests/clients/dynamodb_model_audit_boto3.py), each answer audited: successes with the members that shape them
    /// (ReturnValues, consumed capacity by index, item collection metrics, paging) and refusals (a failed condition
    /// with the old item, a cancelled transaction with its reasons, missing tables, validation errors).
    /// </summary>
    [Theory, BothStores]
    public async Task Every_DynamoDB_answer_through_boto3_matches_botocores_model(StoreMode mode)
    {
        await using var store = await StoreUnderTest.StartAsync(mode);
        var result = await OracleProcess.RunAsync("python3", ["dynamodb_model_audit_boto3.py", store.Endpoint], TimeSpan.FromSeconds(90));
        Assert.True(result.ExitCode == 0, result.StandardError);
        var report = JsonDocument.Parse(result.StandardOutput.Trim().Split('\n')[^1]).RootElement;

        Assert.Empty(report.GetProperty("failed").EnumerateObject().Select(p => $"{p.Name}: {p.Value}"));
        Assert.Empty(report.GetProperty("violations").EnumerateArray().Select(v => v.GetString()));
        Assert.True(report.GetProperty("responses").GetInt32() >= 80, report.ToString()); // every call was answered
    }

    /// <summary>
    /// tests/clients/model_audit_selftest.py feeds the audit hand-made answers, wrong in each way it checks and right
    /// ones, and lists each case it judged wrongly.
    /// </summary>
    [Fact]
    public async Task The_model_audit_reports_each_kind_of_wrong_answer_and_passes_right_ones()
    {
        var result = await OracleProcess.RunAsync("python3", ["model_audit_selftest.py"], TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.StandardError);
        var report = JsonDocument.Parse(result.StandardOutput.Trim().Split('\n')[^1]).RootElement;

        Assert.Empty(report.GetProperty("wrong").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(22, report.GetProperty("cases").GetInt32());
    }
}
