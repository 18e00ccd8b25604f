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

    public static Option<int> Port(string name, string description, int defaultValue)
    {
        Option<int> option = new(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            int value = result.GetValueOrDefault<int>();
            if (value is < 0 or > 65535)
            {
                result.AddError($"{name} must be between 0 and 65535, not {value}.");
            }
        });
        return option;
    }

    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            string text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (Commands.Duration.TryParse(text, out TimeSpan value))
            {
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
