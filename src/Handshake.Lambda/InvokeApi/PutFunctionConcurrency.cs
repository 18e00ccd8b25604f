using System.Text.Json;
using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>PUT /2017-10-31/functions/{name}/concurrency {"ReservedConcurrentExecutions": N}. Zero throttles every invocation.</summary>
internal static class PutFunctionConcurrency
{
    /// <summary>The body's members and their JSON types: Lambda's PutFunctionConcurrencyRequest.</summary>
    internal static readonly RequestShape Input = RequestShape.Structure(("ReservedConcurrentExecutions", RequestShape.Integer));

    public static async Task HandleAsync(FunctionHost host, HttpContext context, string name)
    {
        using JsonDocument document = await JsonResponse.ReadAsync(context, nameof(PutFunctionConcurrency), Input).ConfigureAwait(false);
        FunctionDefinition current = LambdaHttpEndpoint.Find(host, name, null);
        int reserved = JsonResponse.Int(document.RootElement, "ReservedConcurrentExecutions", 0, int.MaxValue)
            ?? throw LambdaException.Validation("1 validation error detected: Value null at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must not be null");
        // What the other functions reserve counts too: together they may not reserve more than the account has. A
        // reservation no higher than the function's own is always taken: functions restored from a data directory made
        // with a higher account limit may reserve more than this start has (FunctionHost.WarnIfOverReserved), and
        // lowering them is how they are made to fit.
        lock (host.ReservedConcurrencyGate)
        {
            int own = host.GetVersion(current.Name, null).ReservedConcurrency ?? 0;
            if (reserved > own && (long)reserved + host.ReservedConcurrencyTotal(except: current.Name) > host.Options.AccountConcurrencyLimit)
            {
                throw LambdaException.InvalidParameter($"Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [0]. (account limit: {host.Options.AccountConcurrencyLimit})");
            }

            host.UpdateFunction(current.Name, f => f with { ReservedConcurrency = reserved });
        }

        await JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("ReservedConcurrentExecutions", reserved);
            writer.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
