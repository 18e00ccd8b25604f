using Amazon.DynamoDBv2;
using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>`handshake up --auth strict --credentials AKID:SECRET`: the configured key and the printed dummy key work, others do not.</summary>
public sealed class HandshakeUpStrictTests
{
    [Fact]
    public async Task TheConfiguredAndThePrintedKeysAreKnownAndNoOtherIs()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-strict-up-").FullName;
        try
        {
            using HandshakeProcess process = HandshakeProcess.Start(directory, "up", "--port", "0", "--in-memory", "--auth", "strict",
                "--credentials", "AKIDCONFIGURED:configured-secret", "--credentials", "AKIDSECOND:second:secret");
            Uri endpoint = await process.WaitUntilUpAsync();

            foreach ((string key, string secret) in new[] { ("AKIDCONFIGURED", "configured-secret"), ("AKIDSECOND", "second:secret"), ("handshake", "handshake") })
            {
                using AmazonDynamoDBClient client = RunningServer.NewClient(endpoint, key, secret);
                await client.ListTablesAsync().WaitAsync(Timeouts.Default);
            }

            using AmazonDynamoDBClient stranger = RunningServer.NewClient(endpoint, "AKIDSTRANGER", "configured-secret");
            AmazonDynamoDBException error = await Assert.ThrowsAnyAsync<AmazonDynamoDBException>(() => stranger.ListTablesAsync().WaitAsync(Timeouts.Default));
            Assert.Equal("UnrecognizedClientException", error.ErrorCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AMalformedCredentialsOptionIsOneLineAndExit1()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-strict-bad-").FullName;
        try
        {
            using HandshakeProcess process = HandshakeProcess.Start(directory, "up", "--port", "0", "--in-memory", "--auth", "strict", "--credentials", "no-colon");
            Assert.Equal(1, await process.WaitForExitAsync());
            Assert.Contains("--credentials takes AKID:SECRET, not 'no-colon'.", await process.StandardErrorAsync(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("--tls-port needs --tls (without it no HTTPS port is opened).", "--tls-port", "0")]
    [InlineData("--credentials needs --auth strict (under --auth off every key is accepted).", "--credentials", "AKID:secret")]
    [InlineData("--credentials needs --auth strict (under --auth off every key is accepted).", "--auth", "off", "--credentials", "AKID:secret")]
    public async Task AnOptionThatNeedsAnotherIsRefusedWithoutIt(string message, params string[] arguments)
    {
        string directory = Directory.CreateTempSubdirectory("handshake-needs-").FullName;
        try
        {
            using HandshakeProcess process = HandshakeProcess.Start(directory, ["up", "--port", "0", "--in-memory", .. arguments]);
            Assert.Equal(1, await process.WaitForExitAsync());
            Assert.Contains(message, await process.StandardErrorAsync(), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
