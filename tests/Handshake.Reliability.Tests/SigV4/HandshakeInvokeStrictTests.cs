using Handshake.Reliability.Tests.Infrastructure;

namespace Handshake.Reliability.Tests.SigV4;

/// <summary>
/// `handshake invoke` signs its request (SigV4, service lambda) with the shell's credentials, or the key `up` prints,
/// so it works against `handshake up --auth strict`; with a wrong secret it is refused like any SDK.
/// </summary>
public sealed class HandshakeInvokeStrictTests
{
    [Fact]
    public async Task InvokeSignsWithThePrintedKeyAndAWrongSecretIsRefused()
    {
        string directory = Directory.CreateTempSubdirectory("handshake-strict-invoke-").FullName;
        try
        {
            string code = Path.Combine(directory, "echo");
            Directory.CreateDirectory(code);
            File.WriteAllText(Path.Combine(code, "index.js"), "exports.handler = async (event) => event;\n");
            File.WriteAllText(Path.Combine(directory, "handshake.json"),
                """{ "functions": { "echo": { "runtime": "nodejs20.x", "handler": "index.handler", "code": "echo", "timeout": 20 } } }""");
            using HandshakeProcess up = HandshakeProcess.Start(directory, "up", "--port", "0", "--in-memory", "--auth", "strict");
            Uri endpoint = await up.WaitUntilUpAsync();

            // No credentials in the environment: the printed handshake/handshake key.
            KeyValuePair<string, string?>[] shell = [new("AWS_ACCESS_KEY_ID", null), new("AWS_SECRET_ACCESS_KEY", null), new("AWS_SESSION_TOKEN", null)];
            using (HandshakeProcess invoke = HandshakeProcess.Start(directory, shell, "invoke", "echo", "--payload", """{"signed":true}""", "--endpoint", endpoint.ToString()))
            {
                string output = await invoke.ReadToEndAsync();
                Assert.Equal(0, await invoke.WaitForExitAsync());
                Assert.Contains("""{"signed":true}""", output, StringComparison.Ordinal);
            }

            KeyValuePair<string, string?>[] wrong = [new("AWS_ACCESS_KEY_ID", "handshake"), new("AWS_SECRET_ACCESS_KEY", "not-the-secret"), new("AWS_SESSION_TOKEN", null)];
            using (HandshakeProcess refused = HandshakeProcess.Start(directory, wrong, "invoke", "echo", "--endpoint", endpoint.ToString()))
            {
                await refused.ReadToEndAsync();
                Assert.Equal(1, await refused.WaitForExitAsync());
                Assert.Contains("InvalidSignatureException", await refused.StandardErrorAsync(), StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
