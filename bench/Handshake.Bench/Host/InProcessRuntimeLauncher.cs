using System.IO.Pipes;
using System.Net;
using System.Runtime.InteropServices;
using Handshake.Lambda.Environments;

namespace Handshake.Bench.Host;

/// <summary>
/// A launcher whose "process" is a Runtime API loop inside the benchmark itself (an echo function over HttpClient).
/// It takes the second process and its scheduling out of the warm path, isolating the host's own overhead.
/// </summary>
internal sealed class InProcessRuntimeLauncher : IProcessLauncher
{
    public IChildProcess Start(ProcessLaunchSpec spec) => new LoopRuntime(spec.Environment["AWS_LAMBDA_RUNTIME_API"]);

    private sealed class LoopRuntime : IChildProcess
    {
        private readonly AnonymousPipeServerStream _stdout = new(PipeDirection.In);
        private readonly AnonymousPipeServerStream _stderr = new(PipeDirection.In);
        private readonly CancellationTokenSource _stop = new();
        private readonly TaskCompletionSource<string> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LoopRuntime(string runtimeApi)
        {
            _ = RunAsync(new Uri($"http://{runtimeApi}/2018-06-01/runtime/"));
        }

        public int ProcessId => Environment.ProcessId;

        public SafeHandle StandardOutput => _stdout.SafePipeHandle;

        public SafeHandle StandardError => _stderr.SafePipeHandle;

        public Task<string> Exited => _exited.Task;

        public void SignalGroup(ProcessSignal signal)
        {
            if (signal is ProcessSignal.Kill or ProcessSignal.Term)
            {
                _stop.Cancel();
            }
        }

        public int PendingOutputBytes() => 0;

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            await _exited.Task.ConfigureAwait(false);
            // Closing the write ends ends the host's output reader.
            _stdout.DisposeLocalCopyOfClientHandle();
            _stderr.DisposeLocalCopyOfClientHandle();
        }

        private async Task RunAsync(Uri api)
        {
            using HttpClient http = new(new SocketsHttpHandler { PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan }) { Timeout = Timeout.InfiniteTimeSpan };
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    using HttpResponseMessage next = await http.GetAsync(new Uri(api, "invocation/next"), _stop.Token).ConfigureAwait(false);
                    if (next.StatusCode != HttpStatusCode.OK)
                    {
                        break;
                    }

                    string id = next.Headers.GetValues("Lambda-Runtime-Aws-Request-Id").First();
                    byte[] payload = await next.Content.ReadAsByteArrayAsync(_stop.Token).ConfigureAwait(false);
                    using HttpResponseMessage answered = await http.PostAsync(new Uri(api, $"invocation/{id}/response"), new ByteArrayContent(payload), _stop.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
            {
            }
            finally
            {
                _exited.TrySetResult("exit status 0");
            }
        }
    }
}
