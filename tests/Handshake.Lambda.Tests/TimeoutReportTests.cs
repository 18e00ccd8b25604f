using System.Globalization;
using System.Text.RegularExpressions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// The REPORT line of an invocation that timed out, as Lambda's look in public logs: its Duration is never under the
/// function's timeout (3071.27 ms for 3 s, 30030.16 ms for 30 s, 120000.64 ms for 120 s). The bash+curl runtime, a
/// child process, sleeps past its 3 s timeout, warm (frozen and thawed first) and cold.
/// </summary>
public sealed partial class TimeoutReportTests
{
    [GeneratedRegex(@"^REPORT RequestId: \S+\tDuration: (?<duration>[\d.]+) ms\tBilled Duration: (?<billed>\d+) ms\t.*Status: timeout$")]
    private static partial Regex TimeoutReport();

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_timed_out_invocations_Duration_is_at_least_the_timeout(bool warm)
    {
        await using TestHost test = TestHost.Start();
        test.AddBash("slow-report", timeout: 3);
        if (warm)
        {
            Assert.Equal("{}", TestHost.Text(await test.InvokeAsync("slow-report", "{}")));
        }

        InvocationResult result = await test.InvokeAsync("slow-report", """{"sleep":true}""");

        Assert.Equal("Sandbox.Timedout", TestHost.Json(result).GetProperty("errorType").GetString());
        string report = Assert.Single(await test.LogMessagesAsync("slow-report"), m => TimeoutReport().IsMatch(m));
        Match match = TimeoutReport().Match(report);
        double duration = double.Parse(match.Groups["duration"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(duration, 3000, 3000 + TestHost.Wait.TotalMilliseconds);
        Assert.InRange(long.Parse(match.Groups["billed"].Value, CultureInfo.InvariantCulture), 3000, (long)Math.Ceiling(duration));
    }
}
