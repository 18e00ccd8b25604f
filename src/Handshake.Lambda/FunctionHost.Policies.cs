using Handshake.Lambda.Environments;
using Handshake.Lambda.Functions;

namespace Handshake.Lambda;

/// <summary>Resource-based policies (AddPermission, RemovePermission, GetPolicy): kept and answered, not evaluated.</summary>
public sealed partial class FunctionHost
{
    /// <summary>Changes the qualifier's policy under the function's lock.</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException for a function or qualifier that does not exist; what <paramref name="change"/> throws.</exception>
    public void ChangePolicy(string name, string? qualifier, Action<ResourcePolicy> change)
    {
        string key = qualifier ?? FunctionDefinition.LatestVersion;
        if (!Pool(name, qualifier).TryChangePolicy(key, change))
        {
            throw LambdaException.FunctionNotFound(Arn(name) + ":" + key);
        }
    }

    /// <summary>The qualifier's policy document and RevisionId, or null when it has none.</summary>
    /// <exception cref="LambdaException">ResourceNotFoundException for a function that does not exist.</exception>
    public (string Document, string RevisionId)? GetPolicy(string name, string? qualifier) =>
        Pool(name, qualifier).Policy(qualifier ?? FunctionDefinition.LatestVersion);
}
