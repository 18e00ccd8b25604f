namespace Handshake.Network.SigV4;

/// <summary>
/// The secret behind an access key id, and the session token that must come with it when the key is temporary
/// (the per-environment credentials the function host issues carry one, as Lambda's do).
/// </summary>
public readonly record struct SigV4Credentials(string SecretAccessKey, string? SessionToken = null);
