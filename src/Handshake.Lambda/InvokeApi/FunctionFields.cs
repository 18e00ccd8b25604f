using System.Text.Json;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda.InvokeApi;

/// <summary>The configuration fields CreateFunction and UpdateFunctionConfiguration share, validated as Lambda does.</summary>
internal static class FunctionFields
{
    public static FunctionDefinition Apply(JsonElement body, FunctionDefinition function)
    {
        string? runtime = JsonResponse.String(body, "Runtime");
        if (runtime is not null && !FunctionRuntime.TryParse(runtime, out _))
        {
            throw LambdaException.InvalidParameter($"Value {runtime} at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [provided, provided.al2, provided.al2023, dotnet8, dotnet10, nodejs18.x, nodejs20.x, nodejs22.x] or be null");
        }

        Dictionary<string, string>? environment = null;
        if (body.TryGetProperty("Environment", out JsonElement env) && env.ValueKind == JsonValueKind.Object)
        {
            environment = [];
            if (env.TryGetProperty("Variables", out JsonElement variables) && variables.ValueKind == JsonValueKind.Object)
            {
                foreach (JsonProperty variable in variables.EnumerateObject())
                {
                    environment[variable.Name] = variable.Value.ValueKind == JsonValueKind.String ? variable.Value.GetString()! : variable.Value.GetRawText();
                }
            }
        }

        return function with
        {
            Runtime = runtime ?? function.Runtime,
            Handler = JsonResponse.String(body, "Handler") ?? function.Handler,
            Role = JsonResponse.String(body, "Role") ?? function.Role,
            Description = JsonResponse.String(body, "Description") ?? function.Description,
            Timeout = JsonResponse.Int(body, "Timeout", 1, 900) ?? function.Timeout,
            MemorySize = JsonResponse.Int(body, "MemorySize", 128, 10240) ?? function.MemorySize,
            Environment = environment ?? function.Environment,
        };
    }

    /// <summary>Code.ZipFile (base64, unpacked under the data directory) or S3Bucket "hot-reload" with S3Key = a local directory.</summary>
    public static (string Directory, string Sha256, long Size) InstallCode(FunctionHost host, string functionName, JsonElement code)
    {
        string? zip = JsonResponse.String(code, "ZipFile");
        string? bucket = JsonResponse.String(code, "S3Bucket");
        if (zip is not null)
        {
            byte[] bytes;
            try
            {
                bytes = Convert.FromBase64String(zip);
            }
            catch (FormatException)
            {
                throw LambdaException.InvalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.");
            }

            return FunctionCode.InstallZip(host.DataDirectory, functionName, bytes);
        }

        if (bucket == FunctionCode.LocalDirectoryBucket && JsonResponse.String(code, "S3Key") is string directory)
        {
            return FunctionCode.UseDirectory(directory);
        }

        if (bucket is not null || JsonResponse.String(code, "ImageUri") is not null)
        {
            throw LambdaException.InvalidParameter($"Handshake runs code from Code.ZipFile or from a local directory (S3Bucket \"{FunctionCode.LocalDirectoryBucket}\", S3Key = the directory); S3 objects and images are not supported.");
        }

        throw LambdaException.InvalidParameter("Please provide a source for function code.");
    }
}
