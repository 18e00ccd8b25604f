namespace Handshake.Experiment;

/// <summary>A whole bench run: the options, where it ran, and one result per mode.</summary>
internal sealed class BenchRun(BenchOptions options)
{
    public BenchOptions Options { get; } = options;

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public List<ModeResult> Results { get; } = [];

    private string? _storeEndpoint;

    /// <summary>
    /// The store endpoint the functions used (direct, TLS, or the emulated link): the --endpoint's, set once, or else
    /// each mode's own, as every mode gets a fresh in-process store on a port of its own.
    /// </summary>
    public string StoreEndpoint
    {
        get
        {
            if (_storeEndpoint is not null)
            {
                return _storeEndpoint;
            }

            List<ModeResult> ran = [.. Results.Where(r => r.StoreEndpoint is not null)];
            return ran.Count == 1 ? ran[0].StoreEndpoint! : string.Join("; ", ran.Select(r => $"{r.StoreEndpoint} for {r.Mode.Name}"));
        }

        set => _storeEndpoint = value;
    }

    /// <summary>How the bench reached the Invoke API, for the report.</summary>
    public string InvokePath { get; set; } = "";

    public string Machine { get; } = $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    public string? NodeVersion { get; set; }

    public bool Cancelled { get; set; }

    /// <summary>Plain statements the report must carry (emulated link, freeze gap method).</summary>
    public List<string> Notes { get; } = [];
}
