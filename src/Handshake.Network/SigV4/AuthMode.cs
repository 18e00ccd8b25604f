namespace Handshake.Network.SigV4;

/// <summary>How the endpoint treats request signatures (<c>handshake up --auth</c>).</summary>
public enum AuthMode
{
    /// <summary>Any Authorization header that starts with AWS4- is accepted, as DynamoDB Local does. The default.</summary>
    Off,

    /// <summary>Signature V4 is verified against the known credentials, with AWS's errors for everything else.</summary>
    Strict,
}
