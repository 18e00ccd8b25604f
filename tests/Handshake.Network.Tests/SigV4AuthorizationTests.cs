using Handshake.Network.SigV4;

namespace Handshake.Network.Tests;

public sealed class SigV4AuthorizationTests
{
    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc", "AKIDEXAMPLE")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/dynamodb/aws4_request,SignedHeaders=host,Signature=abc", "AKIDEXAMPLE")]
    [InlineData("  AWS4-HMAC-SHA256 Credential=K/d/r/s/aws4_request", "K")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Credential=SECOND/20150830/us-east-1/dynamodb/aws4_request, Signature=abc", "SECOND")]
    [InlineData("AWS4-ECDSA-P256-SHA256 Credential=SIGV4A/20150830/dynamodb/aws4_request, SignedHeaders=host, Signature=abc", "SIGV4A")]
    [InlineData("AWS4-HMAC-SHA256 Credential=hs-put-record-0001/20150830/us-east-1/dynamodb/aws4_request", "hs-put-record-0001")]
    public void Reads_the_access_key_id(string header, string expected)
    {
        Assert.True(SigV4Authorization.TryGetAccessKeyId(header, out ReadOnlySpan<char> accessKeyId));
        Assert.Equal(expected, accessKeyId.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer abc")]
    [InlineData("AWS AKIDEXAMPLE:signature")]
    [InlineData("AWS4-HMAC-SHA256")]
    [InlineData("AWS4-HMAC-SHA256 ")]
    [InlineData("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=abc")]
    [InlineData("AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/dynamodb/aws4_request")]
    [InlineData("AWS4-HMAC-SHA256 Credential=NOSLASH, Signature=abc")]
    [InlineData("AWS4-HMAC-SHA256 credential=AKID/20150830/us-east-1/dynamodb/aws4_request")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AK ID/20150830/us-east-1/dynamodb/aws4_request")]
    [InlineData("AWS4-HMAC-SHA256 XCredential=AKID/20150830/us-east-1/dynamodb/aws4_request")]
    public void Rejects_headers_without_a_credential(string header)
    {
        Assert.False(SigV4Authorization.TryGetAccessKeyId(header, out ReadOnlySpan<char> accessKeyId));
        Assert.True(accessKeyId.IsEmpty);
    }
}
