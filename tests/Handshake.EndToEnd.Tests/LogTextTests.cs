using Handshake.Commands;

namespace Handshake.EndToEnd.Tests;

public sealed class LogTextTests
{
    [Theory]
    // A Node.js record with its newlines carried as CRs (console.log("a\nb")): each part on a line of its own.
    [InlineData("2026-11-27T12:00:00.000Z\tid\tINFO\ta\rb\rc", "2026-11-27T12:00:00.000Z\tid\tINFO\ta\nb\nc")]
    // CRLF is one line break, not two.
    [InlineData("one\r\ntwo\n", "one\ntwo\n")]
    // Text without a CR is printed as it is.
    [InlineData("START RequestId: x Version: $LATEST\n", "START RequestId: x Version: $LATEST\n")]
    public void A_lone_carriage_return_prints_as_a_new_line(string text, string printed) =>
        Assert.Equal(printed, LogText.ForTerminal(text));
}
