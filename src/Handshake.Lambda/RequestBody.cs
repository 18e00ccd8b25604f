using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda;

/// <summary>Reads a request body into one array, refusing bodies above a limit without reading them whole.</summary>
internal static class RequestBody
{
    /// <summary>The body, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    /// <exception cref="BadHttpRequestException">Kestrel could not read the body: cut off, over its limit, or badly framed.</exception>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadBodyAsync(request, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (e is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // Kestrel refuses a chunk size past int's range with a bare IOException, not the BadHttpRequestException
            // of every other framing error (found by HttpFramingFuzzTests): the callers' 400 for an unreadable body,
            // not a 500.
            throw new BadHttpRequestException("The request body's framing is invalid.", StatusCodes.Status400BadRequest, e);
        }
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        long? declared = request.ContentLength;
        if (declared > limit)
        {
            return null;
        }

        if (declared is long length)
        {
            byte[] exact = new byte[length];
            await request.Body.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false);
            return exact;
        }

        // Chunked: grow up to the limit, then one byte more tells that it is too large.
        using MemoryStream buffer = new();
        byte[] chunk = new byte[16 * 1024];
        while (true)
        {
            int read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return buffer.ToArray();
            }

            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
            {
                return null;
            }
        }
    }
}
