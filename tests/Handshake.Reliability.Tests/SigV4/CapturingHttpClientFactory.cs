using Amazon.Runtime;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>A request exactly as the SDK signed and sent it, to replay intact or tampered.</summary>
public sealed record CapturedRequest(Uri Uri, List<KeyValuePair<string, string>> Headers, byte[] Body);

/// <summary>Gives the AWS SDK an HttpClient that records every request it sends (headers and body bytes).</summary>
public sealed class CapturingHttpClientFactory : HttpClientFactory
{
    public List<CapturedRequest> Requests { get; } = [];

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(new Recorder(this) { InnerHandler = new SocketsHttpHandler() });

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

    private sealed class Recorder(CapturingHttpClientFactory owner) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            byte[] body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            List<KeyValuePair<string, string>> headers = [];
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
            {
                headers.Add(new(header.Key, string.Join(",", header.Value)));
            }

            if (request.Content is not null)
            {
                foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content.Headers)
                {
                    if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                    {
                        headers.Add(new(header.Key, string.Join(",", header.Value)));
                    }
                }

                ByteArrayContent copy = new(body);
                foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content.Headers)
                {
                    copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = copy;
            }

            lock (owner.Requests)
            {
                owner.Requests.Add(new CapturedRequest(request.RequestUri!, headers, body));
            }

            return await base.SendAsync(request, cancellationToken);
        }
    }
}
