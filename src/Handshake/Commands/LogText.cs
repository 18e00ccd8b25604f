namespace Handshake.Commands;

/// <summary>How `handshake logs` and `handshake invoke --tail` print a function's log text.</summary>
internal static class LogText
{
    /// <summary>
    /// A Node.js function's multi-line record (console.log("a\nb"), an error's stack) reaches the log as one event with
    /// its newlines turned into carriage returns, as AWS's runtime writes it to stdout, so that it stays one event. A
    /// terminal would print each part over the last and show only the final line: a lone CR is printed as a newline.
    /// The events themselves, the log tail and the `/_handshake/logs` route keep the bytes as the function wrote them.
    /// </summary>
    public static string ForTerminal(string text) =>
        text.Contains('\r', StringComparison.Ordinal) ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : text;
}
