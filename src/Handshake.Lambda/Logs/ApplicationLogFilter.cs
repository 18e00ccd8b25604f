using System.Buffers;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Logs;

/// <summary>
/// Lambda's log-level filtering of a function's own output (its "application logs") under LogFormat JSON: a line that is
/// a JSON object has the level its "level" member names; a line with a missing or unknown level, or one that is not a
/// JSON object (plain text), is INFO; lines below ApplicationLogLevel (INFO unless given) are dropped before they reach
/// the log, as Lambda drops them before CloudWatch Logs (Lambda developer guide, "Log-level filtering": "If the level
/// value field is invalid or missing, Lambda will assign the log output the level INFO"). Under Text nothing is dropped.
/// Level names are matched without regard to case, AWS's (TRACE ... FATAL) and the long .NET names that AWS's .NET JSON
/// lines carry (Information, Warning, Critical), so that the runtime clients' own filtering and this one agree.
/// One per execution environment, since an environment's configuration never changes.
/// </summary>
internal sealed class ApplicationLogFilter
{
    private enum Level
    {
        Trace,
        Debug,
        Info,
        Warn,
        Error,
        Fatal,
    }

    // "level" as UTF-8, for the reader's ValueTextEquals.
    private static ReadOnlySpan<byte> LevelName => "level"u8;

    private readonly Level? _minimum;

    public ApplicationLogFilter(FunctionLogging logging)
    {
        // Text: no filtering. A level missing or unknown (a saved document edited by hand) is Lambda's default, INFO.
        _minimum = logging.LogFormat != "JSON" ? null : LevelOf(logging.ApplicationLogLevel) ?? Level.Info;
    }

    /// <summary>True when the line goes to the log.</summary>
    public bool Keeps(string line)
    {
        // Nothing is below TRACE; a line that cannot be above INFO (not an object) needs no parse when INFO passes.
        if (_minimum is not Level minimum || minimum == Level.Trace)
        {
            return true;
        }

        return LevelOfLine(line) >= minimum;
    }

    private static Level LevelOfLine(string line)
    {
        ReadOnlySpan<char> text = line.AsSpan().TrimStart();
        if (text.IsEmpty || text[0] != '{')
        {
            return Level.Info;
        }

        // A pooled buffer: under JSON every line of an object's shape is read here, on the output thread.
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(line.Length));
        try
        {
            // Only the top level's members are looked at; nested objects and arrays are skipped whole.
            Utf8JsonReader reader = new(utf8.AsSpan(0, Encoding.UTF8.GetBytes(line, utf8)));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Level.Info;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isLevel = reader.ValueTextEquals(LevelName);
                if (!reader.Read())
                {
                    return Level.Info;
                }

                if (isLevel)
                {
                    return reader.TokenType == JsonTokenType.String ? LevelOf(reader.GetString()) ?? Level.Info : Level.Info;
                }

                reader.Skip();
            }
        }
        catch (JsonException)
        {
            // Not JSON after all (a line that starts with a brace): plain text, INFO.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }

        return Level.Info;
    }

    private static Level? LevelOf(string? name) => name?.ToUpperInvariant() switch
    {
        "TRACE" => Level.Trace,
        "DEBUG" => Level.Debug,
        "INFO" or "INFORMATION" => Level.Info,
        "WARN" or "WARNING" => Level.Warn,
        "ERROR" => Level.Error,
        "FATAL" or "CRITICAL" => Level.Fatal,
        _ => null,
    };
}
