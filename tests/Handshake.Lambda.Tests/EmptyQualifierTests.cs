using System.Net;
using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>
/// An empty `?Qualifier=` names no qualifier: the unqualified function ($LATEST). Lambda's older Qualifier pattern
/// `(|[a-zA-Z0-9$_-]+)` allows the empty string; Invoke's current shape has min 1, which botocore checks before sending,
/// so AWS's clients never send one. What Lambda answers on the wire was not found (README, known limits): this pins the
/// host's reading, on the store's event loop and on Kestrel's path.
/// </summary>
public sealed class EmptyQualifierTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_empty_Qualifier_invokes_the_unqualified_function(bool kestrelOnly)
    {
        await using LambdaServer server = await LambdaServer.StartAsync(kestrelOnly: kestrelOnly);
        server.Test.AddBash("noqualifier", timeout: 5);
        using HttpClient http = new() { BaseAddress = server.Endpoint, Timeout = TestHost.Wait };

        using HttpResponseMessage invoked = await http.PostAsync("/2015-03-31/functions/noqualifier/invocations?Qualifier=", new StringContent("""{"q":1}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, invoked.StatusCode);
        Assert.Equal("""{"q":1}""", await invoked.Content.ReadAsStringAsync());
        Assert.Equal("$LATEST", string.Join(",", invoked.Headers.GetValues("X-Amz-Executed-Version")));

        using HttpResponseMessage got = await http.GetAsync("/2015-03-31/functions/noqualifier?Qualifier=");
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Contains("\"Version\":\"$LATEST\"", await got.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
