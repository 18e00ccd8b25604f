using Handshake.Lambda.Functions;
using Microsoft.AspNetCore.Http;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// GET /2016-08-19/account-settings: the account's limits and usage. The host is one account: ConcurrentExecutions is
/// its account concurrency limit and UnreservedConcurrentExecutions what the functions' reserved concurrency leaves of
/// it; the code size limits are Lambda's documented quotas (the host does not enforce the total); usage counts every
/// function and the code of every version, as Lambda does.
/// </summary>
internal static class GetAccountSettings
{
    private const long TotalCodeSizeQuota = 80L * 1024 * 1024 * 1024;
    private const long CodeSizeUnzippedQuota = 250L * 1024 * 1024;
    private const long CodeSizeZippedQuota = 50L * 1024 * 1024;

    public static Task HandleAsync(FunctionHost host, HttpContext context)
    {
        IReadOnlyList<FunctionDefinition> functions = host.ListFunctions();
        long codeSize = 0;
        foreach (FunctionDefinition function in functions)
        {
            foreach (FunctionDefinition version in host.ListVersions(function.Name))
            {
                codeSize += version.CodeSize;
            }
        }

        return JsonResponse.WriteAsync(context, 200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("AccountLimit");
            writer.WriteNumber("TotalCodeSize", TotalCodeSizeQuota);
            writer.WriteNumber("CodeSizeUnzipped", CodeSizeUnzippedQuota);
            writer.WriteNumber("CodeSizeZipped", CodeSizeZippedQuota);
            writer.WriteNumber("ConcurrentExecutions", host.Options.AccountConcurrencyLimit);
            // Never below 0, Lambda's minimum: restored reservations can exceed this start's limit (FunctionHost.WarnIfOverReserved).
            writer.WriteNumber("UnreservedConcurrentExecutions", Math.Max(0, host.Options.AccountConcurrencyLimit - host.ReservedConcurrencyTotal()));
            writer.WriteEndObject();
            writer.WriteStartObject("AccountUsage");
            writer.WriteNumber("TotalCodeSize", codeSize);
            writer.WriteNumber("FunctionCount", functions.Count);
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
    }
}
