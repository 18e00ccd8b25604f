using System.Text;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests;

/// <summary>
/// The store's event loop leaves a function URL's request (Host <c>{url-id}.lambda-url.{region}...</c>) to Kestrel,
/// whatever it looks like: a URL's <c>POST /</c> with an X-Amz-Target is the function's, not the store's.
/// </summary>
public sealed class PlainRequestFunctionUrlTests
{
    private static PlainRequest.Outcome Parse(string host)
    {
        string request = $"POST / HTTP/1.1\r\nHost: {host}\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n" +
            "Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}";
        return PlainRequest.Parse(Encoding.ASCII.GetBytes(request), routes: true).Outcome;
    }

    [Theory]
    [InlineData("127.0.0.1:4566")]
    [InlineData("localhost")]
    [InlineData("lambda-url.example:4566")]
    public void AStoreHostIsTheStores(string host) => Assert.Equal(PlainRequest.Outcome.Answer, Parse(host));

    [Theory]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.localhost:4566")]
    [InlineData("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345.LAMBDA-URL.us-east-1.localhost")]
    [InlineData("x.Lambda-Url.eu-west-1.on.aws")]
    public void AFunctionUrlHostIsHandedToKestrel(string host) => Assert.Equal(PlainRequest.Outcome.HandOver, Parse(host));

    [Fact]
    public void AHostTooLongToLookAtIsHandedToKestrel() => Assert.Equal(PlainRequest.Outcome.HandOver, Parse(new string('a', 300) + ".example"));
}
