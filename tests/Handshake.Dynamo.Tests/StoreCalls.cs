using System.Text;
using Handshake.Dynamo.Protocol;

namespace Handshake.Dynamo.Tests;

/// <summary>Runs one operation against a store in-process, without HTTP, the way the endpoint does after routing.</summary>
internal static class StoreCalls
{
    /// <summary>Executes <paramref name="operation"/> with a JSON <paramref name="body"/>; returns the response body.</summary>
    public static async Task<string> ExecuteAsync(DynamoStore store, string operation, string body)
    {
        var buffer = ResponseBuffer.Rent();
        try
        {
            await OperationRouter.ExecuteAsync(operation, store, Encoding.UTF8.GetBytes(body), buffer);
            return Encoding.UTF8.GetString(buffer.Written.Span);
        }
        finally
        {
            ResponseBuffer.Return(buffer);
        }
    }
}
