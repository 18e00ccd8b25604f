using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>
/// A control-plane change is checked, written to lambda.db and then made in memory under a lock of its own, not under
/// the lock the invocation paths take (the store's event loop takes that one on the warm Invoke path): a slow state file
/// holds up the function's control plane, never its invocations.
/// </summary>
public sealed class ControlPlaneLockTests : IDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "handshake-lock-" + Guid.NewGuid().ToString("N")[..12]);

    [Fact]
    public async Task An_invocation_is_served_while_a_control_plane_change_of_its_function_is_in_progress()
    {
        await using TestHost test = TestHost.Start(new FunctionHostOptions { DataDirectory = _dataDirectory });
        test.AddBash("f");
        await test.InvokeAsync("f", "{}");

        bool warmTaken = false;
        bool served = false;
        test.Host.UpdateFunction("f", f =>
        {
            // Here the change is being checked; its write follows under the same lock. Another thread invokes the
            // function meanwhile: the warm path (as the event loop takes it), and the ordinary one. TestHost.Wait only
            // guards against a deadlock (the old behaviour); nothing here measures time.
            Thread invoker = new(() =>
            {
                Task<InvocationResult>? warm = test.Host.TryInvokeWarm("f", new Invocation(Guid.NewGuid().ToString(), Encoding.UTF8.GetBytes("{}")));
                warmTaken = warm is not null && warm.Wait(TestHost.Wait);
                served = test.Host.InvokeAsync("f", new Invocation(Guid.NewGuid().ToString(), Encoding.UTF8.GetBytes("{}"))).Wait(TestHost.Wait);
            });
            invoker.Start();
            Assert.True(invoker.Join(TestHost.Wait), "the invocations waited on the control-plane change");
            return f with { Timeout = 9 };
        });

        Assert.True(warmTaken);
        Assert.True(served);
        Assert.Equal(9, test.Host.GetVersion("f", null).Timeout);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
