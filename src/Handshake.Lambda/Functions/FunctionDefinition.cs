namespace Handshake.Lambda.Functions;

/// <summary>One function's configuration (Lambda's FunctionConfiguration). Immutable: updates replace it.</summary>
public sealed record FunctionDefinition
{
    public required string Name { get; init; }

    /// <summary>The runtime as declared: `provided`, `dotnet`, `nodejs` or an AWS identifier.</summary>
    public required string Runtime { get; init; }

    public FunctionRuntimeKind RuntimeKind => FunctionRuntime.TryParse(Runtime, out FunctionRuntimeKind kind) ? kind : FunctionRuntimeKind.Provided;

    /// <summary>`file.export` for nodejs, an assembly or executable name for dotnet, free text for provided.</summary>
    public string Handler { get; init; } = "";

    /// <summary>The directory the process starts in (LAMBDA_TASK_ROOT).</summary>
    public required string CodeDirectory { get; init; }

    /// <summary>Megabytes, 128 to 10,240; reported on REPORT lines and in AWS_LAMBDA_FUNCTION_MEMORY_SIZE.</summary>
    public int MemorySize { get; init; } = 128;

    /// <summary>Seconds, 1 to 900 (Lambda's default is 3).</summary>
    public double Timeout { get; init; } = 3;

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Null: no reservation (limited only by the account limit).</summary>
    public int? ReservedConcurrency { get; init; }

    public string Description { get; init; } = "";

    public string Role { get; init; } = "";

    /// <summary>
    /// The instruction set architecture the API was given (CreateFunction, UpdateFunctionCode): "x86_64" or "arm64".
    /// Recorded and answered as Lambda answers it; the host runs the code natively on its own machine whatever it says.
    /// </summary>
    public string Architecture { get; init; } = X86_64;

    /// <summary>/tmp's size in MB (512 to 10,240), recorded and answered; the host does not limit /tmp.</summary>
    public int EphemeralStorageSize { get; init; } = 512;

    /// <summary>TracingConfig's Mode, "PassThrough" or "Active": recorded and answered (there is no X-Ray here).</summary>
    public string TracingMode { get; init; } = "PassThrough";

    /// <summary>
    /// LoggingConfig, answered as Lambda answers it (deploy tools compare it with what they sent). With LogFormat JSON
    /// the environment's runtime gets AWS_LAMBDA_LOG_FORMAT and AWS_LAMBDA_LOG_LEVEL, and the host writes its own lines
    /// as platform events filtered by SystemLogLevel (<see cref="Logs.PlatformLog"/>) and drops the runtime's lines
    /// below ApplicationLogLevel (<see cref="Logs.ApplicationLogFilter"/>). LogGroup, when set, is where the lines go
    /// instead of /aws/lambda/NAME.
    /// </summary>
    public FunctionLogging Logging { get; init; } = FunctionLogging.Default;

    public DateTimeOffset LastModified { get; init; }

    /// <summary>Base64 SHA-256 of the deployment package (of the zip, or of the directory's file names and contents).</summary>
    public string CodeSha256 { get; init; } = "";

    public long CodeSize { get; init; }

    public string RevisionId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>"$LATEST", or a published version's number ("1", "2", ...): an immutable snapshot of $LATEST.</summary>
    public string Version { get; init; } = LatestVersion;

    public bool IsPublished => Version != LatestVersion;

    public const string LatestVersion = "$LATEST";

    public const string X86_64 = "x86_64";

    public const string Arm64 = "arm64";
}
