using Shape = Handshake.Lambda.InvokeApi.RequestShape;

namespace Handshake.Lambda.InvokeApi;

/// <summary>
/// The request shapes of Lambda's API model (2015-03-31, as botocore 1.43 ships it) that more than one operation takes, named
/// as the model names them. Each operation's own input is declared in its file (<c>Input</c>) from these. Members the
/// host does not implement are typed too: Lambda refuses them for their type before anything reads them.
/// </summary>
internal static class LambdaModelShapes
{
    public static readonly Shape FunctionCode = Shape.Structure(
        ("ZipFile", Shape.Blob), ("S3Bucket", Shape.String), ("S3Key", Shape.String), ("S3ObjectVersion", Shape.String),
        ("ImageUri", Shape.String), ("SourceKMSKeyArn", Shape.String));

    public static readonly Shape VpcConfig = Shape.Structure(
        ("SubnetIds", Shape.StringList), ("SecurityGroupIds", Shape.StringList), ("Ipv6AllowedForDualStack", Shape.Boolean));

    public static readonly Shape Environment = Shape.Structure(("Variables", Shape.StringMap));

    public static readonly Shape FileSystemConfigList = Shape.List(Shape.Structure(("Arn", Shape.String), ("LocalMountPath", Shape.String)));

    public static readonly Shape ImageConfig = Shape.Structure(
        ("EntryPoint", Shape.StringList), ("Command", Shape.StringList), ("WorkingDirectory", Shape.String));

    public static readonly Shape LoggingConfig = Shape.Structure(
        ("LogFormat", Shape.String), ("ApplicationLogLevel", Shape.String), ("SystemLogLevel", Shape.String), ("LogGroup", Shape.String));

    public static readonly Shape CapacityProviderConfig = Shape.Structure(
        ("LambdaManagedInstancesCapacityProviderConfig", Shape.Structure(
            ("CapacityProviderArn", Shape.String),
            ("PerExecutionEnvironmentMaxConcurrency", Shape.Integer),
            ("ExecutionEnvironmentMemoryGiBPerVCpu", Shape.Double))));

    /// <summary>The members CreateFunction and UpdateFunctionConfiguration share, with the same types.</summary>
    public static readonly (string Name, Shape Shape)[] FunctionConfiguration =
    [
        ("Role", Shape.String),
        ("Handler", Shape.String),
        ("Description", Shape.String),
        ("Timeout", Shape.Integer),
        ("MemorySize", Shape.Integer),
        ("VpcConfig", VpcConfig),
        ("Environment", Environment),
        ("Runtime", Shape.String),
        ("DeadLetterConfig", Shape.Structure(("TargetArn", Shape.String))),
        ("KMSKeyArn", Shape.String),
        ("TracingConfig", Shape.Structure(("Mode", Shape.String))),
        ("Layers", Shape.StringList),
        ("FileSystemConfigs", FileSystemConfigList),
        ("ImageConfig", ImageConfig),
        ("EphemeralStorage", Shape.Structure(("Size", Shape.Integer))),
        ("SnapStart", Shape.Structure(("ApplyOn", Shape.String))),
        ("LoggingConfig", LoggingConfig),
        ("CapacityProviderConfig", CapacityProviderConfig),
        ("DurableConfig", Shape.Structure(("RetentionPeriodInDays", Shape.Integer), ("ExecutionTimeout", Shape.Integer))),
    ];

    /// <summary>Aliases' RoutingConfig: {"AdditionalVersionWeights": {"VERSION": weight}}.</summary>
    public static readonly Shape AliasRoutingConfiguration = Shape.Structure(("AdditionalVersionWeights", Shape.Map(Shape.Double)));

    /// <summary>Event invoke configs' and event source mappings' DestinationConfig.</summary>
    public static readonly Shape DestinationConfig = Shape.Structure(
        ("OnSuccess", Shape.Structure(("Destination", Shape.String))),
        ("OnFailure", Shape.Structure(("Destination", Shape.String))));

    /// <summary>PutFunctionEventInvokeConfig's and UpdateFunctionEventInvokeConfig's members.</summary>
    public static readonly (string Name, Shape Shape)[] EventInvokeConfig =
    [
        ("MaximumRetryAttempts", Shape.Integer),
        ("MaximumEventAgeInSeconds", Shape.Integer),
        ("DestinationConfig", DestinationConfig),
    ];

    /// <summary>CreateFunctionUrlConfig's and UpdateFunctionUrlConfig's members.</summary>
    public static readonly (string Name, Shape Shape)[] FunctionUrlConfig =
    [
        ("AuthType", Shape.String),
        ("Cors", Shape.Structure(
            ("AllowCredentials", Shape.Boolean),
            ("AllowHeaders", Shape.StringList),
            ("AllowMethods", Shape.StringList),
            ("AllowOrigins", Shape.StringList),
            ("ExposeHeaders", Shape.StringList),
            ("MaxAge", Shape.Integer))),
        ("InvokeMode", Shape.String),
    ];

    private static readonly Shape KafkaEventSourceConfig = Shape.Structure(
        ("ConsumerGroupId", Shape.String),
        ("SchemaRegistryConfig", Shape.Structure(
            ("SchemaRegistryURI", Shape.String),
            ("EventRecordFormat", Shape.String),
            ("AccessConfigs", Shape.List(Shape.Structure(("Type", Shape.String), ("URI", Shape.String)))),
            ("SchemaValidationConfigs", Shape.List(Shape.Structure(("Attribute", Shape.String)))))));

    /// <summary>The members CreateEventSourceMapping and UpdateEventSourceMapping share, with the same types.</summary>
    public static readonly (string Name, Shape Shape)[] EventSourceMapping =
    [
        ("FunctionName", Shape.String),
        ("Enabled", Shape.Boolean),
        ("BatchSize", Shape.Integer),
        ("FilterCriteria", Shape.Structure(("Filters", Shape.List(Shape.Structure(("Pattern", Shape.String)))))),
        ("MaximumBatchingWindowInSeconds", Shape.Integer),
        ("ParallelizationFactor", Shape.Integer),
        ("DestinationConfig", DestinationConfig),
        ("MaximumRecordAgeInSeconds", Shape.Integer),
        ("BisectBatchOnFunctionError", Shape.Boolean),
        ("MaximumRetryAttempts", Shape.Integer),
        ("TumblingWindowInSeconds", Shape.Integer),
        ("SourceAccessConfigurations", Shape.List(Shape.Structure(("Type", Shape.String), ("URI", Shape.String)))),
        ("FunctionResponseTypes", Shape.StringList),
        ("ScalingConfig", Shape.Structure(("MaximumConcurrency", Shape.Integer))),
        ("AmazonManagedKafkaEventSourceConfig", KafkaEventSourceConfig),
        ("SelfManagedKafkaEventSourceConfig", KafkaEventSourceConfig),
        ("DocumentDBEventSourceConfig", Shape.Structure(
            ("DatabaseName", Shape.String), ("CollectionName", Shape.String), ("FullDocument", Shape.String))),
        ("KMSKeyArn", Shape.String),
        ("MetricsConfig", Shape.Structure(("Metrics", Shape.StringList))),
        ("LoggingConfig", Shape.Structure(("SystemLogLevel", Shape.String))),
        ("ProvisionedPollerConfig", Shape.Structure(
            ("MinimumPollers", Shape.Integer), ("MaximumPollers", Shape.Integer), ("PollerGroupName", Shape.String))),
    ];
}
