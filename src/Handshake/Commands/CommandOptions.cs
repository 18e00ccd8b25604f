using System.CommandLine;
using System.CommandLine.Parsing;

namespace Handshake.Commands;

/// <summary>Options that several verbs share, so that they parse and validate the same way everywhere.</summary>
internal static class CommandOptions
{
    public const int DefaultPort = 4566;

    public static string DefaultEndpoint =>
        Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : $"http://127.0.0.1:{DefaultPort}";

    public static Option<int> Port(string name, string description, int defaultValue) => new(name)
    {
        Description = description,
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result => ParsePort(result, name) ?? defaultValue,
    };

    public static Option<int?> OptionalPort(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result => ParsePort(result, name),
    };

    /// <summary>A whole number of at least <paramref name="minimum"/>, or null when the option is not given.</summary>
    public static Option<int?> Count(string name, string description, int minimum) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int count) && count >= minimum)
            {
                return count;
            }

            result.AddError($"{name} takes a whole number of at least {minimum}, not '{text}'.");
            return null;
        },
    };

    private static int? ParsePort(ArgumentResult result, string name)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) && port <= 65535)
        {
            return port;
        }

        result.AddError($"{name} takes a port number from 0 to 65535, not '{text}'.");
        return null;
    }

    /// <summary>
    /// `up` and `bench`'s --store-idle-timeout. At least 1 s: the store's event loop and Kestrel both look for idle
    /// connections once a second, so a shorter timeout would not be what it says (and Kestrel refuses 0 with an exception).
    /// </summary>
    public static Option<TimeSpan?> StoreIdleTimeout(string description) =>
        Duration("--store-idle-timeout", description, TimeSpan.FromSeconds(1), "1s (the store looks for idle connections once a second)");

    /// <param name="minimum">The smallest value taken, if any; <paramref name="minimumText"/> says it and why.</param>
    public static Option<TimeSpan?> Duration(string name, string description, TimeSpan? minimum = null, string? minimumText = null) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Commands.Duration.TryParse(text, out TimeSpan value))
            {
                if (minimum is { } least && value < least)
                {
                    result.AddError($"{name} must be at least {minimumText}, not '{text}'.");
                    return null;
                }

                return value;
            }

            result.AddError($"{name} takes a duration such as 500ms, 60s or 2m, not '{text}'.");
            return null;
        },
    };

    public static Option<Uri> Endpoint() => new("--endpoint")
    {
        Description = "The Handshake endpoint (default: $AWS_ENDPOINT_URL, else http://127.0.0.1:4566).",
        DefaultValueFactory = _ => new Uri(DefaultEndpoint),
        CustomParser = ParseEndpoint,
    };

    private static Uri ParseEndpoint(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : DefaultEndpoint;
        if (Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        result.AddError($"--endpoint takes an http:// or https:// URL, not '{text}'.");
        return new Uri(DefaultEndpoint);
    }
}
