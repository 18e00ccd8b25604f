using System.Text;

namespace Handshake.Runtime.Context;

/// <summary>
/// What AWS's .NET runtime does to the console (text log format): every <c>Console.WriteLine</c> becomes one line
/// <c>timestamp TAB requestId TAB level TAB message</c>, at level <c>info</c> on stdout and <c>fail</c> on stderr;
/// <c>Console.Write</c> without a newline passes through unchanged. <c>AWS_LAMBDA_LOG_LEVEL</c> (trace, debug, info,
/// warn, error, fatal) drops lines below it. Installed by <see cref="Bootstrap.LambdaRuntime"/> only, so a test that
/// drives <see cref="Bootstrap.LambdaBootstrap"/> in-process keeps its own console.
/// </summary>
internal static class LambdaConsole
{
    // Microsoft.Extensions.Logging's levels and console labels, which AWS's runtime uses.
    internal const int Trace = 0, Debug = 1, Information = 2, Warning = 3, Error = 4, Critical = 5;

    private static volatile string s_requestId = string.Empty;
    private static PrefixingWriter? s_out;
    private static PrefixingWriter? s_error;

    /// <summary>Lines below this level are dropped (AWS_LAMBDA_LOG_LEVEL; info when unset).</summary>
    internal static int MinimumLevel { get; private set; } = Information;

    /// <summary>The request id stamped on console lines: set per invocation by the loop (a field write).</summary>
    internal static string CurrentRequestId
    {
        get => s_requestId;
        set => s_requestId = value;
    }

    internal static void Install(TimeProvider clock)
    {
        MinimumLevel = ParseLevel(Environment.GetEnvironmentVariable("AWS_LAMBDA_LOG_LEVEL"));
        if (s_out is not null)
        {
            return;
        }

        s_out = new PrefixingWriter(Console.OpenStandardOutput, "info", Information, clock);
        Console.SetOut(s_out);
        s_out.Lock = Console.Out;
        s_error = new PrefixingWriter(Console.OpenStandardError, "fail", Error, clock);
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

    /// <summary>The runtime's own error lines (a failed invocation, a rejected post) on stderr, level fail.</summary>
    internal static void WriteErrorLine(string requestId, string message, TimeProvider clock)
    {
        if (Error < MinimumLevel)
        {
            return;
        }

        var line = $"{ConsoleLambdaLogger.Timestamp(clock)}\t{requestId}\tfail\t{message}";
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
    private sealed class PrefixingWriter(Func<Stream> open, string label, int level, TimeProvider clock) : TextWriter
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

            Inner.WriteLine($"{ConsoleLambdaLogger.Timestamp(clock)}\t{s_requestId}\t{label}\t{value}");
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
