using Handshake.Lambda.LogsApi;

namespace Handshake.Lambda.Tests;

/// <summary>CloudWatch Logs' unstructured-text filter patterns, as FilterLogEvents applies them to a message.</summary>
public sealed class CloudWatchFilterPatternTests
{
    [Theory]
    [InlineData("", "anything at all", true)]
    [InlineData("   ", "anything at all", true)]
    [InlineData("ERROR", "[ERROR] disk full", true)]
    [InlineData("ERROR", "an error, lower case", false)] // terms are case-sensitive
    [InlineData("ERROR", "ERRORS counted", true)] // a term matches anywhere, inside words too
    [InlineData("ERROR Exception", "ERROR NullPointerException at line 3", true)]
    [InlineData("ERROR Exception", "ERROR disk full", false)]
    [InlineData("\"disk full\"", "ERROR disk full", true)]
    [InlineData("\"disk full\"", "ERROR disk is full", false)]
    [InlineData("\"RequestId: abc\"", "START RequestId: abc Version: $LATEST", true)]
    [InlineData("\"say \\\"hi\\\"\"", "they say \"hi\" here", true)]
    [InlineData("\"\"", "anything", true)]
    [InlineData("?ERROR ?WARN", "WARN low memory", true)]
    [InlineData("?ERROR ?WARN", "ERROR disk full", true)]
    [InlineData("?ERROR ?WARN", "INFO all good", false)]
    [InlineData("ERROR -disk", "ERROR disk full", false)]
    [InlineData("ERROR -disk", "ERROR memory", true)]
    [InlineData("-DEBUG", "INFO started", true)]
    [InlineData("-DEBUG", "DEBUG noise", false)]
    [InlineData("-\"not found\"", "item not found", false)]
    // The CDK's anyTermGroup: each ?term starts an alternative that takes the plain terms after it.
    [InlineData("?\"ERROR\" \"MainThread\" ?\"WARN\" \"Deadlock\"", "ERROR in MainThread", true)]
    [InlineData("?\"ERROR\" \"MainThread\" ?\"WARN\" \"Deadlock\"", "WARN Deadlock detected", true)]
    [InlineData("?\"ERROR\" \"MainThread\" ?\"WARN\" \"Deadlock\"", "ERROR in worker", false)]
    [InlineData("?\"ERROR\" \"MainThread\" ?\"WARN\" \"Deadlock\"", "WARN in MainThread", false)]
    [InlineData("REPORT", "REPORT RequestId: 1\tDuration: 2.00 ms", true)]
    public void A_pattern_matches_as_CloudWatch_matches(string pattern, string message, bool matches) =>
        Assert.Equal(matches, FilterPattern.Parse(pattern).Matches(message));

    [Theory]
    [InlineData("{ $.level = \"ERROR\" }", "JSON")]
    [InlineData("[ip, user, status=404]", "space-delimited")]
    [InlineData("%ERR(OR)?%", "regular expression")]
    public void Pattern_kinds_not_implemented_are_refused_not_matched_wrongly(string pattern, string kind)
    {
        LogsException refused = Assert.Throws<LogsException>(() => FilterPattern.Parse(pattern));
        Assert.Equal("InvalidParameterException", refused.Code);
        Assert.Contains(kind, refused.Message);
    }

    [Theory]
    [InlineData("\"unterminated")]
    [InlineData("ERROR ?")]
    [InlineData("-")]
    public void A_malformed_pattern_is_an_invalid_parameter(string pattern) =>
        Assert.Equal("InvalidParameterException", Assert.Throws<LogsException>(() => FilterPattern.Parse(pattern)).Code);
}
