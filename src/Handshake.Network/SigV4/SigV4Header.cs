namespace Handshake.Network.SigV4;

/// <summary>
/// The parameters of a SigV4 Authorization header, split the way AWS splits them: after the algorithm name, on commas
/// and spaces, each piece a key=value pair. Checks run in AWS's order, with its messages (as recorded by dynalite
/// against DynamoDB): the three parameters and a date header first, all missing ones reported together.
/// </summary>
internal sealed class SigV4Header
{
    private SigV4Header(string algorithm, string credential, string signedHeaders, string signature)
    {
        Algorithm = algorithm;
        Credential = credential;
        SignedHeaders = signedHeaders;
        Signature = signature;
    }

    public string Algorithm { get; }

    public string Credential { get; }

    public string SignedHeaders { get; }

    public string Signature { get; }

    public static SigV4Header? Parse(string authorization, bool hasDateHeader, out SigV4Failure? failure)
    {
        failure = null;
        string trimmed = authorization.Trim();
        int space = trimmed.IndexOf(' ');
        string algorithm = space < 0 ? trimmed : trimmed[..space];
        string? credential = null, signedHeaders = null, signature = null;
        if (space >= 0)
        {
            foreach (string piece in trimmed[(space + 1)..].Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = piece.IndexOf('=');
                string key = equals < 0 ? piece : piece[..equals];
                string value = equals < 0 ? "" : piece[(equals + 1)..];
                switch (key)
                {
                    case "Credential": credential = value; break;
                    case "SignedHeaders": signedHeaders = value; break;
                    case "Signature": signature = value; break;
                }
            }
        }

        string message = "";
        if (string.IsNullOrEmpty(credential)) message += "Authorization header requires 'Credential' parameter. ";
        if (string.IsNullOrEmpty(signature)) message += "Authorization header requires 'Signature' parameter. ";
        if (string.IsNullOrEmpty(signedHeaders)) message += "Authorization header requires 'SignedHeaders' parameter. ";
        if (!hasDateHeader) message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
        if (message.Length > 0)
        {
            failure = SigV4Failure.Incomplete(message + "Authorization=" + authorization);
            return null;
        }

        return new SigV4Header(algorithm, credential!, signedHeaders!, signature!);
    }
}
