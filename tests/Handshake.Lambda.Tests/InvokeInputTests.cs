using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Odd Invoke requests, on both the event loop's route and Kestrel's: each gets a 4xx with an x-amzn-ErrorType, never
/// a 500 or a dropped connection; a payload of exactly 6 MB is taken and one byte more is refused.
/// </summary>
public sealed class InvokeInputTests
{
    public static TheoryData<string, string, int> OddRequests => new()
    {
        // Qualifiers: a slash, a NUL, a very long one, non-ASCII, an empty one.
        { "/2015-03-31/functions/echo/invocations?Qualifier=a%2Fb", "", 0 },
        { "/2015-03-31/functions/echo/invocations?Qualifier=%00", "", 0 },
        { "/2015-03-31/functions/echo/invocations?Qualifier=" + new string('q', 300), "", 0 },
        { "/2015-03-31/functions/echo/invocations?Qualifier=%C3%A9t%C3%A9", "", 0 },
        { "/2015-03-31/functions/echo/invocations?Qualifier=", "", 200 },
        // Names (a NUL in the path is Kestrel's bare 400, see the README's known limits): an encoded slash, a very long name, a malformed ARN, an ARN with its own qualifier and another.
        { "/2015-03-31/functions/ec%2Fho/invocations", "", 0 },
        { "/2015-03-31/functions/" + new string('n', 200) + "/invocations", "", 0 },
        { "/2015-03-31/functions/arn%3Aaws%3Alambda%3A%3A%3Afunction%3Aecho/invocations", "", 0 },
        { "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Aecho%3A1/invocations?Qualifier=2", "", 0 },
        // Headers: a client context that is not base64, one over 3,583 bytes, an unknown invocation type.
        { "/2015-03-31/functions/echo/invocations", "X-Amz-Client-Context: %%%not base64", 0 },
        { "/2015-03-31/functions/echo/invocations", "X-Amz-Client-Context: " + new string('A', 3584), 0 },
        { "/2015-03-31/functions/echo/invocations", "X-Amz-Invocation-Type: Sometimes", 0 },
    };

    [Theory]
    [MemberData(nameof(OddRequests))]
    public async Task An_odd_request_gets_a_4xx_with_an_error_type_on_both_routes(string target, string header, int expected)
    {
        foreach (bool kestrelOnly in new[] { false, true })
        {
            await using LambdaServer server = await LambdaServer.StartAsync(kestrelOnly: kestrelOnly);
            server.Test.AddBash("echo");
            string response = await RawAsync(server.Endpoint, $"POST {target} HTTP/1.1\r\nHost: x\r\n" + (header.Length > 0 ? header + "\r\n" : "") + "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
            int status = int.Parse(response.AsSpan(9, 3));
            if (expected != 0)
            {
                Assert.Equal(expected, status);
                continue;
            }

            Assert.True(status is >= 400 and < 500, $"kestrelOnly={kestrelOnly}: {response}");
            Assert.Contains("\r\nx-amzn-ErrorType: ", response, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_payload_of_exactly_6_MB_is_taken_and_one_byte_more_is_refused(bool kestrelOnly)
    {
        await using LambdaServer server = await LambdaServer.StartAsync(kestrelOnly: kestrelOnly);
        server.Test.AddBash("sink", environment: new() { ["RECORD_EVENTS"] = "1" });
        using HttpClient http = server.Client();
        string exact = "\"" + new string('x', Handshake.Lambda.InvokeApi.Invoke.MaxSyncPayloadBytes - 2) + "\"";

        HttpResponseMessage taken = await http.PostAsync("/2015-03-31/functions/sink/invocations", new StringContent(exact));
        HttpResponseMessage refused = await http.PostAsync("/2015-03-31/functions/sink/invocations", new StringContent(exact + " "));

        Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
    }

    private static async Task<string> RawAsync(Uri endpoint, string request)
    {
        using Socket socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint.Host, endpoint.Port).WaitAsync(TestHost.Wait);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request).AsMemory()).AsTask().WaitAsync(TestHost.Wait);
        using MemoryStream received = new();
        byte[] buffer = new byte[16 * 1024];
        int read;
        while ((read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestHost.Wait)) > 0)
        {
            received.Write(buffer, 0, read);
        }

        return Encoding.UTF8.GetString(received.ToArray());
    }
}
