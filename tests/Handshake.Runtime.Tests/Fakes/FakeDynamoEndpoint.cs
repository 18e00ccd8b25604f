using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Handshake.Runtime.Tests.Fakes;

/// <summary>
/// A DynamoDB-shaped endpoint on Kestrel 127.0.0.1:0 that answers every call with <c>{}</c> (a valid PutItem answer),
/// keeps each request body, and counts the TCP connections it accepted. The store proper is another part's; this is
/// only what the runtime-side tests need to count a client's connections.
/// </summary>
public sealed class FakeDynamoEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _connections;

    private FakeDynamoEndpoint(WebApplication app)
    {
        _app = app;
    }

    public Uri Endpoint { get; private set; } = null!;

    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Each request: its X-Amz-Target and its JSON body.</summary>
    public ConcurrentQueue<(string Target, string Body)> Requests { get; } = new();

    /// <summary>
    /// When set, each answer leaves in two TCP writes this far apart: the headers with the body's first byte, then the
    /// rest. A real network splits answers like this; a client that reads the body synchronously then has to wait.
    /// </summary>
    public TimeSpan? SplitAnswerDelay { get; set; }

    public static async Task<FakeDynamoEndpoint> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        FakeDynamoEndpoint? endpoint = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref endpoint!._connections);
                return next(connection);
            })));
        var app = builder.Build();
        endpoint = new FakeDynamoEndpoint(app);
        app.Run(endpoint.HandleAsync);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var address = app.Urls.First();
        endpoint.Endpoint = new Uri(address);
        return endpoint;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        Requests.Enqueue((context.Request.Headers["X-Amz-Target"].ToString(), body));
        context.Response.ContentType = "application/x-amz-json-1.0";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        if (SplitAnswerDelay is { } delay)
        {
            context.Response.ContentLength = 2;
            await context.Response.WriteAsync("{");
            await context.Response.Body.FlushAsync();
            await Task.Delay(delay);
            await context.Response.WriteAsync("}");
            return;
        }

        await context.Response.WriteAsync("{}");
    }
}
