using System.Diagnostics;
using System.Reflection;
using Handshake.Bench.Load;
using Handshake.Bench.Servers;

namespace Handshake.Bench.Peers;

/// <summary>
/// Starts each target of the comparison as its own process on 127.0.0.1 and waits for its first answer:
/// Handshake (<c>handshake up</c>, or the store alone when that verb is missing), dynalite on disk, moto in memory, and
/// the bare Kestrel endpoint.
/// </summary>
public sealed class TargetLauncher(string repositoryRoot, string? handshakeExecutable)
{
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    public string PeersDirectory => Path.Combine(repositoryRoot, "bench", "peers");

    public async Task<RunningTarget> StartHandshakeAsync(CancellationToken ct)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("handshake-bench-").FullName;
        if (handshakeExecutable is not null)
        {
            var port = StartupProbe.FreePort();
            var peer = PeerProcess.Start("handshake up", handshakeExecutable,
                ["up", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dataDirectory]);
            var target = new RunningTarget("handshake", "`handshake up` (durable, SQLite on disk)", peer, port, true, dataDirectory);
            return await ProbeAsync(target, ct);
        }

        var (fileName, prefix) = SelfCommand();
        var store = PeerProcess.Start("handshake store", fileName, [.. prefix, "serve-store", "--data-dir", dataDirectory], stdinLifeline: true);
        var storePort = await ReadPortAsync(store, ct);
        var storeTarget = new RunningTarget("handshake", "DynamoServer (durable, SQLite) in its own process; `handshake up` was not available", store, storePort, true, dataDirectory);
        return await ProbeAsync(storeTarget, ct);
    }

    public async Task<RunningTarget> StartDynaliteAsync(CancellationToken ct)
    {
        await EnsureDynaliteAsync(ct);
        var dataDirectory = Directory.CreateTempSubdirectory("dynalite-bench-").FullName;
        var port = StartupProbe.FreePort();
        // The same program `npx dynalite` runs, started with node directly so the measured process is the server itself.
        var cli = Path.Combine(PeersDirectory, "node_modules", "dynalite", "cli.js");
        var peer = PeerProcess.Start("dynalite", "node",
            [cli, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--path", dataDirectory, "--createTableMs", "0"]);
        return await ProbeAsync(new RunningTarget("dynalite", "dynalite 4.0.0 on disk (LevelDB)", peer, port, true, dataDirectory), ct);
    }

    public async Task<RunningTarget> StartMotoAsync(CancellationToken ct)
    {
        var port = StartupProbe.FreePort();
        var peer = PeerProcess.Start("moto", "moto_server", ["-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        return await ProbeAsync(new RunningTarget("moto", "moto_server (in memory)", peer, port, true, null), ct);
    }

    public async Task<RunningTarget> StartBareAsync(CancellationToken ct)
    {
        var (fileName, prefix) = SelfCommand();
        var peer = PeerProcess.Start("bare Kestrel", fileName, [.. prefix, "serve-bare"], stdinLifeline: true);
        var port = await ReadPortAsync(peer, ct);
        return await ProbeAsync(new RunningTarget("bare", "bare Kestrel answering {}", peer, port, false, null), ct);
    }

    private static async Task<RunningTarget> ProbeAsync(RunningTarget target, CancellationToken ct)
    {
        try
        {
            var probe = new DynamoRequests($"127.0.0.1:{target.Endpoint.Port}").ListTables();
            target.FirstAnswer = await StartupProbe.WaitForFirstAnswerAsync(target.Process, target.Endpoint, probe, StartLimit, ct);
            target.FirstAnswerCpu = target.Process.CpuTime();
            return target;
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    private static async Task<int> ReadPortAsync(PeerProcess peer, CancellationToken ct)
    {
        while (await peer.ReadLineAsync(StartLimit, ct) is { } line)
        {
            if (line.StartsWith(ChildServer.PortLinePrefix, StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan(ChildServer.PortLinePrefix.Length), System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        await peer.DisposeAsync();
        throw new InvalidOperationException($"{peer.Name} exited without printing its port; stderr:\n{peer.ErrorTail}");
    }

    /// <summary>How to start this bench again as a child: its apphost, or `dotnet Handshake.Bench.dll`.</summary>
    private static (string FileName, string[] Prefix) SelfCommand()
    {
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("no process path");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet"
            ? (processPath, [Assembly.GetEntryAssembly()!.Location])
            : (processPath, []);
    }

    private async Task EnsureDynaliteAsync(CancellationToken ct)
    {
        if (File.Exists(Path.Combine(PeersDirectory, "node_modules", "dynalite", "cli.js")))
        {
            return;
        }

        Console.Error.WriteLine("installing dynalite from bench/peers/package-lock.json (npm ci)...");
        using var npm = Process.Start(new ProcessStartInfo("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"])
        {
            WorkingDirectory = PeersDirectory,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("could not start npm");
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bound.CancelAfter(TimeSpan.FromMinutes(5));
        try
        {
            await npm.WaitForExitAsync(bound.Token);
        }
        catch (OperationCanceledException)
        {
            npm.Kill(entireProcessTree: true);
            throw;
        }

        if (npm.ExitCode != 0)
        {
            throw new InvalidOperationException($"npm ci in {PeersDirectory} failed with exit code {npm.ExitCode}");
        }
    }
}
