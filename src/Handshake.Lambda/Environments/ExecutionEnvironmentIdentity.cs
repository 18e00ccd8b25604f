namespace Handshake.Lambda.Environments;

/// <summary>Which function and environment an access key belongs to (the store attributes connections with it).</summary>
public readonly record struct ExecutionEnvironmentIdentity(string FunctionName, string EnvironmentId);
