using System.IO.Pipes;
using System.Runtime.InteropServices;
using Handshake.Lambda.Environments;
using Handshake.Runtime.Client;

namespace Handshake.Bench.Host;

/// <summary>
/// A launcher whose "process" is a Runtime API loop inside the benchmark itself (an echo function over the runtime client).
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

        private readonly RuntimeApiClient _client;

        public LoopRuntime(string runtimeApi)
        {
            _client = new RuntimeApiClient(runtimeApi);
            new Thread(Run) { IsBackground = true, Name = "in-process runtime" }.Start();
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

        // The same synchronous client as the functions, on one dedicated thread: the thread blocked on the socket is
        // the one that answers, as in a function process.
        private void Run()
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    InvocationRequest invocation = _client.GetNextInvocation(_stop.Token);
                    _client.PostInvocationResponse(invocation.AwsRequestId, invocation.Payload, _stop.Token);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or HttpRequestException or RuntimeApiException)
            {
            }
            finally
            {
                _client.Dispose();
                _exited.TrySetResult("exit status 0");
            }
        }
    }
}
