using System.Buffers.Binary;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.Tests;

/// <summary>
/// Hostile deployment packages (Code.ZipFile): entries that climb out of the code directory, symlinks, a zip bomb (and
/// one that lies about its size), modes. A refusal leaves no staging directory and no function behind.
/// </summary>
public sealed class CodePackageTests : IDisposable
{
    private const int S_IFREG = 0x8000;
    private const int S_IFLNK = 0xA000;
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "handshake-code-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private static byte[] Zip(params (string Name, int Mode, byte[] Content)[] entries)
    {
        using MemoryStream buffer = new();
        using (ZipArchive zip = new(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string name, int mode, byte[] content) in entries)
            {
                ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Fastest);
                entry.ExternalAttributes = mode << 16;
                using Stream stream = entry.Open();
                stream.Write(content);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>One entry of zeros, `size` bytes, written in 1 MB pieces (it compresses ~1000:1).</summary>
    private static byte[] Zeros(long size)
    {
        using MemoryStream buffer = new();
        using (ZipArchive zip = new(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using Stream stream = zip.CreateEntry("zeros", CompressionLevel.Fastest).Open();
            byte[] megabyte = new byte[1 << 20];
            for (long left = size; left > 0; left -= megabyte.Length)
            {
                stream.Write(megabyte, 0, (int)Math.Min(left, megabyte.Length));
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Rewrites every header's uncompressed size (local header offset 22, central directory offset 24).</summary>
    private static byte[] DeclareSize(byte[] zip, uint size)
    {
        byte[] copy = (byte[])zip.Clone();
        for (int i = 0; i + 4 <= copy.Length; i++)
        {
            uint signature = BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(i));
            if (signature == 0x04034b50 && i + 26 <= copy.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(i + 22), size);
            }
            else if (signature == 0x02014b50 && i + 28 <= copy.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(i + 24), size);
            }
        }

        return copy;
    }

    private void AssertRefused(byte[] zip, string message)
    {
        LambdaException refused = Assert.Throws<LambdaException>(() => FunctionCode.InstallZip(_dataDirectory, "f", zip));
        Assert.Equal(("InvalidParameterValueException", message), (refused.ErrorType, refused.Message));
        Assert.Equal(message, Assert.Throws<LambdaException>(() => FunctionCode.CheckZip(zip)).Message);
        string functions = Path.Combine(_dataDirectory, "functions", "f");
        Assert.False(Directory.Exists(functions) && Directory.EnumerateFileSystemEntries(functions).Any(), "a refused package left files behind");
    }

    [Theory]
    [InlineData("../escaped")]
    [InlineData("dir/../../escaped")]
    [InlineData("/tmp/handshake-absolute-entry")]
    public void An_entry_outside_the_code_directory_is_refused_and_nothing_is_written(string name)
    {
        byte[] zip = Zip(("bootstrap", S_IFREG | 0x1ED, "#!/bin/sh\n"u8.ToArray()), (name, S_IFREG | 0x1A4, "x"u8.ToArray()));
        AssertRefused(zip, FunctionCode.CannotUnzip);
        Assert.False(File.Exists(Path.Combine(_dataDirectory, "functions", "escaped")));
        Assert.False(File.Exists("/tmp/handshake-absolute-entry"));
    }

    [Fact]
    public void A_symlink_is_kept_as_a_link_and_nothing_is_written_through_it()
    {
        string outside = Path.Combine(_dataDirectory, "outside");
        Directory.CreateDirectory(outside);
        byte[] zip = Zip(
            ("real", S_IFREG | 0x1ED, "#!/bin/sh\n"u8.ToArray()),
            ("bootstrap", S_IFLNK | 0x1FF, "real"u8.ToArray()),
            ("out", S_IFLNK | 0x1FF, Encoding.UTF8.GetBytes(outside)),
            ("out/planted", S_IFREG | 0x1A4, "x"u8.ToArray()));

        // A file entry under a symlinked directory would be written outside the code directory: Lambda's package
        // cannot hold both, so it cannot be unzipped.
        AssertRefused(zip, FunctionCode.CannotUnzip);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));

        byte[] links = Zip(("real", S_IFREG | 0x1ED, "#!/bin/sh\n"u8.ToArray()), ("bootstrap", S_IFLNK | 0x1FF, "real"u8.ToArray()), ("out", S_IFLNK | 0x1FF, Encoding.UTF8.GetBytes(outside)));
        (string directory, _, _) = FunctionCode.InstallZip(_dataDirectory, "f", links);
        Assert.Equal("real", new FileInfo(Path.Combine(directory, "bootstrap")).LinkTarget);
        Assert.Equal(outside, new FileInfo(Path.Combine(directory, "out")).LinkTarget);
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    [Fact]
    public void Modes_are_kept_without_setuid_and_an_entry_without_a_mode_is_readable()
    {
        byte[] zip = Zip(
            ("bootstrap", S_IFREG | 0x1ED, "#!/bin/sh\n"u8.ToArray()),
            ("setuid", S_IFREG | 0x800 | 0x1ED, "x"u8.ToArray()),
            ("plain", 0, "x"u8.ToArray()));
        (string directory, _, _) = FunctionCode.InstallZip(_dataDirectory, "f", zip);
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(directory, "bootstrap")));
        Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(Path.Combine(directory, "setuid")));
        Assert.True(File.GetUnixFileMode(Path.Combine(directory, "plain")).HasFlag(UnixFileMode.UserRead));
    }

    [Fact]
    public void Duplicate_entries_keep_the_last()
    {
        byte[] zip = Zip(("bootstrap", S_IFREG | 0x1ED, "first"u8.ToArray()), ("bootstrap", S_IFREG | 0x1ED, "last"u8.ToArray()));
        (string directory, _, _) = FunctionCode.InstallZip(_dataDirectory, "f", zip);
        Assert.Equal("last", File.ReadAllText(Path.Combine(directory, "bootstrap")));
    }

    [Fact]
    public void A_package_above_250_MB_unzipped_is_refused_with_Lambdas_message_and_one_that_declares_less_inflates_no_more()
    {
        byte[] bomb = Zeros(FunctionCode.MaxUnzippedBytes + 1);
        AssertRefused(bomb, FunctionCode.UnzippedTooLarge);

        // An entry inflates no further than the size its header declares, so the declared sizes bound the disk used.
        (string directory, _, _) = FunctionCode.InstallZip(_dataDirectory, "f", DeclareSize(bomb, 10));
        Assert.Equal(10, new FileInfo(Path.Combine(directory, "zeros")).Length);
    }

    [Fact]
    public async Task A_zip_above_50_MB_and_a_request_above_Lambdas_limit_are_refused_with_Lambdas_errors()
    {
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = _dataDirectory });
        using HttpClient http = server.Client();

        // Base64 written straight into the body: 52,428,801 bytes of zip are 69,905,068 characters.
        byte[] prefix = "{\"FunctionName\":\"big\",\"Runtime\":\"provided.al2023\",\"Role\":\"arn:aws:iam::000000000000:role/lambda\",\"Handler\":\"h\",\"Code\":{\"ZipFile\":\""u8.ToArray();
        byte[] suffix = "\"}}"u8.ToArray();
        byte[] zip = new byte[FunctionCode.MaxZippedBytes + 1];
        byte[] body = new byte[prefix.Length + System.Buffers.Text.Base64.GetMaxEncodedToUtf8Length(zip.Length) + suffix.Length];
        prefix.CopyTo(body, 0);
        System.Buffers.Text.Base64.EncodeToUtf8(zip, body.AsSpan(prefix.Length), out _, out int written);
        suffix.CopyTo(body, prefix.Length + written);
        HttpResponseMessage zipped = await http.PostAsync("/2015-03-31/functions", new ByteArrayContent(body, 0, prefix.Length + written + suffix.Length));
        Assert.Equal(HttpStatusCode.BadRequest, zipped.StatusCode);
        Assert.Equal("InvalidParameterValueException", zipped.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Equal(FunctionCode.ZippedTooLarge, JsonDocument.Parse(await zipped.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());

        // Refused on its Content-Length, before a byte of the body is read.
        using System.Net.Sockets.Socket socket = new(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(server.Endpoint.Host, server.Endpoint.Port).WaitAsync(TestHost.Wait);
        await socket.SendAsync("PUT /2015-03-31/functions/big/code HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 70167211\r\n\r\n"u8.ToArray());
        byte[] buffer = new byte[4096];
        int read = await socket.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(TestHost.Wait);
        string response = Encoding.UTF8.GetString(buffer, 0, read);
        Assert.StartsWith("HTTP/1.1 413 ", response);
        Assert.Contains("RequestEntityTooLargeException", response);
        Assert.Contains("Request must be smaller than 70167211 bytes for the UpdateFunctionCode operation", response);
    }

    [Fact]
    public async Task A_refused_package_saves_no_function()
    {
        await using LambdaServer server = await LambdaServer.StartAsync(new FunctionHostOptions { DataDirectory = _dataDirectory });
        using HttpClient http = server.Client();
        byte[] zip = Zip(("bootstrap", S_IFREG | 0x1ED, "#!/bin/sh\n"u8.ToArray()), ("../../escaped", S_IFREG | 0x1A4, "x"u8.ToArray()));
        HttpResponseMessage created = await http.PostAsync("/2015-03-31/functions", new StringContent(JsonSerializer.Serialize(new
        {
            FunctionName = "slip",
            Runtime = "provided.al2023",
            Role = "arn:aws:iam::000000000000:role/lambda",
            Handler = "h",
            Code = new { ZipFile = Convert.ToBase64String(zip) },
        }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/2015-03-31/functions/slip")).StatusCode);
        string functions = Path.Combine(_dataDirectory, "functions", "slip");
        Assert.False(Directory.Exists(functions) && Directory.EnumerateFileSystemEntries(functions).Any());
        Assert.False(File.Exists(Path.Combine(_dataDirectory, "escaped")));
    }
}
