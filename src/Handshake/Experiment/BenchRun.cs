namespace Handshake.Experiment;

/// <summary>A whole bench run: the options, where it ran, and one result per mode.</summary>
internal sealed class BenchRun(BenchOptions options)
{
    public BenchOptions Options { get; } = options;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public List<ModeResult> Results { get; } = [];

    /// <summary>The store endpoint the functions used (direct, TLS, or the emulated link).</summary>
    public string StoreEndpoint { get; set; } = "";

    /// <summary>How the bench reached the Invoke API, for the report.</summary>
    public string InvokePath { get; set; } = "";

    public string Machine { get; } = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    public string? NodeVersion { get; set; }

    public bool Cancelled { get; set; }

    /// <summary>Plain statements the report must carry (emulated link, freeze gap method).</summary>
    public List<string> Notes { get; } = [];
}
