using System.Text;

namespace Handshake.Runtime.Context;

/// <summary>
/// What AWS's .NET runtime does to the console: every <c>Console.WriteLine</c> becomes one log line, at level
/// Information on stdout and Error on stderr; <c>Console.Write</c> without a newline passes through unchanged. The
/// text format (the default) is <c>timestamp TAB requestId TAB level TAB message</c> with the console's labels
/// (<c>info</c>, <c>fail</c>); <c>AWS_LAMBDA_LOG_FORMAT=JSON</c> makes each line a <see cref="JsonLogLine"/>.
/// <c>AWS_LAMBDA_LOG_LEVEL</c> (trace, debug, info, warn, error, fatal) drops lines below it in either format.
/// Installed by <see cref="Bootstrap.LambdaRuntime"/> only, so a test that drives
/// <see cref="Bootstrap.LambdaBootstrap"/> in-process keeps its own console.
/// </summary>
internal static class LambdaConsole
{
    // Microsoft.Extensions.Logging's levels, which AWS's runtime uses: their console labels in the text format, their
    // enum names in the JSON format.
    internal const int Trace = 0, Debug = 1, Information = 2, Warning = 3, Error = 4, Critical = 5;
    private static readonly string[] s_labels = ["trce", "dbug", "info", "warn", "fail", "crit"];
    private static readonly string[] s_names = ["Trace", "Debug", "Information", "Warning", "Error", "Critical"];

    private static volatile string s_requestId = string.Empty;
    private static PrefixingWriter? s_out;
    private static PrefixingWriter? s_error;

    /// <summary>Lines below this level are dropped (AWS_LAMBDA_LOG_LEVEL; info when unset).</summary>
    internal static int MinimumLevel { get; private set; } = Information;

    /// <summary>Whether lines are JSON (AWS_LAMBDA_LOG_FORMAT=JSON, any case) rather than text.</summary>
    internal static bool JsonFormat { get; private set; }

    /// <summary>The request id stamped on console lines: set per invocation by the loop (a field write).</summary>
    internal static string CurrentRequestId
    {
        get => s_requestId;
        set => s_requestId = value;
    }

    internal static void Install(TimeProvider clock)
    {
        MinimumLevel = ParseLevel(Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL"));
        JsonFormat = string.Equals(Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_FORMAT")?.Trim(), "json", StringComparison.OrdinalIgnoreCase);
        if (s_out is not null)
        {
            return;
        }

        s_out = new PrefixingWriter(Console.OpenStandardOutput, Information, clock);
        Console.SetOut(s_out);
        s_out.Lock = Console.Out;
        s_error = new PrefixingWriter(Console.OpenStandardError, Error, clock);
        Console.SetError(s_error);
        s_error.Lock = Console.Error;
    }

    /// <summary>Writes one already formatted line to stdout, bypassing the prefixing (the Lambda logger's path).</summary>
    internal static void WriteFormattedLine(string line)
    {
        if (s_out is { } installed)
        {
            installed.WriteRawLine(line);
        }
        else
        {
            Console.Out.WriteLine(line);
        }
    }

    /// <summary>
    /// One log line in the configured format. In JSON the trace id is the one in <c>_X_AMZN_TRACE_ID</c> as the line
    /// is written, which is where AWS's runtime reads it (the loop sets it per invocation).
    /// </summary>
    internal static string FormatLine(int level, string requestId, string? message, TimeProvider clock)
    {
        var timestamp = ConsoleLambdaLogger.Timestamp(clock);
        return JsonFormat
            ? JsonLogLine.Format(timestamp, s_names[level], requestId, Environment.GetEnvironmentVariable("_X_AMZN_TRACE_ID"), message ?? string.Empty)
            : $"{timestamp}\t{requestId}\t{s_labels[level]}\t{message}";
    }

    /// <summary>
    /// The runtime's own error lines (a failed invocation, a rejected post) on stderr, level Error. A whole exception
    /// (<c>ToString()</c>) is the message, as AWS's runtime writes it with <c>Console.Error.WriteLine</c>: in JSON
    /// that is one line, with no errorType/errorMessage/stackTrace keys.
    /// </summary>
    internal static void WriteErrorLine(string requestId, string message, TimeProvider clock)
    {
        if (Error < MinimumLevel)
        {
            return;
        }

        var line = FormatLine(Error, requestId, message, clock);
        if (s_error is { } installed)
        {
            installed.WriteRawLine(line);
        }
        else
        {
            Console.Error.WriteLine(line);
        }
    }

    internal static int ParseLevel(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "trace" => Trace,
        "debug" => Debug,
        "warn" or "warning" => Warning,
        "error" => Error,
        "fatal" or "critical" => Critical,
        _ => Information,
    };

    /// <summary>Formats each WriteLine; everything else goes straight to the stream, created on first use.</summary>
    private sealed class PrefixingWriter(Func<Stream> open, int level, TimeProvider clock) : TextWriter
    {
        private StreamWriter? _inner;

        /// <summary>The synchronized writer Console wraps this one in: the Lambda logger's writes take the same lock.</summary>
        internal object Lock { get; set; } = new();

        public override Encoding Encoding => Inner.Encoding;

        private StreamWriter Inner => _inner ??= new StreamWriter(open(), new UTF8Encoding(false), 4096, leaveOpen: true) { AutoFlush = true };

        internal void WriteRawLine(string line)
        {
            lock (Lock)
            {
                Inner.WriteLine(line);
            }
        }

        public override void WriteLine(string? value)
        {
            if (level < MinimumLevel)
            {
                return;
            }

            Inner.WriteLine(FormatLine(level, s_requestId, value, clock));
        }

        public override void WriteLine() => WriteLine(string.Empty);
        public override void WriteLine(char value) => WriteLine(value.ToString());
        public override void WriteLine(char[]? buffer) => WriteLine(buffer is null ? string.Empty : new string(buffer));
        public override void WriteLine(char[] buffer, int index, int count) => WriteLine(new string(buffer, index, count));
        public override void WriteLine(ReadOnlySpan<char> buffer) => WriteLine(new string(buffer));
        public override void WriteLine(StringBuilder? value) => WriteLine(value?.ToString());
        public override void WriteLine(object? value) => WriteLine(value is IFormattable f ? f.ToString(null, FormatProvider) : value?.ToString());

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync(char value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync(char[] buffer, int index, int count)
        {
            WriteLine(buffer, index, count);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            WriteLine(buffer.Span);
            return Task.CompletedTask;
        }

        public override Task WriteLineAsync() => WriteLineAsync(string.Empty);

        public override void Write(char value) => Inner.Write(value);
        public override void Write(string? value) => Inner.Write(value);
        public override void Write(char[] buffer, int index, int count) => Inner.Write(buffer, index, count);
        public override void Write(ReadOnlySpan<char> buffer) => Inner.Write(buffer);
        public override void Flush() => _inner?.Flush();

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(char value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task FlushAsync()
        {
            Flush();
            return Task.CompletedTask;
        }
    }
}
