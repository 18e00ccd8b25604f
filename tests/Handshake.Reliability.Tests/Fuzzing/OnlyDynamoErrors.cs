using System.Text.Json;
using Handshake.Dynamo.Protocol;

namespace Handshake.Reliability.Tests.Fuzzing;

/// <summary>
/// The fuzzing invariant: code under test returns, or raises DynamoException (the one error type the store maps to
/// the wire). JsonException is mapped to SerializationException in one place, the endpoint, so code below the endpoint
/// may raise it too. Anything else is a 500 waiting to happen.
/// </summary>
internal static class OnlyDynamoErrors
{
    public static void Run(Action action, bool jsonLayer = false)
    {
        try
        {
            action();
        }
        catch (DynamoException)
        {
        }
        catch (JsonException) when (jsonLayer)
        {
        }
    }
}
