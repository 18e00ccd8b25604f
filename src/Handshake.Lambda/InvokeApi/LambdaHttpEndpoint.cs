using Handshake.Lambda.Functions;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// The Lambda APIs on the shared endpoint (REST-JSON, Lambda's exact shapes): Invoke and the control plane.
/// Every service error is answered in one place with x-amzn-ErrorType and Lambda's body.
/// </summary>
public sealed class LambdaHttpEndpoint(FunctionHost host)
{
    private const string Functions2015 = "/2015-03-31/functions";
    private const string EventSourceMappings2015 = "/2015-03-31/event-source-mappings";
    private const string Functions2017 = "/2017-10-31/functions/";
    private const string Functions2019 = "/2019-09-30/functions/";
    private const string EventInvokeConfig2019 = "/2019-09-25/functions/";
    private const string AccountSettings2016 = "/2016-08-19/account-settings";
    private const string Tags2017 = "/2017-03-31/tags/";
    private const string FunctionUrls2021 = "/2021-10-31/functions/";
    private const string Functions2021 = "/2021-11-15/functions/";
    private const string StreamingSuffix = "/response-streaming-invocations";
    private const string Functions2014 = "/2014-11-13/functions/";
    private const string CodeSigning2020 = "/2020-06-30/functions/";

    /// <summary>Invoke's plain requests, for the store's event loop (see <see cref="InvokeRoute"/>).</summary>
    public InvokeRoute Route { get; } = new(host);

    /// <summary>True for the paths of the Lambda API (which never carry X-Amz-Target, unlike DynamoDB's).</summary>
    public static bool IsLambdaRequest(HttpRequest request) =>
        IsLambdaPath(request.Path.Value ?? "") || (SentPath(request) is { } sent && IsLambdaPath(sent));

    private static bool IsLambdaPath(string path)
    {
        return path.StartsWith(Functions2015, StringComparison.Ordinal)
            || path.StartsWith(EventSourceMappings2015, StringComparison.Ordinal)
            || path.StartsWith(Functions2017, StringComparison.Ordinal)
            || path.StartsWith(Functions2019, StringComparison.Ordinal)
            || path.StartsWith(EventInvokeConfig2019, StringComparison.Ordinal)
            || path.StartsWith(AccountSettings2016, StringComparison.Ordinal)
            || path.StartsWith(Tags2017, StringComparison.Ordinal)
            || path.StartsWith(Functions2021, StringComparison.Ordinal)
            || path.StartsWith(FunctionUrls2021, StringComparison.Ordinal)
            || path.StartsWith(Functions2014, StringComparison.Ordinal)
            || path.StartsWith(CodeSigning2020, StringComparison.Ordinal);
    }

    /// <summary>
    /// True for a request to a function URL (its Host is <c>{url-id}.lambda-url.{region}...</c>), whatever its path:
    /// checked before the path, since a URL's request may be <c>POST /</c> like the store's.
    /// </summary>
    public static bool IsFunctionUrlRequest(HttpRequest request) => InvokeFunctionUrl.IsFunctionUrlHost(request.Headers.Host.ToString());

    /// <summary>
    /// How an AWS_IAM URL checks its caller. By default as <c>--auth off</c> treats the store's requests: any
    /// Authorization header that starts with AWS4- is accepted, and its Credential's access key is the caller;
    /// <c>--auth strict</c> puts the SigV4 verifier here.
    /// </summary>
    public FunctionUrlAuthorizer FunctionUrlAuthorizer { get; init; } = AnySignature;

    /// <summary>A request to a function URL (see <see cref="InvokeFunctionUrl"/>).</summary>
    public async Task HandleFunctionUrlAsync(HttpContext context)
    {
        try
        {
            await InvokeFunctionUrl.HandleAsync(host, context, FunctionUrlAuthorizer).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's own refusal of the request (a body over the endpoint's limit is 413).
            context.Response.StatusCode = e.StatusCode;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
    }

    /// <summary>The access key in <c>AWS4-HMAC-SHA256 Credential=KEY/date/region/service/aws4_request, ...</c>.</summary>
    public static string? SignatureAccessKey(HttpRequest request)
    {
        string authorization = request.Headers.Authorization.ToString().Trim();
        if (!authorization.StartsWith("AWS4-", StringComparison.Ordinal))
        {
            return null;
        }

        int credential = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (credential < 0)
        {
            return null;
        }

        int start = credential + "Credential=".Length;
        int slash = authorization.IndexOf('/', start);
        return slash > start ? authorization[start..slash] : null;
    }

    private static string? AnySignature(HttpRequest request, ReadOnlySpan<byte> body) => SignatureAccessKey(request);

    /// <summary>
    /// The path as the client sent it (decoded), when it has a dot segment; null otherwise. Kestrel removes dot segments
    /// from the path it decodes, so a function named <c>..</c> or <c>.</c> (raw or %2E-escaped) took the request out of
    /// the Lambda API: <c>/2015-03-31/functions/../policy</c> became <c>/2015-03-31/policy</c>, answered with a bare 404
    /// by the test host and with the store's XML UnknownOperationException by `up` (found by ControlPlaneFuzzTests). The
    /// store's event loop, which takes Invoke's plain requests before Kestrel, reads such a segment as the name and the
    /// model's FunctionName pattern refuses it; the other operations now read it alike. AWS documents no answer for a
    /// dot segment: its front end is taken not to remove them, as that route does not.
    /// </summary>
    private static string? SentPath(HttpRequest request)
    {
        string? raw = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw) || raw[0] != '/')
        {
            return null;
        }

        int query = raw.IndexOf('?', StringComparison.Ordinal);
        ReadOnlySpan<char> target = query < 0 ? raw : raw.AsSpan(0, query);
        // Every request on Kestrel asks (the store's among them): one scan, no allocation, for a path with no dot at all.
        if (!target.Contains('.') && !target.Contains("%2E", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        string path = target.ToString();
        if (!path.Replace("%2E", ".", StringComparison.OrdinalIgnoreCase).Split('/').Any(static segment => segment is "." or ".."))
        {
            return null;
        }

        // Decoded as Kestrel decodes a path: every escape but %2F, which would split a segment.
        return string.Join("%2F", Regex.Split(path, "%2F", RegexOptions.IgnoreCase).Select(Uri.UnescapeDataString));
    }

    public async Task HandleAsync(HttpContext context)
    {
        if (SentPath(context.Request) is { } sent && IsLambdaPath(sent))
        {
            context.Request.Path = new PathString(sent);
        }

        try
        {
            await RouteAsync(context).ConfigureAwait(false);
        }
        catch (LambdaException e) when (!context.Response.HasStarted)
        {
            await LambdaErrorWriter.WriteAsync(context, e).ConfigureAwait(false);
        }
        catch (BadHttpRequestException) when (!context.Response.HasStarted)
        {
            await LambdaErrorWriter.WriteAsync(context, new LambdaException(400, "InvalidRequestContentException", "Could not read the request body.")).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away.
        }
        catch (ObjectDisposedException) when (host.IsStopping && !context.Response.HasStarted)
        {
            // `up` stops the function host (its state database closed) before Kestrel stops taking requests: a request
            // that reaches it meanwhile is answered as Lambda answers a request it cannot serve, not with a bare 500.
            await LambdaErrorWriter.WriteAsync(context, HostStopping()).ConfigureAwait(false);
        }
    }

    /// <summary>The answer to a request the host can no longer serve because it is stopping.</summary>
    internal static LambdaException HostStopping() =>
        new(500, "ServiceException", "The function host is stopping; the request was not carried out.");

    /// <summary>GET /_handshake/logs/{function}?from=SEQUENCE&amp;wait=SECONDS: the function's log events as JSON (see README `host`).</summary>
    public Task HandleLogsAsync(HttpContext context) => LogsRoute.HandleAsync(host, context);

    /// <summary>The function's $LATEST, for the operations that act on it (a version or alias qualifier is not found).</summary>
    internal static FunctionDefinition Find(FunctionHost host, string nameOrArn, string? qualifier)
    {
        string name = Resolve(host, nameOrArn, ref qualifier);
        if (!host.TryGetFunction(name, out FunctionDefinition function) || (qualifier is not null && qualifier != FunctionDefinition.LatestVersion))
        {
            throw LambdaException.FunctionNotFound(host.Arn(name) + (qualifier is null ? "" : ":" + qualifier));
        }

        return function;
    }

    /// <summary>
    /// The function name a FunctionName (a name, a partial or full ARN, with or without a qualifier) names, and in
    /// <paramref name="qualifier"/> the qualifier it asks for: the Qualifier parameter's, or the one in the name.
    /// </summary>
    /// <exception cref="LambdaException">
    /// ValidationException for a name that breaks the model's pattern; InvalidParameterValueException when the name's
    /// qualifier and the Qualifier parameter differ; ResourceNotFoundException for an ARN in another region (AWS's
    /// wording for each) or in another account (<c>Function not found: ARN</c>).
    /// </exception>
    internal static string Resolve(FunctionHost host, string nameOrArn, ref string? qualifier)
    {
        if (!FunctionName.TryParse(nameOrArn, out string name, out string? arnQualifier, out string? region, out string? account))
        {
            throw LambdaException.Validation(FunctionNamePatternError(nameOrArn));
        }

        if (qualifier is not null && !IsQualifier(qualifier))
        {
            throw LambdaException.Validation($"1 validation error detected: Value '{qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (|[a-zA-Z0-9$_-]+)");
        }

        if (qualifier is not null && arnQualifier is not null && qualifier != arnQualifier)
        {
            throw LambdaException.InvalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
        }

        if (region is not null && region != host.Options.Region)
        {
            throw new LambdaException(404, "ResourceNotFoundException", $"Functions from '{region}' are not reachable in this region ('{host.Options.Region}')");
        }

        qualifier ??= arnQualifier;
        if (account is not null && account != host.Options.AccountId)
        {
            // The host is one account: no function exists in another. Answered as LocalStack and moto answer it (AWS
            // answers a caller with no access to that account AccessDeniedException, naming the caller's IAM identity,
            // which the host does not model; README `host`, known limits).
            throw LambdaException.FunctionNotFound(FunctionName.Arn(host.Options.Region, account, name) + (qualifier is null ? "" : ":" + qualifier));
        }

        return name;
    }

    /// <summary>The model's Qualifier pattern (a version, an alias or $LATEST), at most 128 characters.</summary>
    private static bool IsQualifier(string qualifier)
    {
        if (qualifier.Length > 128)
        {
            return false;
        }

        foreach (char c in qualifier)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('$' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The model's FunctionName pattern, which AWS's request validation checks before Lambda sees the request.</summary>
    internal static string FunctionNamePatternError(string nameOrArn) =>
        $"1 validation error detected: Value '{nameOrArn}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?";

    private Task RouteAsync(HttpContext context)
    {
        string path = context.Request.Path.Value ?? "";
        string method = context.Request.Method;
        string? qualifier = context.Request.Query["Qualifier"].ToString() is { Length: > 0 } q ? q : null;
        if (path.StartsWith(Functions2015, StringComparison.Ordinal))
        {
            string rest = path[Functions2015.Length..].Trim('/');
            if (rest.Length == 0)
            {
                return method switch
                {
                    "POST" => CreateFunction.HandleAsync(host, context),
                    "GET" => ListFunctions.HandleAsync(host, context),
                    _ => throw UnknownOperation(),
                };
            }

            int slash = rest.IndexOf('/');
            string name = slash < 0 ? rest : rest[..slash];
            string action = slash < 0 ? "" : rest[(slash + 1)..];
            if (action.StartsWith("policy/", StringComparison.Ordinal) && method == "DELETE")
            {
                return RemovePermission.HandleAsync(host, context, name, action["policy/".Length..], qualifier);
            }

            if (action.StartsWith("aliases/", StringComparison.Ordinal))
            {
                string alias = action["aliases/".Length..];
                return method switch
                {
                    "GET" => GetAlias.HandleAsync(host, context, name, alias),
                    "PUT" => UpdateAlias.HandleAsync(host, context, name, alias),
                    "DELETE" => DeleteAlias.HandleAsync(host, context, name, alias),
                    _ => throw UnknownOperation(),
                };
            }

            return (method, action) switch
            {
                ("GET", "") => GetFunction.HandleAsync(host, context, name, qualifier),
                ("DELETE", "") => DeleteFunction.HandleAsync(host, context, name, qualifier),
                ("POST", "versions") => PublishVersion.HandleAsync(host, context, name),
                ("GET", "versions") => ListVersionsByFunction.HandleAsync(host, context, name),
                ("POST", "aliases") => CreateAlias.HandleAsync(host, context, name),
                ("GET", "aliases") => ListAliases.HandleAsync(host, context, name),
                ("GET", "configuration") => GetFunctionConfiguration.HandleAsync(host, context, name, qualifier),
                ("PUT", "configuration") => UpdateFunctionConfiguration.HandleAsync(host, context, name),
                ("PUT", "code") => UpdateFunctionCode.HandleAsync(host, context, name),
                ("POST", "invocations") => InvokeFunction(context, name, qualifier),
                ("POST", "policy") => AddPermission.HandleAsync(host, context, name, qualifier),
                ("GET", "policy") => GetPolicy.HandleAsync(host, context, name, qualifier),
                _ => throw UnknownOperation(),
            };
        }

        if (path.StartsWith(EventSourceMappings2015, StringComparison.Ordinal))
        {
            string uuid = path[EventSourceMappings2015.Length..].Trim('/');
            return (method, uuid.Length == 0) switch
            {
                ("POST", true) => CreateEventSourceMapping.HandleAsync(host, context),
                ("GET", true) => ListEventSourceMappings.HandleAsync(host, context),
                ("GET", false) => GetEventSourceMapping.HandleAsync(host, context, uuid),
                ("PUT", false) => UpdateEventSourceMapping.HandleAsync(host, context, uuid),
                ("DELETE", false) => DeleteEventSourceMapping.HandleAsync(host, context, uuid),
                _ => throw UnknownOperation(),
            };
        }

        if (path.StartsWith(Functions2021, StringComparison.Ordinal))
        {
            // InvokeWithResponseStream, the only operation of this version. Never taken by the store's event loop
            // (InvokeRoute knows only .../invocations), so it is always served here, on Kestrel.
            string rest = path[Functions2021.Length..];
            if (method == "POST" && rest.EndsWith(StreamingSuffix, StringComparison.Ordinal) && rest.Length > StreamingSuffix.Length)
            {
                string name = rest[..^StreamingSuffix.Length];
                string resolved = Resolve(host, name, ref qualifier);
                return InvokeWithResponseStream.HandleAsync(host, context, resolved, qualifier);
            }

            throw UnknownOperation();
        }

        if (path.StartsWith(Functions2014, StringComparison.Ordinal))
        {
            // InvokeAsync (deprecated), the only operation of this version: .../invoke-async, with or without the
            // trailing slash the CLI and SDKs send.
            string rest = path[Functions2014.Length..].TrimEnd('/');
            const string suffix = "/invoke-async";
            if (method == "POST" && rest.EndsWith(suffix, StringComparison.Ordinal) && rest.Length > suffix.Length)
            {
                // No Qualifier parameter: a qualifier can come only with the name (name:QUALIFIER, a qualified ARN).
                string? nameQualifier = null;
                string name = Resolve(host, rest[..^suffix.Length], ref nameQualifier);
                return InvokeAsync.HandleAsync(host, context, name, nameQualifier);
            }

            throw UnknownOperation();
        }

        if (path.StartsWith(Tags2017, StringComparison.Ordinal))
        {
            // The ARN is the rest of the path (its colons are not escaped by every client; Kestrel has decoded it).
            string arn = path[Tags2017.Length..].TrimEnd('/');
            return method switch
            {
                "POST" => TagResource.HandleAsync(host, context, arn),
                "DELETE" => UntagResource.HandleAsync(host, context, arn),
                "GET" => ListTags.HandleAsync(host, context, arn),
                _ => throw UnknownOperation(),
            };
        }

        if (path.TrimEnd('/') == AccountSettings2016)
        {
            return method == "GET" ? GetAccountSettings.HandleAsync(host, context) : throw UnknownOperation();
        }

        if (path.StartsWith(EventInvokeConfig2019, StringComparison.Ordinal))
        {
            string rest = path[EventInvokeConfig2019.Length..];
            int slash = rest.IndexOf('/');
            string name = slash < 0 ? rest : rest[..slash];
            return (method, slash < 0 ? "" : rest[(slash + 1)..]) switch
            {
                ("PUT", "event-invoke-config") => PutFunctionEventInvokeConfig.HandleAsync(host, context, name, qualifier),
                ("POST", "event-invoke-config") => UpdateFunctionEventInvokeConfig.HandleAsync(host, context, name, qualifier),
                ("GET", "event-invoke-config") => GetFunctionEventInvokeConfig.HandleAsync(host, context, name, qualifier),
                ("DELETE", "event-invoke-config") => DeleteFunctionEventInvokeConfig.HandleAsync(host, context, name, qualifier),
                ("GET", "event-invoke-config/list") => ListFunctionEventInvokeConfigs.HandleAsync(host, context, name),
                _ => throw UnknownOperation(),
            };
        }

        if (path.StartsWith(FunctionUrls2021, StringComparison.Ordinal))
        {
            // The function URL operations: .../{name}/url (one config, by ?Qualifier=) and .../{name}/urls (the list).
            string rest = path[FunctionUrls2021.Length..];
            int slash = rest.LastIndexOf('/');
            string name = slash < 0 ? "" : rest[..slash];
            return (method, slash < 0 ? "" : rest[(slash + 1)..]) switch
            {
                (_, _) when name.Length == 0 => throw UnknownOperation(),
                ("POST", "url") => CreateFunctionUrlConfig.HandleAsync(host, context, name),
                ("GET", "url") => GetFunctionUrlConfig.HandleAsync(host, context, name),
                ("PUT", "url") => UpdateFunctionUrlConfig.HandleAsync(host, context, name),
                ("DELETE", "url") => DeleteFunctionUrlConfig.HandleAsync(host, context, name),
                ("GET", "urls") => ListFunctionUrlConfigs.HandleAsync(host, context, name),
                _ => throw UnknownOperation(),
            };
        }

        if (path.StartsWith(CodeSigning2020, StringComparison.Ordinal))
        {
            // A function's code signing configuration: .../{name}/code-signing-config.
            const string suffix = "/code-signing-config";
            string rest = path[CodeSigning2020.Length..];
            string name = rest.EndsWith(suffix, StringComparison.Ordinal) ? rest[..^suffix.Length] : "";
            return (method, name.Length > 0) switch
            {
                ("GET", true) => GetFunctionCodeSigningConfig.HandleAsync(host, context, name),
                ("PUT", true) => PutFunctionCodeSigningConfig.HandleAsync(host, context, name),
                ("DELETE", true) => DeleteFunctionCodeSigningConfig.HandleAsync(host, context, name),
                _ => throw UnknownOperation(),
            };
        }

        bool is2017 = path.StartsWith(Functions2017, StringComparison.Ordinal);
        string concurrencyPath = path[(is2017 ? Functions2017.Length : Functions2019.Length)..];
        if (concurrencyPath.EndsWith("/concurrency", StringComparison.Ordinal))
        {
            string name = concurrencyPath[..^"/concurrency".Length];
            return (is2017, method) switch
            {
                (true, "PUT") => PutFunctionConcurrency.HandleAsync(host, context, name),
                (true, "DELETE") => DeleteFunctionConcurrency.HandleAsync(host, context, name),
                (false, "GET") => GetFunctionConcurrency.HandleAsync(host, context, name),
                _ => throw UnknownOperation(),
            };
        }

        throw UnknownOperation();
    }

    private Task InvokeFunction(HttpContext context, string nameOrArn, string? qualifier)
    {
        string name = Resolve(host, nameOrArn, ref qualifier);
        return Invoke.HandleAsync(host, context, name, qualifier);
    }

    private static LambdaException UnknownOperation() =>
        new(404, "UnknownOperationException", "Unknown operation.");
}
