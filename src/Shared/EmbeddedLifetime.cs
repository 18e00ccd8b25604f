using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Handshake.Hosting;

/// <summary>
/// The host lifetime of the WebApplications Handshake starts and stops itself (HandshakeServer, DynamoServer, the
/// benchmark's endpoints): it starts at once and touches no signal. A source file linked into each project that
/// needs it (internal to each).
/// <para>
/// It replaces ConsoleLifetime, which the generic host registers by default. ConsoleLifetime installs handlers for
/// SIGINT, SIGTERM and SIGQUIT (PosixSignalRegistration), sets Cancel on each, and asks the host to stop; but the
/// server is started with StartAsync and stopped by its DisposeAsync, so nothing waits for
/// that stop. In a process that embeds the server, a SIGTERM then neither ended the process (the runtime's default
/// was cancelled) nor stopped the server: it was swallowed, whatever the embedder's own handler said. Without it the
/// embedding process decides what its signals do; `handshake up` takes SIGINT, SIGTERM and SIGQUIT itself before it starts the
/// server (Experiment/StopSignal.cs) and stops by disposing it, as every other embedder does.
/// </para>
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    /// <summary>Puts this lifetime in place of the builder's default (ConsoleLifetime).</summary>
    public static void Use(IServiceCollection services) =>
        services.Replace(ServiceDescriptor.Singleton<IHostLifetime>(new EmbeddedLifetime()));

    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
