using System.Globalization;
using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.InvokeApi;

/// <summary>Lambda's FunctionConfiguration shape, as GetFunctionConfiguration, CreateFunction and ListFunctions return it.</summary>
internal static class FunctionConfigurationJson
{
    /// <param name="arnQualifier">
    /// The qualifier the FunctionArn carries: the one asked for (a version, an alias, $LATEST), or null for the
    /// unqualified ARN (Lambda's answer to an unqualified request).
    /// </param>
    public static void Write(Utf8JsonWriter writer, FunctionHost host, FunctionDefinition function, string? arnQualifier = null)
    {
        writer.WriteStartObject();
        writer.WriteString("FunctionName", function.Name);
        writer.WriteString("FunctionArn", arnQualifier is null ? host.Arn(function.Name) : host.Arn(function.Name) + ":" + arnQualifier);
        writer.WriteString("Runtime", function.Runtime);
        writer.WriteString("Role", function.Role.Length > 0 ? function.Role : $"arn:aws:iam::{host.Options.AccountId}:role/lambda-role");
        writer.WriteString("Handler", function.Handler);
        writer.WriteNumber("CodeSize", function.CodeSize);
        writer.WriteString("Description", function.Description);
        writer.WriteNumber("Timeout", (int)Math.Ceiling(function.Timeout));
        writer.WriteNumber("MemorySize", function.MemorySize);
        writer.WriteString("LastModified", function.LastModified.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture));
        writer.WriteString("CodeSha256", function.CodeSha256);
        writer.WriteString("Version", function.Version);
        if (function.Environment.Count > 0)
        {
            writer.WriteStartObject("Environment");
            writer.WriteStartObject("Variables");
            foreach ((string name, string value) in function.Environment)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteStartObject("TracingConfig");
        writer.WriteString("Mode", function.TracingMode);
        writer.WriteEndObject();
        writer.WriteString("RevisionId", function.RevisionId);
        writer.WriteString("State", "Active");
        writer.WriteString("LastUpdateStatus", "Successful");
        writer.WriteString("PackageType", "Zip");
        WriteArchitectureAndStorage(writer, function);
        writer.WriteStartObject("SnapStart");
        writer.WriteString("ApplyOn", "None");
        writer.WriteString("OptimizationStatus", "Off");
        writer.WriteEndObject();
        WriteLoggingConfig(writer, function);
        writer.WriteEndObject();
    }

    /// <summary>LoggingConfig as Lambda answers it (levels only with JSON); the saved document keeps it in the same shape.</summary>
    internal static void WriteLoggingConfig(Utf8JsonWriter writer, FunctionDefinition function)
    {
        FunctionLogging logging = function.Logging;
        writer.WriteStartObject("LoggingConfig");
        writer.WriteString("LogFormat", logging.LogFormat);
        if (logging.ApplicationLogLevel is { } application)
        {
            writer.WriteString("ApplicationLogLevel", application);
        }

        if (logging.SystemLogLevel is { } system)
        {
            writer.WriteString("SystemLogLevel", system);
        }

        writer.WriteString("LogGroup", logging.LogGroupFor(function.Name));
        writer.WriteEndObject();
    }

    /// <summary>Architectures and EphemeralStorage as the API answers them; the saved document (FunctionDocuments) keeps them in the same shape.</summary>
    internal static void WriteArchitectureAndStorage(Utf8JsonWriter writer, FunctionDefinition function)
    {
        writer.WriteStartArray("Architectures");
        writer.WriteStringValue(function.Architecture);
        writer.WriteEndArray();
        writer.WriteStartObject("EphemeralStorage");
        writer.WriteNumber("Size", function.EphemeralStorageSize);
        writer.WriteEndObject();
    }
}
