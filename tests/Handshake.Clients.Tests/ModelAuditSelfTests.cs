using System.Text.Json;
using Handshake.Clients.Tests.Infrastructure;

namespace Handshake.Clients.Tests;

/// <summary>
/// The model audit the boto3 scripts run on every answer (tests/clients/model_audit.py) must itself catch what it
/// claims to: tests/clients/model_audit_selftest.py feeds it answers wrong in each way it checks (a member the model
/// lacks, a wrong JSON type, a null, a value outside an enum, a too-long string, a union with two members, an error
/// code the operation cannot answer) and right ones, and lists each case it judged wrongly.
/// </summary>
public sealed class ModelAuditSelfTests
{
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
