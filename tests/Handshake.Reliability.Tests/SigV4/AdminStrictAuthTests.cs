using System.Net;
using System.Text;
using Handshake.Composition;
using Handshake.Network.SigV4;
using Handshake.Reliability.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>
/// The admin routes under <c>--auth strict</c>: loopback peers are served unsigned (`handshake logs`, `handshake
/// connections`, a local Prometheus); a peer from another address, which only <c>--host</c> lets in, must sign.
/// </summary>
public sealed class AdminStrictAuthTests
{
    private static readonly StrictAuthentication Strict = new(key => key == StrictServer.AccessKeyId ? new SigV4Credentials(StrictServer.SecretAccessKey) : null, TimeProvider.System);

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/_handshake/connections")]
    public async Task ALoopbackPeerReadsTheAdminRoutesUnsignedUnderStrictAuth(string path)
    {
        await using RunningServer server = await RunningServer.StartAsync(StrictServer.Options());
        using HttpResponseMessage response = await server.Http.GetAsync(path).WaitAsync(Timeouts.Default);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task AnotherAddressIsRefusedWithoutASignature()
    {
        DefaultHttpContext context = Request("/metrics", IPAddress.Parse("192.0.2.10"));

        Assert.False(await Strict.AuthorizeAdminAsync(context).WaitAsync(Timeouts.Default));
        Assert.Equal(403, context.Response.StatusCode);
        Assert.Equal("MissingAuthenticationTokenException", context.Response.Headers["x-amzn-ErrorType"].ToString());
        Assert.Equal("{\"message\":\"Missing Authentication Token\"}", Body(context));
    }

    [Fact]
    public async Task AnotherAddressIsServedWithAKnownKeysSignatureAndRefusedWithAnUnknownOnes()
    {
        DefaultHttpContext signed = Request("/_handshake/connections", IPAddress.Parse("192.0.2.10"), StrictServer.AccessKeyId);
        Assert.True(await Strict.AuthorizeAdminAsync(signed).WaitAsync(Timeouts.Default), Body(signed));

        DefaultHttpContext unknown = Request("/_handshake/connections", IPAddress.Parse("192.0.2.10"), "AKIDNOBODYISSUED");
        Assert.False(await Strict.AuthorizeAdminAsync(unknown).WaitAsync(Timeouts.Default));
        Assert.Equal(403, unknown.Response.StatusCode);
        Assert.Equal("UnrecognizedClientException", unknown.Response.Headers["x-amzn-ErrorType"].ToString());
    }

    [Fact]
    public async Task AnIpv6LoopbackPeerIsServedUnsigned()
    {
        DefaultHttpContext context = Request("/metrics", IPAddress.IPv6Loopback);

        Assert.True(await Strict.AuthorizeAdminAsync(context).WaitAsync(Timeouts.Default));
    }

    private static DefaultHttpContext Request(string path, IPAddress peer, string? signedBy = null)
    {
        DefaultHttpContext context = new();
        context.Connection.RemoteIpAddress = peer;
        context.Request.Method = "GET";
        context.Request.Host = new HostString("handshake.example:4566");
        context.Request.Path = path;
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = path;
        context.Response.Body = new MemoryStream();
        if (signedBy is not null)
        {
            TestSigner.Signature signature = TestSigner.Sign("GET", path, "handshake.example:4566", [], signedBy, StrictServer.SecretAccessKey, "handshake", DateTimeOffset.UtcNow);
            context.Request.Headers["X-Amz-Date"] = signature.AmzDate;
            context.Request.Headers.Authorization = signature.Authorization;
        }

        return context;
    }

    private static string Body(DefaultHttpContext context) => Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
}
