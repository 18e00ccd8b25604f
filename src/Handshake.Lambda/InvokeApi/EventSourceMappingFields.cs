using System.Text.Json;
using Handshake.Lambda.EventSources;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// The members CreateEventSourceMapping and UpdateEventSourceMapping share, checked as Lambda checks them: the API
/// model's ranges first (ValidationException), then Lambda's own rules (InvalidParameterValueException).
/// </summary>
internal static class EventSourceMappingFields
{
    /// <exception cref="LambdaException">A member out of its range, or a feature Handshake does not have.</exception>
    public static EventSourceMappingSettings Apply(FunctionHost host, JsonElement body, EventSourceMappingSettings settings)
    {
        RefuseUnsupported(body);
        FilterCriteria? filters = body.TryGetProperty("FilterCriteria", out JsonElement criteria) && criteria.ValueKind != JsonValueKind.Null
            ? ReadFilterCriteria(criteria)
            : null;
        bool? enabled = body.TryGetProperty("Enabled", out JsonElement e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : null;
        bool? bisect = body.TryGetProperty("BisectBatchOnFunctionError", out JsonElement b) && b.ValueKind is JsonValueKind.True or JsonValueKind.False ? b.GetBoolean() : null;
        bool? report = null;
        if (body.TryGetProperty("FunctionResponseTypes", out JsonElement types) && types.ValueKind == JsonValueKind.Array)
        {
            report = false;
            foreach (JsonElement type in types.EnumerateArray())
            {
                if (type.ValueKind != JsonValueKind.String || type.GetString() != "ReportBatchItemFailures")
                {
                    throw LambdaException.Validation($"1 validation error detected: Value '[{type}]' at 'functionResponseTypes' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]");
                }

                report = true;
            }
        }

        (string Name, string? Qualifier)? function = JsonResponse.String(body, "FunctionName") is { } name ? ResolveFunction(host, name) : null;
        return settings with
        {
            FunctionName = function?.Name ?? settings.FunctionName,
            Qualifier = function is { } named ? named.Qualifier : settings.Qualifier,
            Enabled = enabled ?? settings.Enabled,
            BatchSize = JsonResponse.Int(body, "BatchSize", 1, 10000) ?? settings.BatchSize,
            MaximumBatchingWindowInSeconds = JsonResponse.Int(body, "MaximumBatchingWindowInSeconds", 0, 300) ?? settings.MaximumBatchingWindowInSeconds,
            MaximumRetryAttempts = JsonResponse.Int(body, "MaximumRetryAttempts", -1, 10000) ?? settings.MaximumRetryAttempts,
            MaximumRecordAgeInSeconds = JsonResponse.Int(body, "MaximumRecordAgeInSeconds", -1, 604800) ?? settings.MaximumRecordAgeInSeconds,
            ParallelizationFactor = JsonResponse.Int(body, "ParallelizationFactor", 1, 10) ?? settings.ParallelizationFactor,
            BisectBatchOnFunctionError = bisect ?? settings.BisectBatchOnFunctionError,
            ReportBatchItemFailures = report ?? settings.ReportBatchItemFailures,
            FilterCriteria = filters ?? settings.FilterCriteria,
        };
    }

    /// <summary>
    /// FilterCriteria, checked as Lambda checks it: each Pattern's length against the API model (ValidationException,
    /// before anything else), then the quota of filters, then each pattern's syntax (InvalidParameterValueException
    /// "Invalid filter pattern definition.", Lambda's message for any pattern it cannot use, missing ones included).
    /// <c>{}</c> and <c>{"Filters": []}</c> are valid and leave the mapping with no filters: that is how an update
    /// clears them.
    /// </summary>
    private static FilterCriteria ReadFilterCriteria(JsonElement criteria)
    {
        // An object, Filters a list of objects and each Pattern a string (or null): the body was checked against the
        // model's shape when it was read, so a wrong JSON type is InvalidRequestContentException, as on Lambda.
        if (!criteria.TryGetProperty("Filters", out JsonElement list) || list.ValueKind == JsonValueKind.Null)
        {
            return new FilterCriteria(null, []);
        }

        List<string?> patterns = [];
        foreach (JsonElement filter in list.EnumerateArray())
        {
            patterns.Add(filter.ValueKind == JsonValueKind.Object && filter.TryGetProperty("Pattern", out JsonElement pattern) ? pattern.GetString() : null);
        }

        for (int i = 0; i < patterns.Count; i++)
        {
            if (patterns[i] is { Length: > FilterCriteria.MaxPatternLength } tooLong)
            {
                // The model's constraint, in Lambda's (Coral's) wording for a member of a list member: inferred.
                throw LambdaException.Validation($"1 validation error detected: Value '{tooLong}' at 'filterCriteria.filters.{i + 1}.member.pattern' failed to satisfy constraint: Member must have length less than or equal to {FilterCriteria.MaxPatternLength}");
            }
        }

        if (patterns.Count > FilterCriteria.MaxFilters)
        {
            // Lambda documents that too many filters is an error, not its wording: this message is inferred (README).
            throw LambdaException.InvalidParameter($"The number of filters ({patterns.Count}) exceeds the quota of {FilterCriteria.MaxFilters} filters per event source mapping.");
        }

        List<FilterPattern> compiled = [];
        foreach (string? pattern in patterns)
        {
            compiled.Add((pattern is { Length: > 0 } ? FilterPatternParser.Parse(pattern) : null)
                ?? throw LambdaException.InvalidParameter("Invalid filter pattern definition."));
        }

        return new FilterCriteria(patterns.ConvertAll(p => p!), [.. compiled]);
    }

    /// <summary>
    /// The function a FunctionName names (a name, or a partial or full ARN, either may carry a version or an alias),
    /// with its qualifier ($LATEST named outright counts as none). Unknown: Lambda answers this operation
    /// InvalidParameterValueException "Function does not exist" (seen in Terraform's and LocalStack's reports), not
    /// Invoke's ResourceNotFoundException.
    /// </summary>
    public static (string Name, string? Qualifier) ResolveFunction(FunctionHost host, string nameOrArn)
    {
        string? qualifier = null;
        string name;
        try
        {
            name = LambdaHttpEndpoint.Resolve(host, nameOrArn, ref qualifier);
            if (qualifier == Functions.FunctionDefinition.LatestVersion)
            {
                qualifier = null;
            }

            host.CheckQualifier(name, qualifier);
        }
        catch (LambdaException e) when (e.StatusCode == 404)
        {
            throw LambdaException.InvalidParameter("Function does not exist");
        }

        return (name, qualifier);
    }

    /// <summary>Members for what Handshake does not do: refused rather than accepted and silently ignored.</summary>
    private static void RefuseUnsupported(JsonElement body)
    {
        if (body.TryGetProperty("DestinationConfig", out JsonElement destination) && destination.ValueKind == JsonValueKind.Object)
        {
            if (destination.TryGetProperty("OnSuccess", out _))
            {
                throw LambdaException.InvalidParameter("Unsupported DestinationConfig parameter for given event source mapping type.");
            }

            if (destination.TryGetProperty("OnFailure", out JsonElement onFailure) && JsonResponse.String(onFailure, "Destination") is not null)
            {
                throw LambdaException.InvalidParameter("Handshake has no OnFailure destinations (no SQS or SNS); nothing was changed. Skipped batches are logged.");
            }
        }

        if (JsonResponse.Int(body, "TumblingWindowInSeconds", 0, 900) is > 0)
        {
            throw LambdaException.InvalidParameter("Handshake has no tumbling windows (TumblingWindowInSeconds); nothing was changed.");
        }
    }
}
