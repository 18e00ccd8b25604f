using System.Globalization;

namespace Handshake.Commands;

/// <summary>Durations on the command line: "500ms", "60s", "2m", "1h", or a plain number of seconds.</summary>
internal static class Duration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        string s = text.Trim();
        int unitLength = s.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? 2
            : s.Length > 0 && char.IsAsciiLetter(s[^1]) ? 1
            : 0;
        double scale = s[(s.Length - unitLength)..].ToLowerInvariant() switch
        {
            "ms" => 0.001,
            "" or "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => double.NaN,
        };
        if (double.IsNaN(scale)
            || !double.TryParse(s[..^unitLength], NumberStyles.Float, CultureInfo.InvariantCulture, out double amount)
            || double.IsNaN(amount) || amount < 0 || amount * scale > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        value = TimeSpan.FromSeconds(amount * scale);
        return true;
    }
}
