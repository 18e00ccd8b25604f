using System.Reflection;
using Xunit.Sdk;

namespace Handshake.Clients.Tests.Infrastructure;

/// <summary>Runs a theory once for the in-memory store and once for the durable (SQLite on disk) store.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BothStoresAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod)
    {
        yield return [StoreMode.InMemory];
        yield return [StoreMode.Durable];
    }
}
